import { InferenceError, serializeError } from './errors';
import { FetchBytes, ModelStore, loadModelFiles } from './modelSource';
import { OrtModule } from './ort';
import { LoadedModel, MessageEndpoint, WorkerRequest, WorkerResponse } from './protocol';
import { SourceImage } from '../core/sourceImage';
import { segmentImage } from './segmenter';
import { ModelSession } from './session';

/**
 * What the warm-up runs the whole data path on: ultrasound's 8-bit colour and greyscale and a 16-bit greyscale grid,
 * grey ones under a window as the viewer sends them, at sizes a reader opens: three runs, as the engine keeps getting
 * faster over its first few (measured with `npm run bench:viewer`). Blank model inputs alone left the
 * pre-processing's first pass on the reader's first click, several times its later cost.
 */
function warmUpImages(): SourceImage[] {
  const ramp = <A extends Uint8Array | Uint16Array>(data: A, max: number) => data.map((_, i) => i % (max + 1)) as A;
  const eightBit = { bitsAllocated: 8, bitsStored: 8, pixelRepresentation: 0, rows: 480, columns: 640 } as const;
  return [
    { ...eightBit, pixelData: ramp(new Uint8Array(480 * 640 * 3), 255), samplesPerPixel: 3, photometricInterpretation: 'RGB', planarConfiguration: 0 },
    { ...eightBit, pixelData: ramp(new Uint8Array(480 * 640), 255), samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2', voi: { center: 128, width: 256 } },
    {
      pixelData: ramp(new Uint16Array(512 * 512), 4095), rows: 512, columns: 512, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12,
      pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2', voi: { center: 2048, width: 4096 },
    },
  ];
}

/** Segments the warm-up images; their time in ms. */
async function warmUp(session: ModelSession): Promise<number> {
  const started = performance.now();
  for (const image of warmUpImages()) await segmentImage(session, image);
  return performance.now() - started;
}

export interface HandlerDeps {
  ort: OrtModule;
  fetchBytes: FetchBytes;
  store?: ModelStore;
  /** The threads the wasm backend runs on, reported with a model loaded on it. */
  wasmThreads?: () => number | undefined;
  /** Whether the worker can share memory with threads of its own (the page is cross-origin isolated). */
  isolated?: () => boolean;
}

/**
 * The worker's side of the protocol: one model session, requests served one at a time in arrival order,
 * cancellation of queued requests at once and of a running batch between frames.
 */
export function serveInference(endpoint: MessageEndpoint, deps: HandlerDeps): void {
  let session: ModelSession | undefined;
  let loaded: LoadedModel | undefined;
  /** The model's bytes, kept to make a wasm session when the GPU goes away mid-run. */
  let modelBytes: Uint8Array | undefined;
  const cancelled = new Set<number>();
  let queue = Promise.resolve();
  const post = (msg: WorkerResponse, transfer: Transferable[] = []) => endpoint.postMessage(msg, transfer);
  /** What a model loaded on wasm reports of its threads. */
  const wasmInfo = () => ({ threads: deps.wasmThreads?.(), isolated: deps.isolated?.() });
  const checkCancelled = (id: number, detail: string) => {
    if (cancelled.delete(id)) throw new InferenceError('CANCELLED', `cancelled ${detail}`);
  };

  async function serve(req: Exclude<WorkerRequest, { type: 'cancel' }>): Promise<void> {
    if (req.type === 'load') {
      checkCancelled(req.id, 'before the model was loaded');
      const started = performance.now();
      // At most a message each 1% of the model (or each 256 KB where its size is not given).
      let reported = 0;
      const files = await loadModelFiles(req.modelUrl, deps.fetchBytes, deps.store, (received, total) => {
        if (received !== total && received - reported < (total ? total / 100 : 2 ** 18)) return;
        reported = received;
        post({ type: 'download', id: req.id, received, ...(total !== undefined && { total }) });
      });
      const next = await ModelSession.create(deps.ort, files.manifest, files.model, req.backends);
      const loadMs = performance.now() - started;
      // The first run of a session sets up its kernels; done here, it is not paid on the reader's click.
      const warmUpMs = req.warmUp ? await warmUp(next) : undefined;
      await session?.release();
      session = next;
      modelBytes = files.model;
      loaded = {
        manifest: files.manifest, backend: next.backend, skipped: next.skipped, fromCache: files.fromCache, loadMs,
        ...(warmUpMs !== undefined && { warmUpMs }), ...(next.backend === 'wasm' && wasmInfo()),
      };
      post({ type: 'loaded', id: req.id, ...loaded });
      return;
    }
    if (!session || !loaded) throw new InferenceError('NOT_LOADED', 'no model is loaded: send a load request first');
    const total = req.images.length;
    if (!total) throw new InferenceError('BAD_INPUT', 'no images to segment');
    const started = performance.now();
    for (let index = 0; index < total; index++) {
      // Inference can resolve without returning to the event loop; let a waiting cancel message in first.
      await new Promise((resolve) => setTimeout(resolve, 0));
      checkCancelled(req.id, `after ${index} of ${total} frame(s)`);
      const result = await segmentImage(session, req.images[index], req.threshold).catch(async (e) => {
        if (!(session?.backend === 'webgpu' && e instanceof InferenceError && e.code === 'INFERENCE_FAILED' && modelBytes)) throw e;
        // A lost GPU device (driver reset, GPU process crash, another tab's demand) ends WebGPU for this session;
        // the run finishes on wasm rather than failing the reader's click.
        const reason = e.message;
        const wasm = await ModelSession.create(deps.ort, session.manifest, modelBytes, ['wasm']);
        await session.release().catch(() => undefined);
        session = wasm;
        loaded = { ...loaded!, backend: 'wasm', skipped: [...loaded!.skipped, { backend: 'webgpu', reason }], ...wasmInfo() };
        post({ type: 'fallback', id: req.id, backend: 'wasm', reason });
        return segmentImage(session, req.images[index], req.threshold);
      });
      post({ type: 'frame', id: req.id, index, result }, [result.mask.buffer, result.probabilities.data.buffer]);
      post({ type: 'progress', id: req.id, done: index + 1, total });
    }
    cancelled.delete(req.id);
    post({ type: 'done', id: req.id, frames: total, ms: performance.now() - started });
  }

  endpoint.addEventListener('message', ({ data }) => {
    const req = data as WorkerRequest;
    if (req.type === 'cancel') {
      cancelled.add(req.id);
      return;
    }
    if (req.type !== 'load' && req.type !== 'segment') {
      post({ type: 'error', id: (req as { id?: number }).id ?? -1, error: { code: 'BAD_INPUT', message: `unknown request type ${JSON.stringify((req as { type?: unknown }).type)}` } });
      return;
    }
    queue = queue.then(() =>
      serve(req).catch((e) => post({ type: 'error', id: req.id, error: serializeError(e, req.type === 'load' ? 'MODEL_FETCH_FAILED' : 'INFERENCE_FAILED') })),
    );
  });
}
