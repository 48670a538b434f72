/**
 * The viewer origin's way to the PACS: DICOMweb resources only, the methods the viewer uses, from the viewer's own
 * pages only. Anything else never reaches the PACS, whose REST API beyond DICOMweb (patients, tools/reset, the
 * DICOMweb plugin's own servers/) must stay out of reach of the pages a reader happens to visit.
 */
import { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, request as httpRequest, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** Where the proxy answers on the viewer's origin. */
export const PROXY_ROOT = '/dicom-web';

/** The resources of QIDO-RS, WADO-RS and STOW-RS (PS3.18 10.4-10.6) at their top level. */
const RESOURCES = new Set(['studies', 'series', 'instances']);
/** A decoded path segment of those resources: UIDs, frame lists, tags of bulk data, keywords. */
const SEGMENT = /^[A-Za-z0-9.,_-]+$/;

/** RFC 9110 7.6.1: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

export interface Refusal {
  status: number;
  reason: string;
}

/**
 * Where a request to the proxy may go on the PACS (the path below its DICOMweb root, still escaped), or why it may
 * not. `rawPath` is the request's path after PROXY_ROOT, before any decoding.
 */
export function routeDicomweb(method: string, rawPath: string, headers: IncomingHttpHeaders): { path: string } | Refusal {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, reason: `a ${site} request may not reach the PACS` };
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    const host = headers['x-forwarded-host'] ?? headers.host;
    let from: string | undefined;
    try {
      from = new URL(origin).host;
    } catch {
      from = undefined; // "null" (a sandboxed frame, a redirect across sites) names no origin
    }
    if (from === undefined || from !== host) return { status: 403, reason: `a request from ${origin} may not reach the PACS` };
  }
  const segments = rawPath.split('/').slice(1);
  if (rawPath !== '' && !rawPath.startsWith('/')) return { status: 404, reason: 'not a DICOMweb resource' };
  for (const [i, segment] of segments.entries()) {
    if (segment === '' && i === segments.length - 1 && i > 0) continue; // a trailing slash
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { status: 400, reason: 'a malformed %-escape in the path' };
    }
    // Dots alone would climb out of the DICOMweb root once the PACS resolves the path.
    if (!SEGMENT.test(decoded) || /^\.+$/.test(decoded)) return { status: 404, reason: 'not a DICOMweb resource' };
  }
  if (!RESOURCES.has(segments[0] ?? '')) return { status: 404, reason: 'not a DICOMweb resource' };
  if (method === 'GET' || method === 'HEAD') return { path: rawPath };
  if (method !== 'POST') return { status: 405, reason: `${method} is not a method the viewer uses` };
  // STOW-RS only: /studies or /studies/{uid}, with a multipart body (a cross-site form cannot send one).
  if (segments[0] !== 'studies' || segments.length > 2) return { status: 405, reason: 'POST stores instances under studies/ only' };
  if (!/^multipart\/related\b/i.test(headers['content-type'] ?? '')) return { status: 415, reason: 'a store is a multipart/related body of DICOM instances' };
  return { path: rawPath };
}

/** Headers without the hop-by-hop ones (and those the Connection header names) and without the named ones. */
export function endToEnd(headers: IncomingHttpHeaders, drop: string[]): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.includes(name) || named.includes(name) || drop.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Absolute URLs in a DICOMweb answer that name the PACS's own root, turned into the viewer origin's proxy root. */
export function rewriteRoots(body: string, upstreamRoot: string, proxyRoot: string): string {
  return body.split(upstreamRoot).join(proxyRoot);
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? 'identity').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function refuse(res: ServerResponse, r: Refusal, method?: string): void {
  res.writeHead(r.status, { 'Content-Type': 'text/plain; charset=utf-8', ...(r.status === 405 && method && { Allow: 'GET, HEAD, POST' }) });
  res.end(`${r.reason}\n`);
}

/**
 * Forwards one request to the PACS at `upstream` (its DICOMweb root) when routeDicomweb allows it. The viewer's
 * cookies stay on the viewer's origin; answers that name the PACS's own URLs (bulk data, retrieve URLs) name the
 * viewer's proxy instead, so the browser can follow them. An upstream that dies mid-answer ends the response with
 * an error, and a client that goes away cancels the upstream request.
 */
export function proxyDicomweb(req: IncomingMessage, res: ServerResponse, upstream: URL, rawPath: string, search: string): void {
  const method = req.method ?? 'GET';
  const route = routeDicomweb(method, rawPath, req.headers);
  if ('status' in route) {
    req.resume();
    refuse(res, route, method);
    return;
  }
  const root = upstream.href.replace(/\/$/, '');
  const target = new URL(upstream.pathname.replace(/\/$/, '') + route.path + search, upstream);
  const headers = { ...endToEnd(req.headers, ['cookie', 'host']), host: target.host };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const up = send(target, { method, headers }, (answer) => {
    const type = String(answer.headers['content-type'] ?? '');
    const outHeaders = endToEnd(answer.headers, ['set-cookie']);
    const fail = (e?: Error) => res.destroy(e ?? new Error('the PACS closed its answer early'));
    answer.on('error', fail);
    answer.on('aborted', () => fail());
    if (!/json|xml/i.test(type) || method === 'HEAD') {
      res.writeHead(answer.statusCode ?? 502, outHeaders);
      answer.pipe(res);
      return;
    }
    const chunks: Buffer[] = [];
    answer.on('data', (c: Buffer) => chunks.push(c));
    answer.on('end', () => {
      if (!answer.complete) return fail();
      let body: Buffer;
      try {
        body = decoded(Buffer.concat(chunks), answer.headers['content-encoding']);
      } catch (e) {
        return fail(e as Error);
      }
      const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
      const viewerRoot = `${proto}://${req.headers['x-forwarded-host'] ?? req.headers.host}${PROXY_ROOT}`;
      const text = Buffer.from(rewriteRoots(body.toString('utf8'), root, viewerRoot), 'utf8');
      delete outHeaders['content-encoding'];
      res.writeHead(answer.statusCode ?? 502, { ...outHeaders, 'content-length': text.length });
      res.end(text);
    });
  });
  up.on('error', (e) => {
    if (res.headersSent) return res.destroy(e);
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`the PACS at ${upstream.origin} did not answer: ${e.message}\n`);
  });
  // The reader closed the page or cancelled: the PACS need not go on sending.
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
}
