import { outOfDomainWarning } from '../../extension/src/tool';
import { validateManifest } from '../../extension/src/core/validateManifest';
import manifestJson from '../fixtures/cmunext-s-random/manifest.json';

const manifest = validateManifest({ ...manifestJson, modalities: ['US'] });

describe('out-of-domain warning', () => {
  it.each<[string | undefined, boolean]>([
    ['US', false],
    ['CT', true],
    ['MR', true],
    [undefined, false],
  ])('modality %p warns: %p', (modality, warns) => {
    const w = outOfDomainWarning(manifest, modality);
    expect(w !== undefined).toBe(warns);
    if (w) expect(w).toBe(`Warning: this model was trained on US images, not ${modality}; the result is unlikely to be meaningful.`);
  });

  it('stays silent for a model that names no modalities', () => {
    expect(outOfDomainWarning(validateManifest(manifestJson), 'CT')).toBeUndefined();
  });

  it('rejects a malformed modality list in the manifest', () => {
    expect(() => validateManifest({ ...manifestJson, modalities: ['us'] })).toThrow('manifest.modalities[0]: must match pattern');
  });
});
