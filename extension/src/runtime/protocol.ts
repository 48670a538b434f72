/** Messages between the viewer and the inference worker. One request id per call; `cancel` names the call to stop. */
import { ModelManifest } from '../core/manifest';
import { SourceImage } from '../core/sourceImage';
import { SerializedError } from './errors';
import { FrameResult } from './segmenter';
import { Backend } from './session';

export type WorkerRequest =
  /** `warmUp`: sample images segmented before the reply, so the kernels and the data path are ready before the reader's first click. */
  | { type: 'load'; id: number; modelUrl: string; backends: Backend[]; warmUp?: boolean }
  | { type: 'segment'; id: number; images: SourceImage[]; threshold?: number }
  | { type: 'cancel'; id: number };

export interface LoadedModel {
  manifest: ModelManifest;
  backend: Backend;
  skipped: { backend: Backend; reason: string }[];
  fromCache: boolean;
  loadMs: number;
  /** The warm-up run's time, when one was asked for. */
  warmUpMs?: number;
  /** The wasm backend's threads (wasm only). */
  threads?: number;
  /** Whether the page is cross-origin isolated: without it wasm has no shared memory and runs on one thread (wasm only). */
  isolated?: boolean;
}

export type WorkerResponse =
  | ({ type: 'loaded'; id: number } & LoadedModel)
  | { type: 'progress'; id: number; done: number; total: number }
  /** The model's bytes received so far on a load that downloads it (not from the cache); `total` where known. */
  | { type: 'download'; id: number; received: number; total?: number }
  | { type: 'frame'; id: number; index: number; result: FrameResult }
  /** The backend failed mid-run (a lost WebGPU device): the run goes on, on `backend`. */
  | { type: 'fallback'; id: number; backend: Backend; reason: string }
  | { type: 'done'; id: number; frames: number; ms: number }
  | { type: 'error'; id: number; error: SerializedError };

/** The two ends of a message channel: a DedicatedWorker, its global scope, or a Node MessagePort. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** A worker that cannot start (its script not served, or refused by the page's policy) or that crashed. */
  addEventListener(type: 'error' | 'messageerror', listener: (event: { message?: string }) => void): void;
}
