/** The embedded default PACS: Debian's Orthanc with its DICOMweb plugin, local access only, on a free port. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeInstances } from '../extension/src/dicomweb/stow';

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface Pacs {
  /** Base URL of the Orthanc REST API; DICOMweb is under `${url}/dicom-web`. */
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Installs Orthanc from Debian's packages when it is missing (first run as root), or says how to. */
export function ensureOrthanc(): void {
  if (existsSync(ORTHANC) && existsSync(DICOMWEB_PLUGIN)) return;
  if (process.getuid?.() !== 0) throw new Error('Orthanc is not installed: run `sudo apt-get install orthanc orthanc-dicomweb`, or set PACS_URL to a DICOMweb PACS');
  console.log('installing Orthanc and its DICOMweb plugin from Debian packages (first run)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'orthanc', 'orthanc-dicomweb'], { stdio: 'inherit', env });
}

export async function startOrthanc(): Promise<Pacs> {
  ensureOrthanc();
  const dir = mkdtempSync(join(tmpdir(), 'cmunext-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'CMUNEXT-DEMO',
    StorageDirectory: join(dir, 'db'),
    IndexDirectory: join(dir, 'db'),
    HttpPort: port,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomServerEnabled: false,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config, null, 2));
  const child = spawn(ORTHANC, [join(dir, 'orthanc.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}/system`)).ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`Orthanc did not start on port ${port}:\n${log}`);
}

/** Stores DICOM files by STOW-RS, as the viewer stores its SEGs: works with Orthanc and any DICOMweb PACS. */
export async function uploadFiles(dicomwebRoot: string, files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i += 8) {
    await storeInstances(dicomwebRoot, files.slice(i, i + 8).map((f) => new Uint8Array(readFileSync(f))));
  }
}
