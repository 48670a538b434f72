/// <reference lib="webworker" />
/** The inference web worker: onnxruntime-web behind the typed protocol, models kept in Cache Storage. */
import * as ort from 'onnxruntime-web';
import { cacheStorageStore, fetchBytes } from './runtime/browserIo';
import { serveInference } from './runtime/handler';
import { MessageEndpoint } from './runtime/protocol';

serveInference(self as unknown as MessageEndpoint, {
  ort,
  // onnxruntime-web picks the threads when its first session is made (half the cores, up to 4, where the page is
  // cross-origin isolated). Measured here on 2 cores, two threads ran no faster in the viewer than its one
  // (warm inference 369 against 321 ms, `npm run bench:viewer`), so its choice stands; the console line says it.
  wasmThreads: () => ort.env.wasm.numThreads,
  isolated: () => self.crossOriginIsolated,
  fetchBytes,
  store: cacheStorageStore('cmunext-models-v1'),
});
