/** The worker's model download, over a real HTTP server: bytes intact, progress as they arrive, a broken one named. */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { fetchBytes } from '../../extension/src/runtime/browserIo';

let server: Server;
let root: string;
const model = Uint8Array.from({ length: 3 * 2 ** 20 }, (_, i) => (i * 31) % 251);

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/model.onnx') return void res.writeHead(200, { 'Content-Length': model.length }).end(model);
    if (req.url === '/chunked.onnx') {
      res.writeHead(200);
      return void res.end(model);
    }
    // The connection drops after the first megabyte.
    res.writeHead(200, { 'Content-Length': model.length }).write(model.subarray(0, 2 ** 20), () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
});

describe('model download', () => {
  it.each<[string, string, number | undefined]>([
    ['with its size given', '/model.onnx', 3 * 2 ** 20],
    ['with no size given', '/chunked.onnx', undefined],
  ])('reports the bytes as they arrive, %s, and returns them intact', async (_, path, total) => {
    const seen: [number, number | undefined][] = [];
    const bytes = await fetchBytes(`${root}${path}`, (received, size) => seen.push([received, size]));
    expect(Buffer.from(bytes).equals(Buffer.from(model))).toBe(true);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every(([, size]) => size === total)).toBe(true);
    expect(seen.map(([r]) => r)).toEqual([...seen.map(([r]) => r)].sort((a, b) => a - b));
    expect(seen[seen.length - 1][0]).toBe(model.length);
  });

  it('names a download that breaks off, and how far it got', async () => {
    await expect(fetchBytes(`${root}/broken.onnx`, () => undefined)).rejects.toThrow(/^cannot fetch http:\/\/127\.0\.0\.1:\d+\/broken\.onnx: the download broke off after \d+ bytes/);
  });
});
