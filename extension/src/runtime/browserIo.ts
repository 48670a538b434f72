import { InferenceError } from './errors';
import { DownloadProgress, ModelStore } from './modelSource';

/**
 * fetch() as bytes, with HTTP failures turned into errors that name the URL and status, and the bytes received
 * reported as they arrive (a 12 MB model on a slow hospital network takes a while).
 */
export async function fetchBytes(url: string, onProgress?: DownloadProgress): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new InferenceError('MODEL_FETCH_FAILED', `cannot fetch ${url}: ${e instanceof Error ? e.message : e}`);
  }
  if (!response.ok) throw new InferenceError('MODEL_FETCH_FAILED', `cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  if (!onProgress || !response.body) return new Uint8Array(await response.arrayBuffer());
  const total = Number(response.headers.get('content-length')) || undefined;
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (const reader = response.body.getReader(); ;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onProgress(received, total);
    }
  } catch (e) {
    throw new InferenceError('MODEL_FETCH_FAILED', `cannot fetch ${url}: the download broke off after ${received} bytes (${e instanceof Error ? e.message : e})`);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/**
 * Verified model bytes in Cache Storage, so a model is downloaded once per version. Cache Storage exists only in
 * secure contexts (https or localhost); elsewhere models are fetched each session.
 */
export function cacheStorageStore(cacheName: string): ModelStore | undefined {
  if (typeof caches === 'undefined') return undefined;
  return {
    async get(key) {
      const hit = await (await caches.open(cacheName)).match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await (await caches.open(cacheName)).put(key, new Response(bytes as Uint8Array<ArrayBuffer>));
    },
    async delete(key) {
      await (await caches.open(cacheName)).delete(key);
    },
  };
}
