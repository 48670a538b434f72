/**
 * What the model records hold: no absolute path in a manifest or a run's config (they name no machine's folders),
 * and the weights git tracks are exactly those .gitignore lists as tracked on purpose, the shipped ones among them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const RUNS = join(ROOT, 'models/training/runs');
const manifests = readdirSync(join(ROOT, 'models')).map((d) => join('models', d, 'manifest.json')).filter((f) => existsSync(join(ROOT, f)));
const configs = readdirSync(RUNS).map((d) => join('models/training/runs', d, 'config.json')).filter((f) => existsSync(join(ROOT, f)));

/** Every string in a JSON value that is an absolute path, with where it sits. */
function absolutePaths(value: unknown, at = ''): string[] {
  if (typeof value === 'string') return /^(\/|[A-Za-z]:\\)/.test(value) ? [`${at}: ${value}`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => absolutePaths(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => absolutePaths(v, `${at}.${k}`));
  return [];
}

describe('model records', () => {
  it.each([...manifests, ...configs].map((f) => [f]))('%s holds no absolute path', (file) => {
    expect(absolutePaths(JSON.parse(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('tracks exactly the weights .gitignore lists as tracked on purpose, the shipped ones among them', () => {
    const tracked = execFileSync('git', ['ls-files', '*.pt'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    const onPurpose = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n').filter((l) => l.startsWith('!') && l.endsWith('.pt')).map((l) => l.slice(1)).sort();
    expect(tracked).toEqual(onPurpose);
    for (const m of manifests) {
      const weights = JSON.parse(readFileSync(join(ROOT, m), 'utf8')).training.weights;
      if (weights.endsWith('.pt')) expect(tracked).toContain(weights);
    }
  });
});
