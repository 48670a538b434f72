/** The viewer's own HTTP server (`npm start`, the e2e suite): what a bad request gets. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServer } from '../../scripts/server';
import { tempDir } from '../helpers/tempDir';

let server: Server;
let base: string;

beforeAll(async () => {
  const root = tempDir('server');
  mkdirSync(join(root, 'viewer'));
  mkdirSync(join(root, 'models'));
  writeFileSync(join(root, 'viewer/index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(join(root, 'models/a b.json'), '{}');
  server = await startServer({ viewerDir: join(root, 'viewer'), mounts: { '/models/': [join(root, 'models')] }, appConfig: '', dicomweb: 'http://127.0.0.1:1/dicom-web', port: 0 });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('viewer server', () => {
  it.each<[string, string, number]>([
    ['a file by its escaped name', '/models/a%20b.json', 200],
    ['a malformed escape under a mount', '/models/%E0%A4%A', 404],
    ['a path escaping the mount', '/models/..%2F..%2Fetc%2Fpasswd', 404],
    ['a malformed escape on a viewer route', '/%E0%A4%A', 200], // the single-page app's index
  ])('%s: %s answers %d, and the server goes on', async (_, path, status) => {
    expect((await fetch(base + path)).status).toBe(status);
    expect((await fetch(`${base}/models/a%20b.json`)).status).toBe(200);
  });
});
