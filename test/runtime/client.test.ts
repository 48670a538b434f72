/**
 * The viewer's side when the worker itself fails: a worker whose script is not served (or is refused by the page's
 * cross-origin policy) raises an error event and never replies. Guards against a Segment button stuck on
 * "Loading the model…" for good.
 */
import { InferenceClient } from '../../extension/src/runtime/client';
import { InferenceError } from '../../extension/src/runtime/errors';
import { MessageEndpoint } from '../../extension/src/runtime/protocol';

/** A worker end that takes requests and never answers, as a worker that did not start. */
class SilentWorker extends EventTarget {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  raise(type: 'error' | 'messageerror', message?: string): void {
    this.dispatchEvent(Object.assign(new Event(type), { message }));
  }
}

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: InferenceError) => e);

describe('inference client when the worker fails', () => {
  it.each<[string, 'error' | 'messageerror', string | undefined, RegExp]>([
    ['script not loaded', 'error', undefined, /^the inference worker stopped \(its script could not be loaded: check that cmunext-worker\.js is served/],
    ['uncaught error in the worker', 'error', 'out of memory', /^the inference worker stopped: out of memory$/],
    ['unreadable message', 'messageerror', undefined, /^a message from the inference worker could not be read$/],
  ])('%s: the pending call fails with a message, and so does every later one', async (_, type, message, expected) => {
    const worker = new SilentWorker();
    const client = new InferenceClient(worker as unknown as MessageEndpoint);
    const loading = client.load('/models/m', ['wasm']);
    expect(worker.posted).toHaveLength(1);
    expect(client.failed).toBe(false);
    worker.raise(type, message);
    const e = await rejection(loading);
    expect(e).toBeInstanceOf(InferenceError);
    expect(e.code).toBe('INFERENCE_FAILED');
    expect(e.message).toMatch(expected);
    expect(client.failed).toBe(true);
    const later = await rejection(client.segment([]));
    expect(later.message).toBe(e.message);
    expect(worker.posted).toHaveLength(1); // nothing more sent to a dead worker
  });
});

/** A worker end that answers a segment request with frames, and a cancel as the worker does (between frames). */
class FrameWorker extends EventTarget {
  readonly posted: { type: string; id: number }[] = [];
  constructor(private readonly frames: number, private readonly honoursCancel: boolean) {
    super();
  }
  postMessage(message: { type: string; id: number }): void {
    this.posted.push(message);
    if (message.type !== 'segment') return;
    const { id } = message;
    const send = (data: unknown): void => void this.dispatchEvent(Object.assign(new Event('message'), { data }));
    const result = { width: 1, height: 1, probabilities: { data: new Float32Array(1), width: 1, height: 1 }, mask: new Uint8Array(1), threshold: 0.5, inferenceMs: 1 };
    for (let index = 0; index < this.frames; index++) {
      if (this.honoursCancel && this.posted.some((m) => m.type === 'cancel' && m.id === id)) {
        return send({ type: 'error', id, error: { code: 'CANCELLED', message: 'cancelled' } });
      }
      send({ type: 'frame', id, index, result });
    }
    send({ type: 'done', id, frames: this.frames, ms: 1 });
  }
}

describe('inference client when a frame callback throws', () => {
  it.each([
    ['the worker stops at the cancel', true],
    ['the worker finishes before the cancel reaches it', false],
  ])('%s: the run is cancelled and fails with the callback\'s error', async (_, honoursCancel) => {
    const worker = new FrameWorker(3, honoursCancel);
    const client = new InferenceClient(worker as unknown as MessageEndpoint);
    let calls = 0;
    const e = await rejection(client.segment([], {
      onFrame: () => {
        calls++;
        throw new Error('the segmentation has no labelmap for this image');
      },
    }));
    expect(e.message).toBe('the segmentation has no labelmap for this image');
    expect(calls).toBe(1); // no frame is handed on after the failure
    expect(worker.posted.map((m) => m.type)).toEqual(['segment', 'cancel']);
  });
});
