/**
 * The part of onnxruntime's API the runtime uses. onnxruntime-web (browser worker, Node wasm) and
 * onnxruntime-node (native CLI) both provide it, so one session class serves all three.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';

export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

export type { InferenceSession, Tensor };
