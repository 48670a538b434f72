/** ModelSession: a batch (one input per test-time transform) in one run where the model allows it, else one at a time. */
import { join, resolve } from 'node:path';
import { ortFor, readBytes } from '../../cli/nodeModel';
import { augmentedBatch } from '../../extension/src/core/augment';
import { toDisplay } from '../../extension/src/core/pixels';
import { toModelInput } from '../../extension/src/core/preprocess';
import { readImageFile } from '../../cli/imageFile';
import { loadModelFiles } from '../../extension/src/runtime/modelSource';
import { InferenceSession, OrtModule } from '../../extension/src/runtime/ort';
import { ModelSession } from '../../extension/src/runtime/session';

const MODEL = resolve(__dirname, '../fixtures/cmunext-s-random');

/** The real onnxruntime-node, counting runs; `fixedBatch` makes the model's batch axis read as a fixed 1. */
function countingOrt(fixedBatch: boolean): { ort: OrtModule; runs: () => number } {
  const ort = ortFor('native');
  let runs = 0;
  const wrap = (s: InferenceSession): InferenceSession =>
    new Proxy(s, {
      get(target, key) {
        if (key === 'inputMetadata' && fixedBatch) return target.inputMetadata.map((m) => ({ ...m, shape: 'shape' in m ? [1, ...m.shape.slice(1)] : [] }));
        if (key === 'run') return (...args: Parameters<InferenceSession['run']>) => (runs++, target.run(...args));
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { ort: { ...ort, InferenceSession: { create: async (...a) => wrap(await ort.InferenceSession.create(...a)) } }, runs: () => runs };
}

describe('ModelSession batches', () => {
  it.each<[string, boolean, number]>([
    ['a dynamic batch axis: one run for the batch', false, 1],
    ['a fixed batch of 1: one run per image', true, 2],
  ])('%s', async (_, fixedBatch, expectedRuns) => {
    const files = await loadModelFiles(MODEL, readBytes);
    const { ort, runs } = countingOrt(fixedBatch);
    const session = await ModelSession.create(ort, files.manifest, files.model, ['cpu']);
    expect(session.batchable).toBe(!fixedBatch);
    const input = toModelInput(toDisplay(await readImageFile(join(MODEL, 'golden', 'input.png'))), files.manifest.input);
    const single = await session.run(input);
    const before = runs();
    const batch = await session.run(augmentedBatch(input, ['identity', 'hflip']));
    expect(runs() - before).toBe(expectedRuns);
    expect(batch.dims).toEqual([2, ...single.dims.slice(1)]);
    let apart = 0;
    single.data.forEach((v, i) => (apart = Math.max(apart, Math.abs(v - batch.data[i]))));
    expect(apart).toBeLessThan(1e-4);
    await session.release();
  });
});
