/**
 * Seeded fuzzing of what reads DICOM: the CLI's decoder and the worker's pixel path (display values and model input)
 * over the project's DICOM files, mutated by bit flips, truncations, corrupted lengths and VRs, and wrong transfer
 * syntax UIDs. Every input must end in a result or a refusal the reader can read (the CLI's ImageFileError, the
 * pixel path's SourceImageError), within a time and memory bound; anything else is a finding.
 *   npm run build && node dist-node/scripts/fuzzDicom.js [--count N] [--seed S]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, ImageFileError } from '../cli/imageFile';
import { toDisplay } from '../extension/src/core/pixels';
import { toModelInput } from '../extension/src/core/preprocess';
import { InputSpec } from '../extension/src/core/manifest';
import { SourceImageError } from '../extension/src/core/sourceImage';
import { projectRoot } from './root';

export type Outcome = 'decoded' | 'refused' | 'finding';

export interface FuzzCase {
  index: number;
  seed: string;
  mutation: string;
  outcome: Outcome;
  ms: number;
  detail: string;
}

/** A small, fast, seeded generator (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRANSFER_SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.5', '1.2.840.10008.1.2.4.90', '9.9.9', ''];
const VRS = ['OB', 'OW', 'UN', 'SQ', 'US', 'UL', 'FD', 'XX', '\0\0'];

/** One mutation of `bytes`, chosen by `rand`; returns the mutated copy and what was done. */
export function mutate(bytes: Uint8Array, rand: () => number): { bytes: Uint8Array; mutation: string } {
  const out = Uint8Array.from(bytes);
  const at = () => Math.floor(rand() * out.length);
  const kind = Math.floor(rand() * 5);
  if (kind === 0) {
    const flips = 1 + Math.floor(rand() * 16);
    for (let i = 0; i < flips; i++) out[at()] ^= 1 << Math.floor(rand() * 8);
    return { bytes: out, mutation: `${flips} bit flip(s)` };
  }
  if (kind === 1) {
    const keep = Math.floor(rand() * bytes.length);
    return { bytes: out.subarray(0, keep), mutation: `truncated to ${keep} bytes` };
  }
  const text = Buffer.from(out.buffer, out.byteOffset, out.length).toString('latin1');
  if (kind === 2) {
    // A length field: the 4 bytes after an explicit VR's reserved bytes, or any 2 or 4 bytes, set to an extreme.
    const value = [0xffffffff, 0x7fffffff, 0, 0xfffe, 1 + Math.floor(rand() * 0xffff)][Math.floor(rand() * 5)];
    const where = at() & ~1;
    new DataView(out.buffer, out.byteOffset).setUint32(Math.min(where, out.length - 4), value, true);
    return { bytes: out, mutation: `length 0x${value.toString(16)} at ${where}` };
  }
  if (kind === 3) {
    const vrs = [...text.matchAll(/(?<=[\s\S]{4})(OB|OW|US|UL|SQ|UI|CS|DS|IS|LO|SH|PN|DA|TM)/g)].map((m) => m.index!);
    if (vrs.length) {
      const where = vrs[Math.floor(rand() * vrs.length)];
      const vr = VRS[Math.floor(rand() * VRS.length)];
      out.set(Buffer.from(vr, 'latin1'), where);
      return { bytes: out, mutation: `VR at ${where} set to ${JSON.stringify(vr)}` };
    }
  }
  const ts = TRANSFER_SYNTAXES[Math.floor(rand() * TRANSFER_SYNTAXES.length)];
  const where = text.indexOf('1.2.840.10008.1.2');
  if (where < 0) return { bytes: out, mutation: 'unchanged (no transfer syntax found)' };
  const end = text.indexOf('\0', where) > 0 && text.indexOf('\0', where) - where < 64 ? text.indexOf('\0', where) : where + 19;
  const replaced = Buffer.concat([Buffer.from(out.subarray(0, where)), Buffer.from(ts.padEnd(end - where, '\0'), 'latin1').subarray(0, end - where), Buffer.from(out.subarray(end))]);
  return { bytes: new Uint8Array(replaced), mutation: `transfer syntax ${JSON.stringify(ts)}` };
}

