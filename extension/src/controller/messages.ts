/** What the panel says when a segmentation run ends, the warnings that go with it; the model's readiness and the run's stage figures for the console. */
import { ModelManifest } from '../core/manifest';
import { LoadedModel } from '../runtime/protocol';
import { ClickTimings } from './context';

export interface RunOutcome {
  manifest: ModelManifest;
  backend: string;
  /** Images segmented, of those asked for; fewer when the reader cancelled. */
  written: number;
  total: number;
  cancelled: boolean;
  inferenceMs: number;
  /** Images on which the model marked at least one pixel at `threshold`. */
  found: number;
  threshold: number;
  /** Whether it replaced an earlier AI result, and how many of the reader's edited pixels it kept. */
  replacing: boolean;
  kept: number;
  modality?: string;
  /** The backend that failed part-way through the run (a lost WebGPU device), and why; `backend` finished it. */
  fallback?: { from: string; reason: string };
}

/** A warning when the series' modality is not one the model was trained on (the result is still shown). */
export function outOfDomainWarning(manifest: ModelManifest, modality: string | undefined): string | undefined {
  if (!manifest.modalities || !modality || manifest.modalities.includes(modality)) return undefined;
  return `Warning: this model was trained on ${manifest.modalities.join('/')} images, not ${modality}; the result is unlikely to be meaningful.`;
}

export function runSummary(o: RunOutcome): string {
  if (o.cancelled) return `Cancelled: ${o.written} of ${o.total} image(s) segmented and kept.`;
  const name = (b: string) => (b === 'webgpu' ? 'WebGPU' : b);
  const backend = name(o.backend);
  const replaced = o.replacing ? ` (replaced the earlier AI result${o.kept ? `; ${o.kept} edited pixel(s) kept` : ''})` : '';
  // An empty labelmap looks like a failure: say that the model ran and found nothing, and what would show more.
  const nothing = o.found ? '' : ` The model found nothing at threshold ${o.threshold.toFixed(2)}; a lower threshold in the panel shows weaker findings.`;
  const warning = outOfDomainWarning(o.manifest, o.modality);
  return `${o.manifest.name} ${o.manifest.version} on ${backend}: ${o.written} image(s), ${(o.inferenceMs / o.written).toFixed(0)} ms per image${replaced}.`
    + `${nothing}${warning ? ` ${warning}` : ''}${o.fallback ? ` ${name(o.fallback.from)} stopped during the run (${o.fallback.reason}); it finished on ${backend}.` : ''}`;
}

/** The model download as the reader follows it: "Downloading the model: 3.1 of 12.4 MB (25%)…". */
export function downloadMessage(received: number, total?: number): string {
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  return total ? `Downloading the model: ${mb(received)} of ${mb(total)} MB (${Math.floor((100 * received) / total)}%)…` : `Downloading the model: ${mb(received)} MB…`;
}

/**
 * The console line of a model made ready, for a deployment checking its own machines: backend, threads, where the
 * time went; and, where the page is not cross-origin isolated, that wasm is held to one thread and how to lift it.
 */
export function readyMessage(model: LoadedModel): string {
  const threads = model.threads ? ` (${model.threads} thread${model.threads > 1 ? 's' : ''})` : '';
  const line = `${model.manifest.id} ${model.manifest.version} ready on ${model.backend}${threads}: loaded in ${model.loadMs.toFixed(0)} ms`
    + `${model.fromCache ? ' from the browser cache' : ''}${model.warmUpMs === undefined ? '' : `, warm-up runs ${model.warmUpMs.toFixed(0)} ms`}`;
  if (model.isolated !== false) return line;
  return `${line}. The page is not cross-origin isolated, so wasm runs on one thread: serve the viewer with `
    + 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp to use more of the cores';
}

/** A run's stage figures as one console line, e.g. "1 image(s) in 412 ms: toolbar 3, model 0, read 9, ...". */
export function clickTimings(t: ClickTimings): string {
  const stages = (['toolbarMs', 'modelMs', 'readMs', 'preMs', 'inferenceMs', 'postMs', 'transferMs', 'labelmapMs', 'renderMs'] as const)
    .map((k) => `${k.replace(/Ms$/, '')} ${Math.max(0, t[k]).toFixed(0)}`).join(', ');
  return `${t.images} image(s) in ${t.totalMs.toFixed(0)} ms: ${stages} ms`;
}
