/**
 * The inference worker's life: started and the model loaded and warmed up when the mode opens (else on first need),
 * restarted after a crash, cancelled while a download stalls, and let go after `workerIdleMinutes` without an action (the model's memory goes back to the
 * browser; its manifest stays, so a result made before still stores).
 */
import { InferenceClient } from '../runtime/client';
import { InferenceError } from '../runtime/errors';
import { LoadedModel, MessageEndpoint } from '../runtime/protocol';
import { Backend } from '../runtime/session';
import { InferencePort, SegmentCall } from './ports';
import { SourceImage } from '../core/sourceImage';

export type WorkerLike = MessageEndpoint & { terminate(): void };

export interface WorkerHostOptions {
  modelUrl: string;
  backends: Backend[];
  workerIdleMinutes: number;
  startWorker(): WorkerLike;
  /** Whether an action is under way: the worker is not let go during one. */
  busy(): boolean;
  /** The reader waits for a load (the panel says so). */
  onLoading?(): void;
  /** The model's bytes received so far, while it downloads (not when it comes from the cache). */
  onDownload?(received: number, total?: number): void;
  /** A model is loaded; `first`: none was loaded before in this viewer. */
  onLoaded?(model: LoadedModel, first: boolean): void;
}

export class WorkerHost implements InferencePort {
  private worker?: WorkerLike;
  private client?: InferenceClient;
  private loading?: Promise<LoadedModel>;
  private idleRelease?: ReturnType<typeof setTimeout>;
  /** Whether the worker in use has its model loaded. */
  private ready = false;
  model?: LoadedModel;

  constructor(private readonly o: WorkerHostOptions) {}

  /** The model, loading it (in a new worker) where none is; undefined when cancelled while loading. */
  async load(signal: AbortSignal): Promise<LoadedModel | undefined> {
    // A worker that failed after loading (crashed mid-run) is replaced on the next click.
    if (this.client?.failed) this.release();
    const loading = this.loading ?? this.start(false);
    if (!this.ready) this.o.onLoading?.();
    const cancelled = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const model = await Promise.race([loading, cancelled]);
    // A load cancelled (a stalled download) goes with its worker: the next click starts afresh.
    if (!model && this.loading === loading) this.release();
    return model;
  }

  /**
   * Starts the worker and loads the model with a warm-up run before the reader asks (the mode opened): the first
   * click then costs what a second does. A failure here is only logged; the click loads again and says why.
   */
  preload(): void {
    if (this.loading && !this.client?.failed) return;
    this.release();
    this.start(true).catch((e) => console.warn('CMUNeXt segment: the model could not be made ready ahead of the first click; it loads on the click', e));
    this.releaseWhenIdle();
  }

  private start(warmUp: boolean): Promise<LoadedModel> {
    const worker = this.o.startWorker();
    this.worker = worker;
    this.client = new InferenceClient(worker);
    const first = !this.model;
    const loading = this.client.load(this.o.modelUrl, this.o.backends, warmUp, this.o.onDownload).then((m) => {
      this.model = m;
      this.ready = true;
      this.o.onLoaded?.(m, first);
      return m;
    });
    this.loading = loading;
    loading.catch(() => {
      if (this.worker === worker) this.release();
      else worker.terminate();
    });
    return loading;
  }

  async segment(images: SourceImage[], call: SegmentCall): Promise<boolean> {
    if (!this.client) throw new InferenceError('NOT_LOADED', 'the model is not loaded');
    try {
      await this.client.segment(images, {
        threshold: call.threshold,
        signal: call.signal,
        onProgress: call.onProgress,
        onFrame: call.onFrame,
        onFallback: (backend, reason) => {
          // The worker's session is now on `backend`: later runs and the SEG's parameters say so.
          if (this.model) this.model = { ...this.model, backend, skipped: [...this.model.skipped, { backend: this.model.backend, reason }] };
          call.onFallback?.(backend, reason);
        },
      });
      return true;
    } catch (e) {
      if (e instanceof InferenceError && e.code === 'CANCELLED') return false;
      throw e;
    }
  }

  /** Starts the idle countdown again after an action; the worker goes when it runs out with no action under way. */
  releaseWhenIdle(): void {
    clearTimeout(this.idleRelease);
    if (!this.worker || !this.o.workerIdleMinutes) return;
    this.idleRelease = setTimeout(() => (this.o.busy() ? this.releaseWhenIdle() : this.release()), this.o.workerIdleMinutes * 60_000);
  }

  /** The worker and its session go; the manifest of the model last loaded stays. */
  release(): void {
    clearTimeout(this.idleRelease);
    this.worker?.terminate();
    this.worker = this.client = this.loading = undefined;
    this.ready = false;
  }
}