const SPEC: InputSpec = { name: 'input', layout: 'NCHW', shape: [1, 3, 64, 64], channelOrder: 'BGR', resize: 'bilinear', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Reads one input as the CLI and the worker would, and says how it ended. */
export async function runCase(bytes: Uint8Array): Promise<{ outcome: Outcome; detail: string }> {
  try {
    const image = await decodeImage(Buffer.from(bytes), 'fuzz.dcm', 0);
    toModelInput(toDisplay(image), SPEC);
    return { outcome: 'decoded', detail: `${image.columns}x${image.rows} ${image.photometricInterpretation}` };
  } catch (e) {
    // A refusal wraps what the decoder threw; a TypeError or RangeError under it is a fault of the code, not the file.
    const cause = e instanceof ImageFileError ? e.cause : undefined;
    const fault = cause instanceof TypeError || cause instanceof RangeError || cause instanceof ReferenceError;
    if ((e instanceof ImageFileError && !fault) || e instanceof SourceImageError) return { outcome: 'refused', detail: e.message };
    if (fault) return { outcome: 'finding', detail: `${(cause as Error).name} under a refusal: ${(e as Error).message}` };
    return { outcome: 'finding', detail: e instanceof Error ? `${e.name}: ${e.message}` : `non-error thrown: ${String(e)}` };
  }
}

/** The project's own DICOM files, the seeds of every mutation: the demo studies and every transfer syntax's fixture. */
export function seeds(root = projectRoot()): { name: string; bytes: Uint8Array }[] {
  return ['demo/studies', 'test/fixtures/codecs'].flatMap((dir) =>
    readdirSync(join(root, dir)).filter((f) => f.endsWith('.dcm')).sort().map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(root, dir, f))) })),
  );
}

/** `count` seeded cases; `onCase` sees each as it ends. */
export async function fuzz(count: number, seed: number, onCase: (c: FuzzCase) => void, from = seeds()): Promise<void> {
  const rand = random(seed);
  for (let index = 0; index < count; index++) {
    const s = from[Math.floor(rand() * from.length)];
    const { bytes, mutation } = mutate(s.bytes, rand);
    const started = performance.now();
    const { outcome, detail } = await runCase(bytes);
    onCase({ index, seed: s.name, mutation, outcome, ms: performance.now() - started, detail });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, seed: { type: 'string', default: '2026' } } });
  const count = Number(values.count);
  const counts: Record<Outcome, number> = { decoded: 0, refused: 0, finding: 0 };
  const reasons = new Map<string, number>();
  let slowest = { ms: 0, what: '' };
  let peak = 0;
  const started = Date.now();
  await fuzz(count, Number(values.seed), (c) => {
    counts[c.outcome]++;
    if (c.outcome !== 'decoded') reasons.set(c.detail.replace(/\d+/g, 'N').slice(0, 110), (reasons.get(c.detail.replace(/\d+/g, 'N').slice(0, 110)) ?? 0) + 1);
    if (c.ms > slowest.ms) slowest = { ms: c.ms, what: `${c.seed}, ${c.mutation}` };
    if (c.index % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    if (c.outcome === 'finding') console.log(`finding #${c.index}: ${c.seed}, ${c.mutation}: ${c.detail}`);
  });
  console.log(`${count} inputs (seed ${values.seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counts.decoded} decoded, ${counts.refused} refused, ${counts.finding} findings`);
  console.log(`slowest ${slowest.ms.toFixed(0)} ms (${slowest.what}); peak resident memory ${(peak / 2 ** 20).toFixed(0)} MiB`);
  console.log('most common refusals:');
  for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${String(n).padStart(6)}  ${r}`);
  if (counts.finding) process.exitCode = 1;
}

if (require.main === module) main();
