import { SourceImage } from '../core/sourceImage';
import { InferenceError } from './errors';
import { LoadedModel, MessageEndpoint, WorkerRequest, WorkerResponse } from './protocol';
import { FrameResult } from './segmenter';
import { Backend } from './session';

export interface SegmentOptions {
  threshold?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Each frame as soon as it is ready; on cancel, the frames already delivered are kept by the caller. */
  onFrame?: (index: number, result: FrameResult) => void;
  /** The worker's backend failed mid-run and the run goes on, on `backend`. */
  onFallback?: (backend: Backend, reason: string) => void;
}

export interface SegmentResult {
  frames: FrameResult[];
  ms: number;
}

type Pending = { resolve: (r: WorkerResponse) => void; reject: (e: InferenceError) => void; onMessage?: (r: WorkerResponse) => void };

/** The viewer's side of the protocol: promises for requests, callbacks for progress, AbortSignal for cancel. */
export class InferenceClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once the worker has failed: every call then fails with it instead of waiting for a reply that never comes. */
  private broken?: InferenceError;

  constructor(private readonly endpoint: MessageEndpoint) {
    endpoint.addEventListener('message', ({ data }) => this.receive(data as WorkerResponse));
    endpoint.addEventListener('error', (e) => this.fail(`the inference worker stopped${e.message ? `: ${e.message}` : ' (its script could not be loaded: check that cmunext-worker.js is served from the assets folder with the page\'s cross-origin headers)'}`));
    endpoint.addEventListener('messageerror', () => this.fail('a message from the inference worker could not be read'));
  }

  /** Whether the worker has failed; a new client (and worker) is needed. */
  get failed(): boolean {
    return this.broken !== undefined;
  }

  /** `onDownload`: the model's bytes as they arrive, when the load downloads it. */
  async load(modelUrl: string, backends: Backend[] = ['webgpu', 'wasm'], warmUp = false, onDownload?: (received: number, total?: number) => void): Promise<LoadedModel> {
    const reply = await this.request({ type: 'load', id: this.nextId++, modelUrl, backends, warmUp }, (msg) => {
      if (msg.type === 'download') onDownload?.(msg.received, msg.total);
    });
    const { type: _type, id: _id, ...loaded } = reply as Extract<WorkerResponse, { type: 'loaded' }>;
    return loaded;
  }

  async segment(images: SourceImage[], options: SegmentOptions = {}): Promise<SegmentResult> {
    const frames: FrameResult[] = [];
    const id = this.nextId++;
    const onAbort = () => this.endpoint.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A callback that throws (the labelmap it writes to was deleted) stops the run, and the run fails with its error.
    let failure: { error: unknown } | undefined;
    try {
      const done = await this.request({ type: 'segment', id, images, threshold: options.threshold }, (msg) => {
        if (failure) return;
        try {
          if (msg.type === 'progress') options.onProgress?.(msg.done, msg.total);
          if (msg.type === 'fallback') options.onFallback?.(msg.backend, msg.reason);
          if (msg.type === 'frame') {
            frames[msg.index] = msg.result;
            options.onFrame?.(msg.index, msg.result);
          }
        } catch (error) {
          failure = { error };
          onAbort();
        }
      }).catch((e) => {
        throw failure ? failure.error : e;
      });
      if (failure) throw failure.error;
      return { frames, ms: (done as Extract<WorkerResponse, { type: 'done' }>).ms };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private request(req: WorkerRequest, onMessage?: (r: WorkerResponse) => void): Promise<WorkerResponse> {
    return new Promise((resolve, reject) => {
      if (this.broken) return reject(this.broken);
      this.pending.set(req.id, { resolve, reject, onMessage });
      this.endpoint.postMessage(req);
    });
  }

  private fail(message: string): void {
    this.broken ??= new InferenceError('INFERENCE_FAILED', message);
    for (const p of this.pending.values()) p.reject(this.broken);
    this.pending.clear();
  }

  private receive(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress' || msg.type === 'frame' || msg.type === 'fallback' || msg.type === 'download') {
      p.onMessage?.(msg);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new InferenceError(msg.error.code, msg.error.message));
    else p.resolve(msg);
  }
}
