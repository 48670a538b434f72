/** STOW-RS (PS3.18 10.5): store DICOM instances to a DICOMweb server, with failures a person can act on. */
import { UserError } from '../userError';
import { multipartType, PacsHeaders } from './retrieve';

export class StoreError extends UserError {
  override name = 'StoreError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached or did not answer in time. */
    readonly status: number,
    /** SOP Instance UIDs the PACS says it stored (a partial success: 202, or 409 with some accepted). */
    readonly stored: string[] = [],
  ) {
    super(message);
  }
}

export interface StoreResult {
  /** 200, or 202 with no instance listed as failed. */
  status: number;
}

/** A multipart/related body of application/dicom parts, and its Content-Type. */
export function stowBody(parts: Uint8Array[], omitQuotes = false): { body: Uint8Array; contentType: string } {
  const boundary = `cmunext-${globalThis.crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), part, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.length;
  }
  return { body, contentType: `multipart/related; ${multipartType('application/dicom', omitQuotes)}; boundary=${boundary}` };
}

export interface StoreOptions {
  headers?: PacsHeaders;
  fetch?: typeof fetch;
  /** The data source's omitQuotationForMultipartRequest. */
  omitQuotes?: boolean;
  /** Give up after this long without the whole answer; 0 waits as long as the connection lasts. */
  timeoutMs?: number;
}

/** SOP Instance UIDs in a STOW-RS response's ReferencedSOPSequence (00081199): what the PACS stored. */
function storedOf(json: any): string[] {
  return (json?.['00081199']?.Value ?? []).map((item: any) => item?.['00081155']?.Value?.[0]).filter((uid: unknown) => typeof uid === 'string');
}

/** Failure reasons in a STOW-RS JSON response (FailedSOPSequence items' FailureReason, 00081197). */
function failuresOf(json: any): string[] {
  const failed = json?.['00081198']?.Value ?? [];
  return failed.map((item: any) => {
    const reason = item?.['00081197']?.Value?.[0];
    const uid = item?.['00081155']?.Value?.[0] ?? 'an instance';
    return `${uid}: failure reason ${reason ?? 'not given'}`;
  });
}

/**
 * POSTs the instances to `${dicomwebRoot}/studies`. Resolves on 200, or on 202 when nothing failed; otherwise throws
 * StoreError naming the status and what the server said, so the caller can keep the work and offer a retry.
 */
export async function storeInstances(dicomwebRoot: string, parts: Uint8Array[], options: StoreOptions = {}): Promise<StoreResult> {
  const { body, contentType } = stowBody(parts, options.omitQuotes);
  const url = `${dicomwebRoot.replace(/\/$/, '')}/studies`;
  const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  // A PACS that does not answer may still store what it was sent: the caller sends the same instances again.
  const late = () => new StoreError(`the PACS at ${url} did not answer within ${Math.round(options.timeoutMs! / 100) / 10} s`, 0);
  let response: Response;
  let text: string;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Type': contentType, Accept: 'application/dicom+json' },
      body: body as Uint8Array<ArrayBuffer>,
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw late();
    throw new StoreError(`the PACS at ${url} could not be reached: ${e instanceof Error ? e.message : e}`, 0);
  }
  try {
    text = await response.text();
  } catch (e) {
    if (signal?.aborted) throw late();
    throw new StoreError(`the PACS at ${url} broke off its answer (HTTP ${response.status}): ${e instanceof Error ? e.message : e}`, 0);
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const failures = failuresOf(json);
  if (response.status === 200 || (response.status === 202 && !failures.length)) return { status: response.status };
  const detail = failures.length ? failures.join('; ') : text.slice(0, 300).trim() || response.statusText;
  const stored = storedOf(json);
  const accepted = stored.length ? `; it stored ${stored.length} of ${parts.length} instance(s)` : '';
  throw new StoreError(`the PACS refused the store (HTTP ${response.status}): ${detail}${accepted}`, response.status, stored);
}
