import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toDisplay } from '../../extension/src/core/pixels';
import { toModelInput } from '../../extension/src/core/preprocess';
import { openModel, NodeBackend } from '../../cli/nodeModel';
import { readImageFile } from '../../cli/imageFile';

const MODELS = join(__dirname, '../../models');

/**
 * Trained models are held to 1e-4. Untrained random weights magnify last-bit rounding (their batch-norm
 * statistics come from a handful of images), so the fixture, which only proves the path, gets 5e-4.
 */
const folders: [string, string, number][] = [
  ...readdirSync(MODELS)
    .filter((d) => existsSync(join(MODELS, d, 'golden', 'golden.json')))
    .map((d): [string, string, number] => [d, join(MODELS, d), 1e-4]),
  ['cmunext-s-random (fixture)', join(__dirname, '../fixtures/cmunext-s-random'), 5e-4],
];

describe.each(folders)('%s: TypeScript path reproduces PyTorch', (_, folder, tolerance) => {
  const golden = JSON.parse(readFileSync(join(folder, 'golden', 'golden.json'), 'utf8'));
  const raw = readFileSync(join(folder, 'golden', golden.logits));
  const expected = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));

  it.each<[NodeBackend]>([['wasm'], ['native']])(`on %s within ${tolerance}`, async (backend) => {
    const session = await openModel(folder, backend);
    const image = readImageFile(join(folder, 'golden', golden.image));
    const logits = await session.run(toModelInput(toDisplay(image), session.manifest.input));
    expect(logits.dims).toEqual(golden.shape);
    let max = 0;
    logits.data.forEach((v, i) => (max = Math.max(max, Math.abs(v - expected[i]))));
    console.log(`${session.manifest.id} on ${backend}: max |logit - PyTorch| = ${max.toExponential(2)} over ${expected.length} values`);
    expect(max).toBeLessThanOrEqual(tolerance);
    await session.release();
  });
});
