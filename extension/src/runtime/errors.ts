/** Every failure the runtime reports, with a code a program can branch on and a message a person can act on. */
export type InferenceErrorCode =
  | 'MODEL_FETCH_FAILED'
  | 'MANIFEST_INVALID'
  | 'MODEL_HASH_MISMATCH'
  | 'NO_BACKEND'
  | 'NOT_LOADED'
  | 'BAD_INPUT'
  | 'INFERENCE_FAILED'
  | 'CANCELLED';

export class InferenceError extends Error {
  override name = 'InferenceError';
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SerializedError {
  code: InferenceErrorCode;
  message: string;
}

export function serializeError(e: unknown, fallback: InferenceErrorCode): SerializedError {
  if (e instanceof InferenceError) return { code: e.code, message: e.message };
  return { code: fallback, message: e instanceof Error ? e.message : String(e) };
}
