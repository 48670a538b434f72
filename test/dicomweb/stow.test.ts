import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { StoreError, storeInstances, stowBody } from '../../extension/src/dicomweb/stow';
import { findSegInstances, firstPart, retrieveInstance } from '../../extension/src/dicomweb/retrieve';

let server: Server;
let root: string;
let reply: { status: number; body: string; hang?: 'headers' | 'body' };
let received: { contentType: string; accept?: string; authorization?: string; body: Buffer } | undefined;

beforeAll(async () => {
  server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received = { contentType: req.headers['content-type'] ?? '', accept: req.headers.accept, authorization: req.headers.authorization, body: Buffer.concat(chunks) };
    // A slow PACS: no answer at all, or the status line and then nothing.
    if (reply.hang === 'headers') return;
    if (reply.hang === 'body') return void res.writeHead(reply.status, { 'Content-Type': 'application/dicom+json' }).write('{');
    res.writeHead(reply.status, { 'Content-Type': 'application/dicom+json' }).end(reply.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

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

  it('names what the PACS stored of a partial success, so the caller need not send it again', async () => {
    const item = (uid: string) => ({ '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.66.4'] }, '00081155': { vr: 'UI', Value: [uid] } });
    reply = { status: 202, body: JSON.stringify({ '00081199': { vr: 'SQ', Value: [item('2.25.1')] }, '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['2.25.2'] }, '00081197': { vr: 'US', Value: [272] } }] } }) };
    const error = await storeInstances(root, [part, part]).catch((e) => e);
    expect(error).toMatchObject({ status: 202, stored: ['2.25.1'] });
    expect(error.message).toBe('the PACS refused the store (HTTP 202): 2.25.2: failure reason 272; it stored 1 of 2 instance(s)');
  });

  it.each<[string, 'headers' | 'body']>([['sends no answer', 'headers'], ['starts its answer and stalls', 'body']])('gives up on a PACS that %s, saying how long it waited', async (_, hang) => {
    reply = { status: 200, body: '{}', hang };
    const started = Date.now();
    const error = await storeInstances(root, [part], { timeoutMs: 300 }).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ status: 0, message: `the PACS at ${root}/studies did not answer within 0.3 s` });
    expect(Date.now() - started).toBeLessThan(5000);
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
    ['STOW-RS', () => storeInstances(root, [part], { headers: auth })],
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
    ['STOW-RS Content-Type', (omit) => storeInstances(root, [part], { omitQuotes: omit }), 'contentType'],
    ['WADO-RS Accept', (omit) => retrieveInstance(root, '2.25.0', ref, {}, fetch, omit).catch(() => undefined), 'accept'],
  ])('%s: type quoted by default, bare when the data source says so', async (_, request, header) => {
    reply = { status: 200, body: '[]' };
    await request(false);
    expect(received![header]).toMatch(/^multipart\/related; type="application\/dicom";/);
    await request(true);
    expect(received![header]).toMatch(/^multipart\/related; type=application\/dicom;/);
  });
});
