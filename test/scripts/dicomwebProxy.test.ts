/**
 * The viewer origin's DICOMweb proxy: what reaches the PACS, what comes back, and what never gets through.
 * Guards the escape that answered 200 to `GET /dicom-web/..%2fpatients` and `POST /dicom-web/..%2ftools/reset`.
 */
import { createServer, get, IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { dicomFile, PATIENT_STUDY } from '../helpers/dicom';
import { endToEnd, rewriteRoots, routeDicomweb } from '../../scripts/dicomwebProxy';
import { Pacs, startOrthanc } from '../../scripts/pacs';
import { startServer } from '../../scripts/server';
import { storeInstances } from '../../extension/src/dicomweb/stow';

const SAME = { host: 'viewer:3000', 'sec-fetch-site': 'same-origin' };

describe('routeDicomweb: what may reach the PACS', () => {
  it.each<[string, string, string, IncomingHttpHeaders, number | 'forwarded']>([
    ['QIDO for studies', 'GET', '/studies', SAME, 'forwarded'],
    ['series metadata', 'GET', '/studies/1.2.3/series/4.5/metadata', SAME, 'forwarded'],
    ['frames', 'GET', '/studies/1.2/series/3.4/instances/5.6/frames/1,2', SAME, 'forwarded'],
    ['bulk data', 'GET', '/studies/1.2/series/3.4/instances/5.6/bulk/00281201', SAME, 'forwarded'],
    ['a trailing slash', 'GET', '/studies/', SAME, 'forwarded'],
    ['HEAD', 'HEAD', '/studies/1.2', SAME, 'forwarded'],
    ['a typed address (no fetch metadata, no origin)', 'GET', '/studies', { host: 'viewer:3000' }, 'forwarded'],
    ['STOW', 'POST', '/studies', { ...SAME, origin: 'http://viewer:3000', 'content-type': 'multipart/related; type="application/dicom"; boundary=x' }, 'forwarded'],
    ['STOW to a study', 'POST', '/studies/1.2', { ...SAME, 'content-type': 'Multipart/Related; boundary=x' }, 'forwarded'],
    ['the REST API by an escaped slash', 'GET', '/..%2fpatients', SAME, 404],
    ['the REST API by escaped dots', 'GET', '/%2e%2e/patients', SAME, 404],
    ['the REST API by raw dots', 'GET', '/../patients', SAME, 404],
    ['dots inside the tree', 'GET', '/studies/../../tools/reset', SAME, 404],
    ['a double-escaped climb', 'GET', '/studies/%252e%252e/%252e%252e/patients', SAME, 404],
    ['a backslash', 'GET', '/studies%5c..%5c..%5cpatients', SAME, 404],
    ['an escaped NUL', 'GET', '/studies/1.2%00', SAME, 404],
    ['a malformed escape', 'GET', '/studies/%E0%A4%A', SAME, 400],
    ['the root itself', 'GET', '', SAME, 404],
    ['the plugin\'s servers (it forwards to other PACSs)', 'GET', '/servers', SAME, 404],
    ['the plugin\'s info', 'GET', '/info', SAME, 404],
    ['a reset by POST', 'POST', '/..%2ftools/reset', { ...SAME, 'content-type': 'text/plain' }, 404],
    ['DELETE', 'DELETE', '/studies/1.2', SAME, 405],
    ['PUT', 'PUT', '/studies/1.2', SAME, 405],
    ['POST outside STOW', 'POST', '/studies/1.2/series/3.4', { ...SAME, 'content-type': 'multipart/related' }, 405],
    ['a simple cross-origin POST body', 'POST', '/studies', { host: 'viewer:3000', 'content-type': 'text/plain' }, 415],
    ['a cross-site page', 'GET', '/studies', { host: 'viewer:3000', 'sec-fetch-site': 'cross-site' }, 403],
    ['a same-site page on another port', 'POST', '/studies', { host: 'viewer:3000', 'sec-fetch-site': 'same-site', 'content-type': 'multipart/related' }, 403],
    ['another origin (no fetch metadata)', 'POST', '/studies', { host: 'viewer:3000', origin: 'http://evil.example', 'content-type': 'multipart/related' }, 403],
    ['an opaque origin', 'GET', '/studies', { host: 'viewer:3000', origin: 'null' }, 403],
    ['the viewer behind a reverse proxy', 'GET', '/studies', { host: 'internal:3000', 'x-forwarded-host': 'viewer.example', origin: 'https://viewer.example' }, 'forwarded'],
  ])('%s: %s %s', (_, method, path, headers, expected) => {
    const route = routeDicomweb(method, path, headers);
    if (expected === 'forwarded') expect(route).toEqual({ path });
    else expect(route).toMatchObject({ status: expected, reason: expect.any(String) });
  });
});

describe('endToEnd and rewriteRoots', () => {
  it('drops hop-by-hop headers, those Connection names, and the named ones', () => {
    expect(endToEnd({ connection: 'close, x-private', 'keep-alive': 'timeout=5', 'x-private': '1', 'transfer-encoding': 'chunked', upgrade: 'h2c', cookie: 'a=1', accept: '*/*', authorization: 'Bearer t' }, ['cookie']))
      .toEqual({ accept: '*/*', authorization: 'Bearer t' });
  });
  it('names the viewer\'s proxy where the PACS named its own root', () => {
    const body = '{"BulkDataURI":"http://127.0.0.1:8042/dicom-web/studies/1/bulk/00281201","other":"http://127.0.0.1:8042/app"}';
    expect(rewriteRoots(body, 'http://127.0.0.1:8042/dicom-web', 'http://viewer:3000/dicom-web'))
      .toBe('{"BulkDataURI":"http://viewer:3000/dicom-web/studies/1/bulk/00281201","other":"http://127.0.0.1:8042/app"}');
  });
});

/** A stand-in PACS that records what reaches it and answers as each test needs. */
async function fakePacs(answer: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; seen: IncomingMessage[]; root: string }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    answer(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, seen, root: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pacs/dicom-web` };
}

async function viewerOver(dicomweb: string): Promise<{ server: Server; base: string }> {
  const server = await startServer({ viewerDir: '/nonexistent', mounts: {}, appConfig: '', dicomweb, port: 0 });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (s: Server) => new Promise((r) => { s.closeAllConnections(); s.close(r); });

describe('the proxy against a stand-in PACS', () => {
  it('passes no cookie or hop-by-hop header either way, and rewrites the PACS\'s own URLs in JSON answers', async () => {
    const pacs = await fakePacs((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json', 'Set-Cookie': 'pacs=1', 'Keep-Alive': 'timeout=9', 'X-Kept': 'yes' });
      res.end(JSON.stringify([{ '00081190': { vr: 'UR', Value: [`${pacs.root}/studies/1.2`] } }]));
    });
    const viewer = await viewerOver(pacs.root);
    try {
      // node:http, as fetch will not send a Connection header naming another
      const answer = await new Promise<{ status?: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
        get(`${viewer.base}/dicom-web/studies?PatientID=1`, { headers: { Cookie: 'session=secret', Authorization: 'Bearer t', 'X-Private': '1', Connection: 'x-private' } }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
        }).on('error', reject);
      });
      expect(answer.status).toBe(200);
      expect(answer.headers['set-cookie']).toBeUndefined();
      expect(answer.headers['keep-alive']).not.toBe('timeout=9'); // the viewer's own connection may have one
      expect(answer.headers['x-kept']).toBe('yes');
      expect(JSON.parse(answer.body)).toEqual([{ '00081190': { vr: 'UR', Value: [`${viewer.base}/dicom-web/studies/1.2`] } }]);
      const got = pacs.seen[0];
      expect(got.url).toBe('/pacs/dicom-web/studies?PatientID=1');
      expect(got.headers.cookie).toBeUndefined();
      expect(got.headers['x-private']).toBeUndefined();
      expect(got.headers.authorization).toBe('Bearer t');
      expect(got.headers.host).toBe(new URL(pacs.root).host);
    } finally {
      await close(viewer.server);
      await close(pacs.server);
    }
  });

  it('refuses the ways in without asking the PACS', async () => {
    const pacs = await fakePacs((_, res) => res.end('reached'));
    const viewer = await viewerOver(pacs.root);
    try {
      for (const [path, init] of [
        ['/dicom-web/..%2fpatients', {}],
        ['/dicom-web/..%2ftools/reset', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }],
        ['/dicom-web/studies', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }],
        ['/dicom-web/studies', { headers: { 'Sec-Fetch-Site': 'cross-site' } }],
      ] as [string, RequestInit][]) {
        const answer = await fetch(viewer.base + path, init);
        expect([400, 403, 404, 405, 415]).toContain(answer.status);
        expect(await answer.text()).not.toContain('reached');
      }
      expect(pacs.seen).toHaveLength(0);
    } finally {
      await close(viewer.server);
      await close(pacs.server);
    }
  });

  it('ends the answer with an error when the PACS dies mid-body, rather than a complete 200', async () => {
    const pacs = await fakePacs((_, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/related; type="application/octet-stream"', 'Content-Length': '100000' });
      res.write(Buffer.alloc(1000));
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const viewer = await viewerOver(pacs.root);
    try {
      const answer = await fetch(`${viewer.base}/dicom-web/studies/1/series/2/instances/3/frames/1`);
      expect(answer.status).toBe(200);
      await expect(answer.arrayBuffer()).rejects.toThrow();
    } finally {
      await close(viewer.server);
      await close(pacs.server);
    }
  });

  it('ends a JSON answer cut short with an error too', async () => {
    const pacs = await fakePacs((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json', 'Content-Length': '100000' });
      res.write('[{"00080018":');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const viewer = await viewerOver(pacs.root);
    try {
      await expect(fetch(`${viewer.base}/dicom-web/studies/1/metadata`).then((a) => a.text())).rejects.toThrow();
    } finally {
      await close(viewer.server);
      await close(pacs.server);
    }
  });

  it('cancels the PACS request when the reader goes away', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const pacs = await fakePacs((_, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const timer = setInterval(() => res.write(Buffer.alloc(1024)), 10);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosed();
      });
    });
    const viewer = await viewerOver(pacs.root);
    try {
      const abort = new AbortController();
      const answer = await fetch(`${viewer.base}/dicom-web/studies/1/series/2/instances/3/frames/1`, { signal: abort.signal });
      expect(answer.status).toBe(200);
      abort.abort();
      await closed; // the test times out if the PACS keeps sending
    } finally {
      await close(viewer.server);
      await close(pacs.server);
    }
  });

  it('answers 502 naming the PACS when it cannot be reached', async () => {
    const viewer = await viewerOver('http://127.0.0.1:1/dicom-web');
    try {
      const answer = await fetch(`${viewer.base}/dicom-web/studies`);
      expect(answer.status).toBe(502);
      expect(await answer.text()).toMatch(/the PACS at http:\/\/127\.0\.0\.1:1 did not answer/);
    } finally {
      await close(viewer.server);
    }
  });
});

/** A palette-colour ultrasound image: its lookup tables are bulk data the browser must fetch through the viewer's origin. */
function paletteImage(): Buffer {
  const lut = (f: (i: number) => number) => new Uint16Array(Array.from({ length: 256 }, (_, i) => f(i) * 257)).buffer;
  return dicomFile({
    ...PATIENT_STUDY,
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.6.1',
    SOPInstanceUID: '2.25.7001',
    SeriesInstanceUID: '2.25.7000',
    SeriesNumber: 1,
    InstanceNumber: 1,
    Modality: 'US',
    Rows: 4,
    Columns: 4,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'PALETTE COLOR',
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    RedPaletteColorLookupTableDescriptor: [256, 0, 16],
    GreenPaletteColorLookupTableDescriptor: [256, 0, 16],
    BluePaletteColorLookupTableDescriptor: [256, 0, 16],
    RedPaletteColorLookupTableData: lut((i) => i),
    GreenPaletteColorLookupTableData: lut((i) => 255 - i),
    BluePaletteColorLookupTableData: lut(() => 128),
    PixelData: [new Uint8Array(16).map((_, i) => i * 16).buffer],
    _vrMap: { PixelData: 'OB', RedPaletteColorLookupTableData: 'OW', GreenPaletteColorLookupTableData: 'OW', BluePaletteColorLookupTableData: 'OW', RedPaletteColorLookupTableDescriptor: 'US', GreenPaletteColorLookupTableDescriptor: 'US', BluePaletteColorLookupTableDescriptor: 'US' },
  });
}

describe('the proxy in front of Orthanc', () => {
  let pacs: Pacs;
  let viewer: { server: Server; base: string };
  beforeAll(async () => {
    pacs = await startOrthanc();
    viewer = await viewerOver(`${pacs.url}/dicom-web`);
    await storeInstances(`${viewer.base}/dicom-web`, [new Uint8Array(paletteImage())]);
  });
  afterAll(async () => {
    await close(viewer.server);
    await pacs.stop();
  });

  it('gives bulk data URIs the browser can follow on the viewer\'s origin, and they answer with the lookup table', async () => {
    const metadata = await (await fetch(`${viewer.base}/dicom-web/studies/${PATIENT_STUDY.StudyInstanceUID}/series/2.25.7000/metadata`)).json();
    const uri: string = metadata[0]['00281201'].BulkDataURI;
    expect(uri.startsWith(`${viewer.base}/dicom-web/`)).toBe(true);
    const answer = await fetch(uri);
    expect(answer.status).toBe(200);
    const body = Buffer.from(await answer.arrayBuffer());
    // multipart/related around the 512 bytes of the red table: 0, 257, 514, ... as 16-bit little endian
    const red = Buffer.from(new Uint16Array(Array.from({ length: 256 }, (_, i) => i * 257)).buffer);
    expect(body.includes(red)).toBe(true);
  });

  it('keeps the PACS\'s REST API out of reach: its patients unlisted, its reset refused, the PACS up', async () => {
    const before = await (await fetch(`${pacs.url}/statistics`)).json();
    for (const [path, init] of [
      ['/dicom-web/..%2fpatients', {}],
      ['/dicom-web/..%2ftools/reset', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '' }],
      ['/dicom-web/..%2F..%2Ftools%2Freset', { method: 'POST', headers: { 'Content-Type': 'multipart/related' }, body: '' }],
      ['/dicom-web/servers', {}],
    ] as [string, RequestInit][]) {
      const answer = await fetch(viewer.base + path, init);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(await answer.text()).not.toMatch(/fac6|ParentPatient|\[\s*"/);
    }
    expect(await (await fetch(`${pacs.url}/statistics`)).json()).toEqual(before);
  });

  it('answers STOW with retrieve URLs on the viewer\'s origin', async () => {
    const answer = await fetch(`${viewer.base}/dicom-web/studies`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=b', Accept: 'application/dicom+json' },
      body: Buffer.concat([Buffer.from('--b\r\nContent-Type: application/dicom\r\n\r\n'), paletteImage(), Buffer.from('\r\n--b--\r\n')]),
    });
    const text = await answer.text();
    expect(answer.status).toBe(200);
    expect(text).toContain(`${viewer.base}/dicom-web/studies/${PATIENT_STUDY.StudyInstanceUID}`);
    expect(text).not.toContain(pacs.url);
  });
});
