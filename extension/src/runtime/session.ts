import { ModelManifest } from '../core/manifest';
import { ModelInput } from '../core/preprocess';
import { InferenceError, messageOf } from './errors';
import { InferenceSession, OrtModule } from './ort';

/** Execution providers in the order to try them; the browser default prefers the GPU. */
export type Backend = 'webgpu' | 'wasm' | 'cpu';

export interface Logits {
  data: Float32Array;
  dims: number[];
}

/** One onnxruntime session for one model, on the first execution provider that works. */
export class ModelSession {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    readonly manifest: ModelManifest,
    /** The provider actually in use. */
    readonly backend: Backend,
    /** Why earlier providers were skipped, for the user and the logs. */
    readonly skipped: { backend: Backend; reason: string }[],
    /** Whether the model's batch axis takes any size, so a batch runs in one call. */
    readonly batchable: boolean,
  ) {}

  /** `options`: the host's own settings over the defaults (the CLI's batch turns off thread spinning, see nodeModel). */
  static async create(ort: OrtModule, manifest: ModelManifest, model: Uint8Array, backends: Backend[], options: InferenceSession.SessionOptions = {}): Promise<ModelSession> {
    if (!backends.length) throw new InferenceError('NO_BACKEND', 'no execution provider was requested');
    const skipped: { backend: Backend; reason: string }[] = [];
    for (const backend of backends) {
      try {
        // onnxruntime may keep (and detach) the buffer it is given; each try gets its own copy.
        const session = await ort.InferenceSession.create(model.slice(), { graphOptimizationLevel: 'all', ...options, executionProviders: [backend] });
        const missing = [manifest.input.name].filter((n) => !session.inputNames.includes(n))
          .concat([manifest.output.name].filter((n) => !session.outputNames.includes(n)));
        if (missing.length) {
          throw new InferenceError('MANIFEST_INVALID', `the model has no tensor named ${missing.join(', ')} (inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')})`);
        }
        const meta = session.inputMetadata?.find((m) => m.name === manifest.input.name);
        const batchAxis = meta && 'shape' in meta ? meta.shape[0] : undefined;
        return new ModelSession(ort, session, manifest, backend, skipped, typeof batchAxis === 'string' || batchAxis === -1);
      } catch (e) {
        if (e instanceof InferenceError) throw e;
        skipped.push({ backend, reason: messageOf(e) });
      }
    }
    throw new InferenceError('NO_BACKEND', `no execution provider could run ${manifest.id}: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
  }

  /** Runs a batch [N, C, H, W]: in one call where the model's batch axis allows it, else one image at a time. */
  async run(input: ModelInput): Promise<Logits> {
    const [batch, ...item] = input.dims;
    if (batch === 1 || this.batchable) return this.runOnce(input.data, input.dims);
    const size = input.data.length / batch;
    const parts: Logits[] = [];
    for (let b = 0; b < batch; b++) parts.push(await this.runOnce(input.data.subarray(b * size, (b + 1) * size), [1, ...item]));
    const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
    parts.forEach((p, b) => data.set(p.data, b * p.data.length));
    return { data, dims: [batch, ...parts[0].dims.slice(1)] };
  }

  private async runOnce(data: Float32Array, dims: readonly number[]): Promise<Logits> {
    try {
      const feeds = { [this.manifest.input.name]: new this.ort.Tensor('float32', data, dims) };
      const out = (await this.session.run(feeds))[this.manifest.output.name];
      return { data: out.data as Float32Array, dims: [...out.dims] };
    } catch (e) {
      throw new InferenceError('INFERENCE_FAILED', `${this.backend} inference failed: ${messageOf(e)}`);
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
