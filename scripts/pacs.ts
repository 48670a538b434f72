/** The embedded default PACS: Debian's Orthanc with its DICOMweb plugin, local access only, on a free port. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readPart10 } from '../extension/src/dicom/part10';
import { storeInstances } from '../extension/src/dicomweb/stow';

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface Pacs {
  /** Base URL of the Orthanc REST API; DICOMweb is under `${url}/dicom-web`. */
  url: string;
  stop(): Promise<void>;
}

/** The embedded PACS's database: PACS_DIR, else the user's data folder (XDG), so stored SEGs outlast a restart. */
export function pacsDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (env.PACS_DIR) return resolve(env.PACS_DIR);
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'ohif-cmunext', 'pacs');
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

/**
 * Starts Orthanc on a free port. With `dir`, its database lives there and outlasts the process (what `npm start`
 * stores is there after a restart); without, in a temporary folder removed on stop (the tests).
 */
export async function startOrthanc(dir?: string): Promise<Pacs> {
  ensureOrthanc();
  const keep = dir !== undefined;
  if (dir !== undefined) mkdirSync(dir, { recursive: true });
  else dir = mkdtempSync(join(tmpdir(), 'cmunext-orthanc-'));
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
    if (!keep) rmSync(dir!, { recursive: true, force: true });
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
  throw new Error(`Orthanc did not start on port ${port}${keep ? ` with its database in ${dir} (is another one using it?)` : ''}:\n${log}`);
}

/** The files whose SOP instance the PACS does not hold yet (QIDO-RS), so a restart loads nothing twice. */
export async function notYetStored(dicomwebRoot: string, files: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const file of files) {
    const { dataset } = readPart10(new Uint8Array(readFileSync(file)));
    const query = new URLSearchParams({ SOPInstanceUID: dataset.SOPInstanceUID });
    const answer = await fetch(`${dicomwebRoot}/studies/${dataset.StudyInstanceUID}/instances?${query}`, { headers: { Accept: 'application/dicom+json' } });
    if (!answer.ok && answer.status !== 404) throw new Error(`the PACS answered HTTP ${answer.status} to ${answer.url}`);
    const text = answer.ok ? await answer.text() : '';
    if (!text.trim() || !(JSON.parse(text) as unknown[]).length) missing.push(file); // 204, 404 or [] : not there
  }
  return missing;
}

/** Stores DICOM files by STOW-RS, as the viewer stores its SEGs: works with Orthanc and any DICOMweb PACS. */
export async function uploadFiles(dicomwebRoot: string, files: string[]): Promise<void> {
  for (let i = 0; i < files.length; i += 8) {
    await storeInstances(dicomwebRoot, files.slice(i, i + 8).map((f) => new Uint8Array(readFileSync(f))));
  }
}
