import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { StoreError, storeInstances, stowBody } from '../../extension/src/dicomweb/stow';
import { findSegInstances, firstPart, retrieveInstance } from '../../extension/src/dicomweb/retrieve';

let server: Server;
let root: string;
let reply: { status: number; body: string };
let received: { contentType: string; accept?: string; authorization?: string; body: Buffer } | undefined;

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received = { contentType: req.headers['content-type'] ?? '', accept: req.headers.accept, authorization: req.headers.authorization, body: Buffer.concat(chunks) };
    res.writeHead(reply.status, { 'Content-Type': 'application/dicom+json' }).end(reply.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
});
afterAll(() => new Promise((r) => server.close(r)));

const part = Uint8Array.from([1, 2, 3, 13, 10, 45, 45]); // bytes that look like a line end and dashes

describe('STOW-RS', () => {
  it('sends one application/dicom part per instance, and the parts come back intact', async () => {
    reply = { status: 200, body: '{}' };
    await storeInstances(root, [part, Uint8Array.from([9])]);
    expect(received!.contentType).toMatch(/^multipart\/related; type="application\/dicom"; boundary=cmunext-/);
    expect(Array.from(firstPart(received!.body, received!.contentType))).toEqual(Array.from(part));
    expect(received!.body.toString('latin1').match(/Content-Type: application\/dicom/g)).toHaveLength(2);
  });

  it.each<[string, number, string, RegExp]>([
    ['a conflict, with the failure reason the PACS gave', 409, JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.7'] }, '00081197': { vr: 'US', Value: [43264] } }] } }), /HTTP 409\): 2\.25\.7: failure reason 43264/],
    ['a partial success that failed our instance', 202, JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [272] } }] } }), /HTTP 202\): an instance: failure reason 272/],
    ['a server error with a text body', 500, 'database is read-only', /HTTP 500\): database is read-only/],
  ])('refuses %s as a StoreError', async (_, status, body, message) => {
    reply = { status, body };
    const error = await storeInstances(root, [part]).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(message);
  });

  it('says when the PACS cannot be reached', async () => {
    const error = await storeInstances('http://127.0.0.1:1/dicom-web', [part]).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/^the PACS at http:\/\/127\.0\.0\.1:1\/dicom-web\/studies could not be reached/);
  });

  it('builds a body that ends with the closing boundary', () => {
    const { body, contentType } = stowBody([part]);
    const boundary = contentType.split('boundary=')[1];
    expect(Buffer.from(body).toString('latin1').endsWith(`--${boundary}--\r\n`)).toBe(true);
  });
});

describe('a PACS that needs the signed-in user', () => {
  const auth = { Authorization: 'Bearer reader-token' };
  const ref = { seriesInstanceUID: '2.25.1', sopInstanceUID: '2.25.2', seriesDescription: '', seriesNumber: 1, seriesInstant: NaN };
  it.each<[string, () => Promise<unknown>]>([
    ['STOW-RS', () => storeInstances(root, [part], auth)],
    ['QIDO-RS for the SEG series', () => findSegInstances(root, '2.25.0', auth)],
    ['WADO-RS for one SEG', () => retrieveInstance(root, '2.25.0', ref, auth)],
  ])('%s sends the Authorization header', async (_, request) => {
    reply = { status: 200, body: '[]' };
    received = undefined;
    await request();
    expect(received!.authorization).toBe('Bearer reader-token');
  });
});

describe('a data source whose PACS wants multipart types unquoted (omitQuotationForMultipartRequest)', () => {
  const ref = { seriesInstanceUID: '2.25.1', sopInstanceUID: '2.25.2', seriesDescription: '', seriesNumber: 1, seriesInstant: NaN };
  it.each<[string, (omit: boolean) => Promise<unknown>, 'contentType' | 'accept']>([
    ['STOW-RS Content-Type', (omit) => storeInstances(root, [part], {}, fetch, omit), 'contentType'],
    ['WADO-RS Accept', (omit) => retrieveInstance(root, '2.25.0', ref, {}, fetch, omit).catch(() => undefined), 'accept'],
  ])('%s: type quoted by default, bare when the data source says so', async (_, request, header) => {
    reply = { status: 200, body: '[]' };
    await request(false);
    expect(received![header]).toMatch(/^multipart\/related; type="application\/dicom";/);
    await request(true);
    expect(received![header]).toMatch(/^multipart\/related; type=application\/dicom;/);
  });
});
