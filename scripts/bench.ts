/**
 * Speed figures for a model folder, same run, same machine: the TypeScript pre/post-processing and the model on
 * onnxruntime-node (native) and onnxruntime-web (wasm, the browser's engine) in Node. Prints medians and ratios.
 *   npm run build && node dist-node/scripts/bench.js [models/<id>] [image] [runs]
 */
import { join } from 'node:path';
import { readImageFile } from '../cli/imageFile';
import { openModel, NodeBackend } from '../cli/nodeModel';
import { toDisplay } from '../extension/src/core/pixels';
import { toMask, toProbabilities } from '../extension/src/core/postprocess';
import { toModelInput } from '../extension/src/core/preprocess';
import { augmentedBatch } from '../extension/src/core/augment';
import { defaultModelDir, projectRoot } from './root';

const ROOT = projectRoot();
const folder = process.argv[2] ?? defaultModelDir(ROOT);
// A demo study's breast ultrasound image (in the repository) unless another is given.
const imagePath = process.argv[3] ?? join(ROOT, 'demo/studies/us-1.dcm');
const runs = Number(process.argv[4] ?? 20);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const image = await readImageFile(imagePath);
  const results: Record<string, number> = {};
  for (const backend of ['native', 'wasm'] as NodeBackend[]) {
    const session = await openModel(folder, backend);
    const { input: spec, output } = session.manifest;
    const pre: number[] = [];
    const infer: number[] = [];
    const post: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      let input!: ReturnType<typeof toModelInput>;
      let logits!: Awaited<ReturnType<typeof session.run>>;
      const tPre = await time(() => (input = toModelInput(toDisplay(image), spec)));
      const tInf = await time(async () => (logits = await session.run(input)));
      const tPost = await time(() => toMask(toProbabilities(logits.data, logits.dims, output), image.columns, image.rows, output.threshold));
      if (i < 2) continue; // warm-up
      pre.push(tPre);
      infer.push(tInf);
      post.push(tPost);
    }
    // Test-time mirroring: the two inputs as one batch in one run, against two runs of one.
    const input = toModelInput(toDisplay(image), spec);
    const pair = augmentedBatch(input, ['identity', 'hflip']);
    const batched: number[] = [];
    const twice: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const tBatch = await time(() => session.run(pair));
      const tTwice = await time(async () => {
        await session.run(input);
        await session.run({ data: pair.data.subarray(input.data.length), dims: input.dims });
      });
      if (i < 2) continue;
      batched.push(tBatch);
      twice.push(tTwice);
    }
    results[`${backend} inference`] = median(infer);
    results[`${backend} mirror, batch of 2`] = median(batched);
    results[`${backend} mirror, 2 runs`] = median(twice);
    results[`${backend} pre-processing`] = median(pre);
    results[`${backend} post-processing`] = median(post);
    await session.release();
  }
  console.log(`${folder} on ${image.columns}x${image.rows}, ${runs} runs after 2 warm-up, medians:`);
  for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(30)} ${v.toFixed(1).padStart(8)} ms`);
  console.log(`  wasm / native inference   ${(results['wasm inference'] / results['native inference']).toFixed(2).padStart(8)} x`);
  for (const b of ['native', 'wasm']) {
    console.log(`  ${`${b} mirror: batch / 2 runs`.padEnd(30)} ${(results[`${b} mirror, batch of 2`] / results[`${b} mirror, 2 runs`]).toFixed(2).padStart(8)} x`);
  }
  console.log(`  resident memory           ${(process.memoryUsage().rss / 2 ** 20).toFixed(0).padStart(8)} MiB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
