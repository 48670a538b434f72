import { ModelManifest } from '../core/manifest';
import { validateManifest, ManifestError } from '../core/validateManifest';
import { InferenceError } from './errors';

/** Bytes received so far of a download, and its size where the server says it. */
export type DownloadProgress = (received: number, total?: number) => void;

/** Reads a URL (browser, worker) or a path (Node) as bytes; throws InferenceError MODEL_FETCH_FAILED. */
export type FetchBytes = (url: string, onProgress?: DownloadProgress) => Promise<Uint8Array>;

/** Where verified model bytes are kept between sessions (Cache Storage in the browser). */
export interface ModelStore {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface LoadedModelFiles {
  manifest: ModelManifest;
  model: Uint8Array;
  fromCache: boolean;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function join(base: string, file: string): string {
  return base.endsWith('/') ? base + file : `${base}/${file}`;
}

/** Fetches `<folder>/manifest.json`, validates it, then the model (from the store when its hash still matches). */
export async function loadModelFiles(folder: string, fetchBytes: FetchBytes, store?: ModelStore, onProgress?: DownloadProgress): Promise<LoadedModelFiles> {
  const manifestUrl = join(folder, 'manifest.json');
  let manifest: ModelManifest;
  try {
    manifest = validateManifest(JSON.parse(new TextDecoder().decode(await fetchBytes(manifestUrl))));
  } catch (e) {
    if (e instanceof InferenceError) throw e;
    const why = e instanceof ManifestError ? e.message : `not JSON (${e instanceof Error ? e.message : e})`;
    throw new InferenceError('MANIFEST_INVALID', `${manifestUrl}: ${why}`);
  }
  const modelUrl = join(folder, manifest.file);
  const key = `${modelUrl}#sha256=${manifest.sha256}`;
  const cached = await store?.get(key);
  if (cached) {
    if ((await sha256Hex(cached)) === manifest.sha256) return { manifest, model: cached, fromCache: true };
    await store!.delete(key);
  }
  const model = await fetchBytes(modelUrl, onProgress);
  const actual = await sha256Hex(model);
  if (actual !== manifest.sha256) {
    throw new InferenceError(
      'MODEL_HASH_MISMATCH',
      `${modelUrl} has sha256 ${actual}, but its manifest says ${manifest.sha256}: the file is damaged or does not belong to this manifest; reinstall the model folder`,
    );
  }
  await store?.put(key, model);
  return { manifest, model, fromCache: false };
}
