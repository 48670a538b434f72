/**
 * A short seeded fuzz run over the project's DICOM files, through the CLI's decoder and the worker's pixel path:
 * every mutated input ends in an image or a refusal a reader can read, quickly and in bounded memory. The long
 * run is `node dist-node/scripts/fuzzDicom.js --count 10000`. Guards the TypeError a flipped Pixel Representation
 * once raised ("Typed is not a constructor").
 */
import { fuzz, FuzzCase, runCase } from '../../scripts/fuzzDicom';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('fuzzing the DICOM readers', () => {
  it('ends 600 seeded inputs in an image or a refusal, each within 5 s, in bounded memory', async () => {
    const cases: FuzzCase[] = [];
    // The jest worker's memory holds whatever earlier test files loaded (onnxruntime, models): what the fuzz run
    // itself allocates is the growth over where it started.
    const start = process.memoryUsage().rss;
    let peak = start;
    await fuzz(600, 2026, (c) => {
      cases.push(c);
      if (c.index % 50 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    });
    expect(cases.filter((c) => c.outcome === 'finding').map((c) => `${c.seed}, ${c.mutation}: ${c.detail}`)).toEqual([]);
    expect(Math.max(...cases.map((c) => c.ms))).toBeLessThan(5000);
    expect(peak - start).toBeLessThan(2 ** 30);
    // Both ends were reached: the run is not all refusals (mutations too strong) or all images (too weak).
    expect(cases.filter((c) => c.outcome === 'decoded').length).toBeGreaterThan(100);
    expect(cases.filter((c) => c.outcome === 'refused').length).toBeGreaterThan(100);
  });

  it('refuses a Pixel Representation that is neither 0 nor 1 by name', async () => {
    const bytes = new Uint8Array(readFileSync(join(__dirname, '../../demo/studies/us-1.dcm')));
    // (0028,0103) US, explicit VR little endian: tag, "US", length 2, value.
    const tag = Buffer.from([0x28, 0x00, 0x03, 0x01, 0x55, 0x53, 0x02, 0x00]);
    const at = Buffer.from(bytes).indexOf(tag);
    expect(at).toBeGreaterThan(0);
    bytes[at + 8] = 2;
    expect(await runCase(bytes)).toEqual({ outcome: 'refused', detail: 'fuzz.dcm: Pixel Representation 2 is neither 0 (unsigned) nor 1 (signed)' });
  });
});
