import { UserError } from '../userError';

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

export class InferenceError extends UserError {
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

/**
 * What a thrown value says, for a person. Libraries also throw strings and plain objects (an Error from another realm
 * arrives as one); String() of those reads "[object Object]".
 */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e || 'an empty error';
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof message === 'string' && message) return message;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

export function serializeError(e: unknown, fallback: InferenceErrorCode): SerializedError {
  if (e instanceof InferenceError) return { code: e.code, message: e.message };
  return { code: fallback, message: messageOf(e) };
}
