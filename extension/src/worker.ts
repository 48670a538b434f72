/// <reference lib="webworker" />
/** The inference web worker: onnxruntime-web behind the typed protocol, models kept in Cache Storage. */
import * as ort from 'onnxruntime-web';
import { cacheStorageStore, fetchBytes } from './runtime/browserIo';
import { serveInference } from './runtime/handler';
import { MessageEndpoint } from './runtime/protocol';

serveInference(self as unknown as MessageEndpoint, {
  ort,
  fetchBytes,
  store: cacheStorageStore('cmunext-models-v1'),
});
