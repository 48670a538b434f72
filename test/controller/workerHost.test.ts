/**
 * The worker's life against stand-in workers: readied ahead of the first click (loaded and warmed up), shared by a
 * click that comes while it loads, replaced after a crash, let go when idle, dropped when a stalled load is
 * cancelled.
 */
import { WorkerHost, WorkerLike } from '../../extension/src/controller/workerHost';
import { WorkerRequest } from '../../extension/src/runtime/protocol';
import { manifest } from './fakes';

/** A worker that answers a load when told to, and records what it was asked. */
class StandInWorker extends EventTarget {
  readonly requests: WorkerRequest[] = [];
  terminated = false;
  postMessage(message: unknown): void {
    this.requests.push(message as WorkerRequest);
  }
  /** Answers the pending load as the real worker does. */
  loaded(): void {
    const load = this.requests.find((r): r is Extract<WorkerRequest, { type: 'load' }> => r.type === 'load')!;
    const data = { type: 'loaded', id: load.id, manifest, backend: 'wasm', skipped: [], fromCache: true, loadMs: 3, ...(load.warmUp && { warmUpMs: 2 }) };
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  crash(): void {
    this.dispatchEvent(Object.assign(new Event('error'), { message: 'out of memory' }));
  }
  terminate(): void {
    this.terminated = true;
  }
}

function host(workerIdleMinutes = 0, busy = () => false) {
  const workers: StandInWorker[] = [];
  const said: string[] = [];
  const h = new WorkerHost({
    modelUrl: '/models/m/', backends: ['wasm'], workerIdleMinutes, busy,
    startWorker: () => workers[workers.push(new StandInWorker()) - 1] as unknown as WorkerLike,
    onLoading: () => said.push('loading'),
  });
  return { h, workers, said };
}

const never = () => new AbortController().signal;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the inference worker\'s life', () => {
  it('readies the model with a warm-up run before the first click, which then loads nothing', async () => {
    const { h, workers, said } = host();
    h.preload();
    expect(workers[0].requests).toEqual([expect.objectContaining({ type: 'load', warmUp: true })]);
    workers[0].loaded();
    await tick();
    const model = await h.load(never());
    expect(model?.warmUpMs).toBe(2);
    expect(workers).toHaveLength(1);
    expect(said).toEqual([]); // the reader waited for nothing
  });

  it('a click while it readies waits for the same load, and says the model is loading', async () => {
    const { h, workers, said } = host();
    h.preload();
    const click = h.load(never());
    workers[0].loaded();
    expect((await click)?.backend).toBe('wasm');
    expect(workers).toHaveLength(1);
    expect(said).toEqual(['loading']);
  });

  it('a click without preloading loads without a warm-up run (it would only add to the click)', async () => {
    const { h, workers } = host();
    const click = h.load(never());
    expect(workers[0].requests[0]).toMatchObject({ type: 'load', warmUp: false });
    workers[0].loaded();
    expect(await click).toBeDefined();
  });

  it('replaces a worker that crashed, on the next click', async () => {
    const { h, workers } = host();
    const first = h.load(never());
    workers[0].loaded();
    await first;
    workers[0].crash();
    const again = h.load(never());
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    workers[1].loaded();
    expect(await again).toBeDefined();
  });

  it('drops a load the reader cancels (a stalled download) with its worker; the next click starts afresh', async () => {
    const { h, workers } = host();
    const abort = new AbortController();
    const click = h.load(abort.signal);
    abort.abort();
    expect(await click).toBeUndefined();
    expect(workers[0].terminated).toBe(true);
    void h.load(never());
    expect(workers).toHaveLength(2);
  });

  it('lets the worker go after the idle time, not while an action runs, and keeps the manifest', async () => {
    jest.useFakeTimers();
    try {
      let busy = true;
      const { h, workers } = host(1, () => busy);
      h.preload();
      workers[0].loaded();
      await h.load(never());
      jest.advanceTimersByTime(60_000);
      expect(workers[0].terminated).toBe(false); // an action was under way: the countdown starts again
      busy = false;
      jest.advanceTimersByTime(60_000);
      expect(workers[0].terminated).toBe(true);
      expect(h.model?.manifest.id).toBe(manifest.id);
    } finally {
      jest.useRealTimers();
    }
  });
});
