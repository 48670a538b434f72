import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toDisplay } from '../../extension/src/core/pixels';
import { augmentedBatch, TestTimeTransform } from '../../extension/src/core/augment';
import { toProbabilities } from '../../extension/src/core/postprocess';
import { ModelInput, toModelInput } from '../../extension/src/core/preprocess';
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
    const image = await readImageFile(join(folder, 'golden', golden.image));
    const logits = await session.run(toModelInput(toDisplay(image), session.manifest.input));
    expect(logits.dims).toEqual(golden.shape);
    let max = 0;
    logits.data.forEach((v, i) => (max = Math.max(max, Math.abs(v - expected[i]))));
    console.log(`${session.manifest.id} on ${backend}: max |logit - PyTorch| = ${max.toExponential(2)} over ${expected.length} values`);
    expect(max).toBeLessThanOrEqual(tolerance);
    await session.release();
  });
});

/** Test-time augmentation: the averaged path (one batch, each answer mirrored back) against PyTorch averaging the same way. */
const augmented = folders.flatMap(([name, folder, tolerance]) => {
  const golden = JSON.parse(readFileSync(join(folder, 'golden', 'golden.json'), 'utf8'));
  return (golden.augmented ?? []).map((a: { transforms: TestTimeTransform[]; probabilities: string }): [string, string, TestTimeTransform[], string, string, number] =>
    [name, a.transforms.join('+'), a.transforms, join(folder, 'golden', a.probabilities), folder, tolerance]);
});

describe.each(augmented)('%s, %s averaged: TypeScript path reproduces PyTorch', (_, __, transforms, file, folder, tolerance) => {
  const raw = readFileSync(file);
  const expected = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));

  it.each<[NodeBackend]>([['wasm'], ['native']])(`on %s, probabilities within ${tolerance / 4} (sigmoid's slope is at most 1/4)`, async (backend) => {
    const session = await openModel(folder, backend);
    expect(session.batchable).toBe(true);
    const golden = JSON.parse(readFileSync(join(folder, 'golden', 'golden.json'), 'utf8'));
    const input = toModelInput(toDisplay(await readImageFile(join(folder, 'golden', golden.image))), session.manifest.input);
    const batch = augmentedBatch(input, transforms);
    const logits = await session.run(batch);
    expect(logits.dims[0]).toBe(transforms.length);
    const probabilities = toProbabilities(logits.data, logits.dims, session.manifest.output, transforms);
    let max = 0;
    probabilities.data.forEach((v, i) => (max = Math.max(max, Math.abs(v - expected[i]))));
    console.log(`${session.manifest.id} ${transforms.join('+')} on ${backend}: max |probability - PyTorch| = ${max.toExponential(2)} over ${expected.length} values`);
    expect(max).toBeLessThanOrEqual(tolerance / 4);
    // the batch gives each image what a run of its own gives
    const alone = await session.run({ data: batch.data.subarray(batch.data.length / 2), dims: [1, ...input.dims.slice(1)] as ModelInput['dims'] });
    const second = logits.data.subarray(logits.data.length / 2);
    let apart = 0;
    alone.data.forEach((v, i) => (apart = Math.max(apart, Math.abs(v - second[i]))));
    expect(apart).toBeLessThanOrEqual(tolerance);
    await session.release();
  });
});
