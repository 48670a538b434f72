/**
 * The model on a thread of its own. onnxruntime-node runs inference synchronously on the calling thread, so a batch
 * that ran it on the main thread could neither read the next series nor store the last SEG while the model ran: the
 * PACS calls waited for each run and the model waited for them. Here the main thread keeps to the network and the
 * thread keeps to the model.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelManifest } from '../extension/src/core/manifest';
import { SourceImage } from '../extension/src/core/sourceImage';
import { InferenceError, InferenceErrorCode } from '../extension/src/runtime/errors';
import { segmentImage } from '../extension/src/runtime/segmenter';
import { NodeBackend, openModel } from './nodeModel';

/** What a batch needs of the model: its manifest, the backend it runs on, and one image's mask. */
export interface ImageModel {
  manifest: ModelManifest;
  backend: string;
  /** The native-grid mask, and the milliseconds of pre-processing, inference and post-processing. */
  segment(image: SourceImage, threshold: number): Promise<{ mask: Uint8Array; ms: number }>;
  close(): Promise<void>;
}

interface Opened { manifest: ModelManifest; backend: string }
type Request = { id: number; image: SourceImage; threshold: number };
type Reply = { id: number; mask: Uint8Array; ms: number } | { id: number; error: string; code?: InferenceErrorCode };
interface ThreadData { cmunextModel: { folder: string; backend: NodeBackend; threads?: number } }

/** The compiled entry: this file in dist-node (from the TypeScript sources, as tests run them, the build's copy). */
function entry(): string {
  const here = join(__dirname, 'modelThread.js');
  return existsSync(here) ? here : resolve(__dirname, '../dist-node/cli/modelThread.js');
}

export function openModelThread(folder: string, backend: NodeBackend, threads?: number): Promise<ImageModel> {
  const worker = new Worker(entry(), { workerData: { cmunextModel: { folder: resolve(folder), backend, threads } } satisfies ThreadData });
  const waiting = new Map<number, { resolve(r: { mask: Uint8Array; ms: number }): void; reject(e: Error): void }>();
  let next = 0;
  let failed: Error | undefined;
  const fail = (e: Error) => {
    failed = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  };
  return new Promise((ready, refuse) => {
    worker.once('error', refuse);
    worker.once('message', (opened: Opened | { error: string; code?: InferenceErrorCode }) => {
      worker.off('error', refuse);
      if ('error' in opened) {
        void worker.terminate();
        refuse(opened.code ? new InferenceError(opened.code, opened.error) : new Error(opened.error));
        return;
      }
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`the model thread stopped (exit code ${code})`)));
      worker.on('message', (r: Reply) => {
        const w = waiting.get(r.id);
        waiting.delete(r.id);
        if (!w) return;
        if ('error' in r) w.reject(r.code ? new InferenceError(r.code, r.error) : new Error(r.error));
        else w.resolve(r);
      });
      ready({
        ...opened,
        segment(image, threshold) {
          if (failed) return Promise.reject(failed);
          return new Promise((resolve, reject) => {
            const id = next++;
            waiting.set(id, { resolve, reject });
            worker.postMessage({ id, image, threshold } satisfies Request);
          });
        },
        async close() {
          worker.removeAllListeners('exit');
          await worker.terminate();
        },
      });
    });
  });
}

const asReply = (e: unknown) => ({ error: e instanceof Error ? e.message : String(e), code: e instanceof InferenceError ? e.code : undefined });

if (!isMainThread && (workerData as ThreadData | undefined)?.cmunextModel) {
  const { folder, backend, threads } = (workerData as ThreadData).cmunextModel;
  openModel(folder, backend, threads, true).then((session) => {
    parentPort!.postMessage({ manifest: session.manifest, backend: session.backend } satisfies Opened);
    // One image at a time, in the order sent: each reply's time is that image's alone.
    let queue = Promise.resolve();
    parentPort!.on('message', ({ id, image, threshold }: Request) => {
      queue = queue.then(async () => {
        try {
          const r = await segmentImage(session, image, threshold);
          parentPort!.postMessage({ id, mask: r.mask, ms: r.preMs + r.inferenceMs + r.postMs } satisfies Reply, [r.mask.buffer as ArrayBuffer]);
        } catch (e) {
          parentPort!.postMessage({ id, ...asReply(e) } satisfies Reply);
        }
      });
    });
  }, (e) => parentPort!.postMessage(asReply(e)));
}
