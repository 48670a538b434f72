/**
 * The DICOMweb calls a batch makes (QIDO-RS to find the work, WADO-RS to read it, STOW-RS to store the result), each
 * retried with backoff where the failure may pass: no answer, a timeout, HTTP 429 or 5xx.
 */
import { firstPart, multipartType, PacsHeaders, parts, tag } from '../../extension/src/dicomweb/retrieve';
import { StoreError, storeInstances } from '../../extension/src/dicomweb/stow';
import { AI_CONTENT_LABEL } from '../../extension/src/seg/provenance';
import { pooled } from './pooled';

export class PacsError extends Error {
  override name = 'PacsError';
  /** HTTP status, or 0 when the PACS could not be reached or did not answer in time. */
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface Pacs {
  /** The DICOMweb root, e.g. http://pacs:8042/dicom-web. */
  root: string;
  headers: PacsHeaders;
  timeoutMs: number;
  /** Tries of each call, the first included. */
  tries: number;
  /** The first retry's wait; each next one doubles. */
  backoffMs: number;
}

export interface SeriesRef {
  study: string;
  series: string;
  modality: string;
}

const transient = (status: number) => status === 0 || status === 429 || status >= 500;

/** The call, tried again after a wait while its failure may pass; the last failure is thrown. */
export async function withRetries<T>(pacs: Pacs, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const status = e instanceof PacsError || e instanceof StoreError ? e.status : -1;
      if (!transient(status) || attempt >= pacs.tries) throw e;
      await new Promise((r) => setTimeout(r, pacs.backoffMs * 2 ** (attempt - 1)));
    }
  }
}

async function get(pacs: Pacs, path: string, accept: string): Promise<Response> {
  const url = `${pacs.root}${path}`;
  let r: Response;
  try {
    r = await fetch(url, { headers: { ...pacs.headers, Accept: accept }, signal: AbortSignal.timeout(pacs.timeoutMs) });
  } catch (e) {
    const late = (e as Error)?.name === 'TimeoutError';
    throw new PacsError(`${url}: ${late ? `no answer within ${pacs.timeoutMs / 1000} s` : `cannot be reached (${(e as Error)?.cause ?? (e as Error)?.message ?? e})`}`, 0);
  }
  if (!r.ok && r.status !== 204) throw new PacsError(`${url}: HTTP ${r.status} ${(await r.text()).slice(0, 200).trim()}`.trim(), r.status);
  return r;
}

/** The answer's body; a connection dropped while it arrives is a failure that may pass, like no answer at all. */
async function body<T>(r: Response, read: (r: Response) => Promise<T>): Promise<T> {
  try {
    return await read(r);
  } catch (e) {
    throw new PacsError(`${r.url}: the answer broke off (${(e as Error)?.message ?? e})`, 0);
  }
}

export async function json(pacs: Pacs, path: string): Promise<any[]> {
  return withRetries(pacs, async () => {
    const r = await get(pacs, path, 'application/dicom+json');
    const text = r.status === 204 ? '' : await body(r, (x) => x.text());
    return text ? JSON.parse(text) : [];
  });
}

/** A QIDO-RS search read page by page (limit/offset), so a PACS with a result cap still gives all. */
export async function search(pacs: Pacs, path: string, page = 500): Promise<any[]> {
  const out: any[] = [];
  for (let offset = 0; ; offset += page) {
    const got = await json(pacs, `${path}${path.includes('?') ? '&' : '?'}limit=${page}&offset=${offset}`);
    out.push(...got);
    if (got.length < page) return out;
  }
}

export interface SeriesQuery {
  modalities: string[];
  studies?: string[];
  /** StudyDate bounds, YYYYMMDD. */
  since?: string;
  until?: string;
}

/** The series to do, by Series Instance UID, whatever order the PACS answers in. */
export async function findSeries(pacs: Pacs, q: SeriesQuery, width = 8): Promise<SeriesRef[]> {
  const dates = q.since || q.until ? `&StudyDate=${q.since ?? ''}-${q.until ?? ''}` : '';
  const studies = new Set(q.studies ?? []);
  if (!q.studies?.length) {
    for (const m of q.modalities) for (const s of await search(pacs, `/studies?ModalitiesInStudy=${encodeURIComponent(m)}${dates}`)) studies.add(tag(s, '0020000D'));
  }
  // One query a study and modality, several at once: a night's worklist is hundreds of studies.
  const asked = [...studies].flatMap((study) => q.modalities.map((modality) => ({ study, modality })));
  const answers = await pooled(asked, width, async ({ study, modality }) =>
    (await json(pacs, `/studies/${study}/series?Modality=${encodeURIComponent(modality)}`)).map((s): SeriesRef => ({ study, series: tag(s, '0020000E'), modality })));
  const found = new Map(answers.flat().filter((r) => r.series).map((r) => [r.series, r]));
  return [...found.values()].sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : 0));
}

/**
 * The series of a study over which the PACS holds an AI SEG of this model version (ContentLabel CMUNEXT_AI and
 * "<model id> <version>" in Software Versions), whoever stored it: a batch, or a reader in the viewer.
 */
export async function seriesWithSeg(pacs: Pacs, study: string, modelVersion: string): Promise<Set<string>> {
  const done = new Set<string>();
  for (const { instance } of await segMetadata(pacs, study, AI_CONTENT_LABEL)) {
    const software: unknown[] = instance?.['00181020']?.Value ?? [];
    if (!software.includes(modelVersion)) continue;
    for (const ref of instance?.['00081115']?.Value ?? []) done.add(tag(ref, '0020000E'));
  }
  return done;
}

/** The DICOM JSON metadata of every SEG instance in a study with this ContentLabel, with its series. */
export async function segMetadata(pacs: Pacs, study: string, contentLabel: string): Promise<{ series: string; instance: any }[]> {
  const out: { series: string; instance: any }[] = [];
  for (const s of await json(pacs, `/studies/${study}/series?Modality=SEG`)) {
    const series = tag(s, '0020000E');
    for (const instance of await json(pacs, `/studies/${study}/series/${series}/metadata`)) {
      if (tag(instance, '00700080') === contentLabel) out.push({ series, instance });
    }
  }
  return out;
}

const asStored = `multipart/related; ${multipartType('application/dicom')}; transfer-syntax=*`;

/** Every instance of a series as Part 10 bytes, in one WADO-RS request, in the transfer syntaxes the PACS holds. */
export async function retrieveSeries(pacs: Pacs, ref: SeriesRef): Promise<Uint8Array[]> {
  return withRetries(pacs, async () => {
    const r = await get(pacs, `/studies/${ref.study}/series/${ref.series}`, asStored);
    return parts(new Uint8Array(await body(r, (x) => x.arrayBuffer())), r.headers.get('content-type') ?? '');
  });
}

/** One instance as Part 10 bytes, in the transfer syntax the PACS holds it in (the CLI decodes them all). */
export async function retrieve(pacs: Pacs, ref: SeriesRef, sop: string): Promise<Uint8Array> {
  return withRetries(pacs, async () => {
    const r = await get(pacs, `/studies/${ref.study}/series/${ref.series}/instances/${sop}`, asStored);
    return firstPart(new Uint8Array(await body(r, (x) => x.arrayBuffer())), r.headers.get('content-type') ?? '');
  });
}

export async function store(pacs: Pacs, instances: Uint8Array[]): Promise<void> {
  await withRetries(pacs, () => storeInstances(pacs.root, instances, { headers: pacs.headers, timeoutMs: pacs.timeoutMs }));
}
