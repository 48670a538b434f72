/** STOW-RS (PS3.18 10.5): store DICOM instances to a DICOMweb server, with failures a person can act on. */
import { UserError } from '../userError';
import { multipartType, PacsHeaders } from './retrieve';

export class StoreError extends UserError {
  override name = 'StoreError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
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
export async function storeInstances(dicomwebRoot: string, parts: Uint8Array[], headers: PacsHeaders = {}, fetchFn: typeof fetch = fetch, omitQuotes = false): Promise<StoreResult> {
  const { body, contentType } = stowBody(parts, omitQuotes);
  const url = `${dicomwebRoot.replace(/\/$/, '')}/studies`;
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': contentType, Accept: 'application/dicom+json' },
      body: body as Uint8Array<ArrayBuffer>,
    });
  } catch (e) {
    throw new StoreError(`the PACS at ${url} could not be reached: ${e instanceof Error ? e.message : e}`, 0);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const failures = failuresOf(json);
  if (response.status === 200 || (response.status === 202 && !failures.length)) return { status: response.status };
  const detail = failures.length ? failures.join('; ') : text.slice(0, 300).trim() || response.statusText;
  throw new StoreError(`the PACS refused the store (HTTP ${response.status}): ${detail}`, response.status);
}
