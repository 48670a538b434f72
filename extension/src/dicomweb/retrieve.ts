/** QIDO-RS and WADO-RS reads this extension needs: the SEG series of a study, and one instance as Part 10 bytes. */
import { UserError } from '../userError';
import { dicomInstant } from '../dicom/dateTime';
import { EXPLICIT_VR_LITTLE_ENDIAN } from '../dicom/part10';

export class RetrieveError extends UserError {
  override name = 'RetrieveError';
}

export interface SegInstanceRef {
  seriesInstanceUID: string;
  sopInstanceUID: string;
  seriesDescription: string;
  seriesNumber: number;
  /** SeriesDate + SeriesTime at their Timezone Offset From UTC, in milliseconds since the epoch; NaN when not given. */
  seriesInstant: number;
}

/** The first value of attribute `t` (8 hex digits) in a DICOM JSON object. */
export const tag = (item: any, t: string): any => item?.[t]?.Value?.[0];

/** `headers`: what the PACS needs besides Accept, such as the signed-in user's Authorization. */
export type PacsHeaders = Record<string, string>;

/**
 * The `type` parameter of a multipart/related media type. Some PACSs refuse it quoted; OHIF's DICOMweb data source
 * says so in `omitQuotationForMultipartRequest`, which this honours as OHIF's own client does.
 */
export const multipartType = (type: string, omitQuotes = false) => (omitQuotes ? `type=${type}` : `type="${type}"`);

async function getJson(url: string, headers: PacsHeaders, fetchFn: typeof fetch): Promise<any[]> {
  const r = await fetchFn(url, { headers: { ...headers, Accept: 'application/dicom+json' } });
  if (r.status === 204) return [];
  if (!r.ok) throw new RetrieveError(`${url}: HTTP ${r.status}`);
  const text = await r.text();
  return text ? JSON.parse(text) : [];
}

/** Every SEG instance in the study, newest series first (series date and time, then series number; undated last). */
export async function findSegInstances(root: string, studyUID: string, headers: PacsHeaders = {}, fetchFn: typeof fetch = fetch): Promise<SegInstanceRef[]> {
  const series = await getJson(`${root}/studies/${studyUID}/series?Modality=SEG&includefield=0008103E,00200011,00080021,00080031,00080201`, headers, fetchFn);
  const out: SegInstanceRef[] = [];
  for (const s of series) {
    const seriesUID = tag(s, '0020000E');
    for (const i of await getJson(`${root}/studies/${studyUID}/series/${seriesUID}/instances`, headers, fetchFn)) {
      out.push({
        seriesInstanceUID: seriesUID,
        sopInstanceUID: tag(i, '00080018'),
        seriesDescription: tag(s, '0008103E') ?? '',
        seriesNumber: Number(tag(s, '00200011') ?? 0),
        seriesInstant: dicomInstant(tag(s, '00080021'), tag(s, '00080031'), tag(s, '00080201')),
      });
    }
  }
  const instant = (r: SegInstanceRef) => (Number.isNaN(r.seriesInstant) ? -Infinity : r.seriesInstant);
  return out.sort((a, b) => instant(b) - instant(a) || b.seriesNumber - a.seriesNumber);
}

/** The parts of a multipart/related body, in order (the body itself where it is not multipart). */
export function parts(body: Uint8Array, contentType: string): Uint8Array[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return [body];
  const text = new TextDecoder('latin1').decode(body);
  const out: Uint8Array[] = [];
  for (let start = text.indexOf(`--${boundary}`); start >= 0 && !text.startsWith(`--${boundary}--`, start);) {
    const headerEnd = text.indexOf('\r\n\r\n', start);
    const end = text.indexOf(`\r\n--${boundary}`, headerEnd);
    if (headerEnd < 0 || end < 0) throw new RetrieveError('malformed multipart response');
    out.push(body.subarray(headerEnd + 4, end));
    start = end + 2;
  }
  if (!out.length) throw new RetrieveError('malformed multipart response');
  return out;
}

/** The first part of a multipart/related body. */
export const firstPart = (body: Uint8Array, contentType: string): Uint8Array => parts(body, contentType)[0];

const accept = (transferSyntax: string, omitQuotes: boolean) => `multipart/related; ${multipartType('application/dicom', omitQuotes)}; transfer-syntax=${transferSyntax}`;

/**
 * One instance as Part 10 bytes. Asked for uncompressed (Explicit VR Little Endian) first, so a PACS that holds a
 * SEG compressed converts it; a PACS that cannot convert (406 Not Acceptable) is asked for the instance as stored.
 */
export async function retrieveInstance(root: string, studyUID: string, ref: SegInstanceRef, headers: PacsHeaders = {}, fetchFn: typeof fetch = fetch, omitQuotes = false): Promise<Uint8Array> {
  const url = `${root}/studies/${studyUID}/series/${ref.seriesInstanceUID}/instances/${ref.sopInstanceUID}`;
  let r = await fetchFn(url, { headers: { ...headers, Accept: accept(EXPLICIT_VR_LITTLE_ENDIAN, omitQuotes) } });
  if (r.status === 406) r = await fetchFn(url, { headers: { ...headers, Accept: accept('*', omitQuotes) } });
  if (!r.ok) throw new RetrieveError(`${url}: HTTP ${r.status}`);
  return firstPart(new Uint8Array(await r.arrayBuffer()), r.headers.get('content-type') ?? '');
}
