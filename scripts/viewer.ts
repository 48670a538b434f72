/** The prebuilt OHIF viewer from the npm registry's tarball, pinned by version and integrity (package.json "ohifViewer"). */
import { projectRoot } from './root';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = projectRoot();
const PIN = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).ohifViewer as { package: string; version: string; integrity: string };

/** Returns the folder holding the viewer's dist (index.html ...), downloading and verifying it on first use. */
export function ensureViewer(dir = join(ROOT, '.viewer')): string {
  const stamp = join(dir, '.pinned');
  const want = `${PIN.package}@${PIN.version} ${PIN.integrity}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return dir;
  const tmp = mkdtempSync(join(tmpdir(), 'ohif-viewer-'));
  try {
    console.log(`fetching ${PIN.package}@${PIN.version} from the npm registry (about 50 MB, once)`);
    const name = execFileSync('npm', ['pack', `${PIN.package}@${PIN.version}`, '--pack-destination', tmp, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!;
    const tarball = join(tmp, name);
    const [algorithm, expected] = PIN.integrity.split(/-(.*)/s);
    const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64');
    if (actual !== expected) throw new Error(`${name}: integrity ${algorithm}-${actual} does not match the pinned ${PIN.integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', tmp]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(tmp, 'package', 'dist'), dir);
    writeFileSync(stamp, want);
    return dir;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
