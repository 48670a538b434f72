import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { InferenceError } from '../extension/src/runtime/errors';
import { loadModelFiles } from '../extension/src/runtime/modelSource';
import { OrtModule } from '../extension/src/runtime/ort';
import { ModelSession } from '../extension/src/runtime/session';

export type NodeBackend = 'native' | 'wasm';

/** native: onnxruntime-node (fast, batch work); wasm: onnxruntime-web, the browser's engine, run in Node. */
export function ortFor(backend: NodeBackend, threads = Math.min(2, cpus().length)): OrtModule {
  // Both packages share onnxruntime-common's backend registry, which keeps the first "cpu" registered:
  // loading onnxruntime-node first keeps "cpu" native even after onnxruntime-web registers its own.
  const native = require('onnxruntime-node') as OrtModule;
  if (backend === 'native') return native;
  const ort = require('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  return ort as OrtModule;
}

export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new InferenceError('MODEL_FETCH_FAILED', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

/**
 * A model folder on disk -> a verified session, through the same loader the browser worker uses. `sharesCores`: other
 * work runs beside the model (a batch's PACS calls, the PACS itself), so onnxruntime's threads sleep rather than spin
 * while they wait, leaving the cores to that work.
 */
export async function openModel(folder: string, backend: NodeBackend, threads?: number, sharesCores = false): Promise<ModelSession> {
  const files = await loadModelFiles(resolve(folder), readBytes);
  const options = sharesCores && backend === 'native' ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {};
  return ModelSession.create(ortFor(backend, threads), files.manifest, files.model, backend === 'native' ? ['cpu'] : ['wasm'], options);
}
