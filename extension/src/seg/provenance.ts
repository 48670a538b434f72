import pkg from '../../../package.json';
import { NO_AUGMENTATION, TestTimeTransform } from '../core/augment';
import { ModelManifest } from '../core/manifest';
import { SegmentDescription, SegWriterOptions } from './types';

export const EXTENSION_NAME = pkg.name;
export const EXTENSION_VERSION = pkg.version;
/** The ContentLabel of every AI SEG this extension writes: what marks a stored SEG as CMUNeXt output. */
export const AI_CONTENT_LABEL = 'CMUNEXT_AI';
/** The ContentLabel of a reader's correction of a CMUNeXt AI result. */
export const CORRECTION_CONTENT_LABEL = 'CMUNEXT_EDIT';

export interface RunInfo {
  threshold: number;
  /** The execution provider that ran the model: webgpu, wasm, cpu. */
  backend: string;
  /** Test-time transforms averaged; the manifest's when not given. */
  transforms?: readonly TestTimeTransform[];
}

/** One AUTOMATIC segment per manifest label, identifying the model, its weights and the settings that mattered. */
export function aiSegments(manifest: ModelManifest, run: RunInfo): SegmentDescription[] {
  const [, , height, width] = manifest.input.shape;
  return manifest.labels.map((label, i) => ({
    number: i + 1,
    label: label.name,
    color: label.color,
    category: label.category,
    type: label.type,
    anatomicRegion: label.anatomicRegion,
    algorithmType: 'AUTOMATIC',
    algorithm: {
      name: manifest.name,
      version: `${manifest.version} sha256:${manifest.sha256.slice(0, 16)}`,
      parameters: {
        model: manifest.id,
        threshold: run.threshold,
        backend: run.backend,
        input: `${width}x${height}`,
        test_time_augmentation: (run.transforms ?? manifest.testTimeAugmentation ?? NO_AUGMENTATION).join('+'),
        weights_sha256: manifest.sha256,
      },
    },
  }));
}

export function aiSeriesOptions(manifest: ModelManifest, contentCreatorName = ''): SegWriterOptions {
  return {
    seriesDescription: `AI segmentation ${manifest.name}`.slice(0, 64),
    seriesNumber: 9001,
    contentLabel: AI_CONTENT_LABEL,
    contentDescription: 'AI output (CMUNeXt), not reviewed; research use only',
    contentCreatorName,
    equipment: {
      manufacturer: EXTENSION_NAME,
      modelName: 'CMUNeXt segment',
      softwareVersions: [`${EXTENSION_NAME} ${EXTENSION_VERSION}`, `${manifest.id} ${manifest.version}`],
      deviceSerialNumber: manifest.sha256.slice(0, 16),
    },
  };
}
