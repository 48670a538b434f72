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
