import { InferenceError } from './errors';
import { ModelStore } from './modelSource';

/** fetch() as bytes, with HTTP failures turned into errors that name the URL and status. */
export async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new InferenceError('MODEL_FETCH_FAILED', `cannot fetch ${url}: ${e instanceof Error ? e.message : e}`);
  }
  if (!response.ok) throw new InferenceError('MODEL_FETCH_FAILED', `cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
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
