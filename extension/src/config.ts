/**
 * app-config `cmunext`, checked and resolved to what the tool runs with. A mistake there (a misspelt key, a backend
 * onnxruntime-web does not offer, a URL that does not parse) disables the buttons with its reason: it neither stops
 * the viewer from loading nor goes unnoticed.
 */
import { assetBase, AssetPlace } from './assets';

export interface ToolConfig {
  /** Folder holding manifest.json and model.onnx. */
  modelUrl: string;
  workerUrl: string;
  backends: Backend[];
  /** ContentCreatorName written into stored SEGs, e.g. "Doe^Jane". */
  contentCreatorName: string;
  /** Minutes without an action after which the inference worker, and the model's memory, is let go; 0: never. */
  workerIdleMinutes: number;
  /** Seconds a store to the PACS may take before the reader is told it did not answer. */
  storeTimeoutSeconds: number;
  /** What a whole-series run may keep in the viewer (probabilities, AI masks, labelmap), in MB; a longer series is refused up front. */
  seriesMemoryMB: number;
  /** Open a series' newest CMUNeXt SEG (a batch's AI result, or a correction) as its editable labelmap when it is shown. */
  openStoredSegs: boolean;
}

const BACKENDS = ['webgpu', 'wasm'] as const;
type Backend = (typeof BACKENDS)[number];
const SETTINGS = ['modelUrl', 'assetsUrl', 'backends', 'contentCreatorName', 'workerIdleMinutes', 'storeTimeoutSeconds', 'seriesMemoryMB', 'openStoredSegs'];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(detail: string) {
    super(`app-config cmunext${detail}`);
  }
}

const shown = (v: unknown) => JSON.stringify(v) ?? String(v);

function url(settings: Record<string, unknown>, key: string, base: string): string | undefined {
  const v = settings[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v.trim()) throw new ConfigError(`.${key} must be a URL or path, got ${shown(v)}`);
  try {
    return new URL(v, base).href;
  } catch {
    throw new ConfigError(`.${key} ${shown(v)} is not a URL`);
  }
}

function backends(v: unknown): Backend[] {
  if (v === undefined) return ['webgpu', 'wasm'];
  const valid = Array.isArray(v) && v.length > 0 && v.every((b) => BACKENDS.includes(b)) && new Set(v).size === v.length;
  if (!valid) throw new ConfigError(`.backends must list "webgpu" and/or "wasm", in the order to try them, got ${shown(v)}`);
  return v;
}

/** A DICOM person name (PN): each of its up to three component groups (split by "=") at most 64 characters. */
function personName(v: unknown): string {
  if (v === undefined) return '';
  const groups = typeof v === 'string' ? v.split('=') : [];
  if (typeof v !== 'string' || groups.length > 3 || groups.some((g) => g.length > 64) || /[\\\n\r]/.test(v)) {
    throw new ConfigError(`.contentCreatorName must be a DICOM person name such as "Doe^Jane" (at most 64 characters, no backslash), got ${shown(v)}`);
  }
  return v;
}

function minutes(v: unknown): number {
  if (v === undefined) return 15;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ConfigError(`.workerIdleMinutes must be a number of minutes, 0 or more (0 keeps the model loaded), got ${shown(v)}`);
  }
  return v;
}

function flag(v: unknown, key: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(`.${key} must be true or false, got ${shown(v)}`);
  return v;
}

/** A positive number setting, or its default when absent. */
function positive(v: unknown, key: string, unit: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new ConfigError(`.${key} must be a number of ${unit} above 0, got ${shown(v)}`);
  return v;
}

/** The tool's settings from app-config `cmunext` (absent: the defaults), or a ConfigError naming the setting. */
export function resolveConfig(raw: unknown, place: Omit<AssetPlace, 'configured'>, defaultModel: string): ToolConfig {
  const settings = raw ?? {};
  if (typeof settings !== 'object' || Array.isArray(settings)) throw new ConfigError(` must be an object, got ${shown(raw)}`);
  const s = settings as Record<string, unknown>;
  const unknown = Object.keys(s).filter((k) => !SETTINGS.includes(k));
  if (unknown.length) throw new ConfigError(`: ${unknown.map(shown).join(', ')} is not a setting (settings: ${SETTINGS.join(', ')})`);
  const base = assetBase({ ...place, configured: url(s, 'assetsUrl', place.pageUrl) });
  return {
    modelUrl: url(s, 'modelUrl', base) ?? new URL(`../models/${defaultModel}/`, base).href,
    workerUrl: new URL('cmunext-worker.js', base).href,
    backends: backends(s.backends),
    contentCreatorName: personName(s.contentCreatorName),
    workerIdleMinutes: minutes(s.workerIdleMinutes),
    storeTimeoutSeconds: positive(s.storeTimeoutSeconds, 'storeTimeoutSeconds', 'seconds', 120),
    seriesMemoryMB: positive(s.seriesMemoryMB, 'seriesMemoryMB', 'megabytes', 1024),
    openStoredSegs: flag(s.openStoredSegs, 'openStoredSegs', true),
  };
}
