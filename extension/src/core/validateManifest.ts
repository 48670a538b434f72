import { UserError } from '../userError';
import Ajv, { ErrorObject } from 'ajv';
import schema from './manifest.schema.json';
import { ModelManifest } from './manifest';

export class ManifestError extends UserError {
  override name = 'ManifestError';
  constructor(readonly problems: string[]) {
    super(`invalid model manifest: ${problems.join('; ')}`);
  }
}

const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** "manifest.input.shape[2]" from ajv's "/input/shape/2". */
function fieldOf(path: string): string {
  return 'manifest' + path.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${fieldOf(e.instancePath)}.${p.missingProperty}: missing`;
    case 'additionalProperties':
      return `${fieldOf(e.instancePath)}.${p.additionalProperty}: unknown field`;
    case 'enum':
      return `${fieldOf(e.instancePath)}: expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${fieldOf(e.instancePath)}: expected ${JSON.stringify(p.allowedValue)}`;
    default:
      return `${fieldOf(e.instancePath)}: ${e.message}`;
  }
}

/** Rules a JSON Schema cannot say: sizes that must agree with each other. */
function consistencyProblems(m: ModelManifest): string[] {
  const problems: string[] = [];
  const [batch, channels, height, width] = m.input.shape;
  const expected = m.input.channelOrder === 'grey' ? 1 : 3;
  if (batch !== 1) problems.push(`manifest.input.shape[0]: expected batch 1, got ${batch}`);
  if (channels !== expected) problems.push(`manifest.input.shape[1]: channelOrder ${m.input.channelOrder} needs ${expected} channel(s), got ${channels}`);
  for (const [i, v] of [[2, height], [3, width]] as const) {
    if (v % 16 !== 0) problems.push(`manifest.input.shape[${i}]: expected a multiple of 16 (four 2x2 poolings), got ${v}`);
  }
  for (const key of ['mean', 'std'] as const) {
    if (m.input[key].length !== channels) problems.push(`manifest.input.${key}: expected ${channels} value(s), one per channel, got ${m.input[key].length}`);
  }
  const seen = new Set<number>();
  m.labels.forEach((l, i) => {
    if (seen.has(l.value)) problems.push(`manifest.labels[${i}].value: ${l.value} is used by an earlier label`);
    seen.add(l.value);
  });
  if (m.output.activation === 'sigmoid' && m.labels.length !== 1) {
    problems.push(`manifest.labels: a sigmoid output has exactly one label, got ${m.labels.length}`);
  }
  return problems;
}

/** Checks an untrusted manifest; throws ManifestError listing every problem (which field, what was expected). */
export function validateManifest(value: unknown): ModelManifest {
  if (!validate(value)) {
    throw new ManifestError((validate.errors ?? []).map(describe));
  }
  const manifest = value as unknown as ModelManifest;
  const problems = consistencyProblems(manifest);
  if (problems.length) throw new ManifestError(problems);
  return manifest;
}
