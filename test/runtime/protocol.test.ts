import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/tempDir';
import { join } from 'node:path';
import { MessageChannel, MessagePort } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { InferenceClient } from '../../extension/src/runtime/client';
import { InferenceError } from '../../extension/src/runtime/errors';
import { serveInference } from '../../extension/src/runtime/handler';
import { FetchBytes, ModelStore } from '../../extension/src/runtime/modelSource';
import { OrtModule } from '../../extension/src/runtime/ort';
import { MessageEndpoint } from '../../extension/src/runtime/protocol';
import { ortFor, readBytes } from '../../cli/nodeModel';
import { readImageFile } from '../../cli/imageFile';
import { SourceImage } from '../../extension/src/core/sourceImage';

const FIXTURE = join(__dirname, '../fixtures/cmunext-s-random');
const BUSI = join(__dirname, '../fixtures/busi/images256');

class MemoryStore implements ModelStore {
  readonly map = new Map<string, Uint8Array>();
  async get(key: string) { return this.map.get(key); }
  async put(key: string, bytes: Uint8Array) { this.map.set(key, bytes); }
  async delete(key: string) { this.map.delete(key); }
}

const ports: MessagePort[] = [];
/** onnxruntime-web's wasm settings, where the worker reads its threads from. */
const wasmEnv = (): { numThreads?: number } => require('onnxruntime-web').env.wasm;

/** Worker and viewer ends over a real structured-clone channel; only the transport differs from the browser. */
function connect(store?: ModelStore, ort: OrtModule = ortFor('wasm')): InferenceClient {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveInference(port1 as unknown as MessageEndpoint, { ort, fetchBytes: readBytes, store, wasmThreads: () => wasmEnv().numThreads, isolated: () => true });
  const client = new InferenceClient(port2 as unknown as MessageEndpoint);
  port1.start();
  port2.start();
  return client;
}
afterAll(() => ports.forEach((p) => p.close()));

/** A model folder copy whose files a test may damage. */
function modelCopy(change: (dir: string) => void): string {
  const dir = tempDir('model');
  for (const f of ['manifest.json', 'model.onnx']) copyFileSync(join(FIXTURE, f), join(dir, f));
  change(dir);
  return dir;
}

const rejection = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: InferenceError) => e);

let image: SourceImage;
let small: SourceImage;
beforeAll(async () => {
  image = await readImageFile(join(BUSI, 'benign (10).png'));
  small = { ...image, pixelData: new Uint8Array(64 * 48).fill(90), rows: 48, columns: 64, samplesPerPixel: 1, photometricInterpretation: 'MONOCHROME2' };
});

describe('inference worker protocol', () => {
  it('loads, reports the backend, then serves from the store on the next load', async () => {
    const store = new MemoryStore();
    const client = connect(store);
    const first = await client.load(FIXTURE, ['wasm']);
    expect(first).toMatchObject({ backend: 'wasm', fromCache: false, skipped: [] });
    expect(first.manifest.id).toBe('cmunext-s-random');
    expect(store.map.size).toBe(1);
    const second = await client.load(FIXTURE, ['wasm']);
    expect(second.fromCache).toBe(true);
  });

  it('reports the model download as it arrives, and nothing when the model comes from the store', async () => {
    const store = new MemoryStore();
    // The file read in 64 KB steps, as a network would deliver it.
    const stepped: FetchBytes = async (url, onProgress) => {
      const bytes = await readBytes(url);
      for (let at = 65536; at < bytes.length; at += 65536) onProgress?.(at, bytes.length);
      onProgress?.(bytes.length, bytes.length);
      return bytes;
    };
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    serveInference(port1 as unknown as MessageEndpoint, { ort: ortFor('wasm'), fetchBytes: stepped, store });
    const client = new InferenceClient(port2 as unknown as MessageEndpoint);
    port1.start();
    port2.start();
    const seen: number[] = [];
    await client.load(FIXTURE, ['wasm'], false, (received, total) => seen.push(received / total!));
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.length).toBeLessThanOrEqual(101); // at most one message per 1%
    expect(seen[seen.length - 1]).toBe(1);
    const again: number[] = [];
    expect((await client.load(FIXTURE, ['wasm'], false, (r) => again.push(r))).fromCache).toBe(true);
    expect(again).toEqual([]);
  });

  it('segments sample images when asked to warm up, before it answers', async () => {
    const cold = await connect().load(FIXTURE, ['wasm']);
    const warm = await connect().load(FIXTURE, ['wasm'], true);
    expect(cold.warmUpMs).toBeUndefined();
    expect(warm.warmUpMs).toBeGreaterThan(0);
  });

  it('says how many threads wasm runs on, as onnxruntime-web holds them once a session is made, and whether it may share memory', async () => {
    const loaded = await connect().load(FIXTURE, ['wasm']);
    expect(loaded.isolated).toBe(true);
    expect(loaded.threads).toBe(wasmEnv().numThreads);
    expect(loaded.threads).toBeGreaterThanOrEqual(1);
  });

  it('falls back along the provider list and says why it skipped one', async () => {
    const loaded = await connect().load(FIXTURE, ['webgpu', 'wasm']);
    expect(loaded.backend).toBe('wasm');
    expect(loaded.skipped.map((s) => s.backend)).toEqual(['webgpu']);
    expect(loaded.skipped[0].reason).not.toBe('');
  });

  it('segments a batch with progress, each frame on its native grid', async () => {
    const client = connect();
    await client.load(FIXTURE, ['wasm']);
    const progress: string[] = [];
    const seen: number[] = [];
    const { frames } = await client.segment([image, small, image], {
      onProgress: (d, t) => progress.push(`${d}/${t}`),
      onFrame: (i) => seen.push(i),
    });
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    expect(seen).toEqual([0, 1, 2]);
    expect(frames.map((f) => [f.width, f.height])).toEqual([[image.columns, image.rows], [64, 48], [image.columns, image.rows]]);
    expect(frames[0].mask).toHaveLength(image.rows * image.columns);
    expect(new Set(frames[0].mask)).toEqual(new Set([0, 1]));
    expect(frames[0].probabilities).toMatchObject({ width: 256, height: 256 });
    // Same input, same output: nothing leaks between frames.
    expect(Buffer.from(frames[2].mask).equals(Buffer.from(frames[0].mask))).toBe(true);
  });

  it('cancels a running batch between frames and keeps the frames already done', async () => {
    const client = connect();
    await client.load(FIXTURE, ['wasm']);
    const controller = new AbortController();
    const done: number[] = [];
    const error = await rejection(
      client.segment(Array(12).fill(image), { signal: controller.signal, onFrame: (i) => { done.push(i); controller.abort(); } }),
    );
    expect(error).toBeInstanceOf(InferenceError);
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toMatch(/cancelled after \d+ of 12 frame\(s\)/);
    expect(done.length).toBeGreaterThanOrEqual(1);
    expect(done.length).toBeLessThan(12);
    // The worker is free again.
    expect((await client.segment([small])).frames).toHaveLength(1);
  });

  it('cancels a request that has not started', async () => {
    const client = connect();
    await client.load(FIXTURE, ['wasm']);
    const error = await rejection(client.segment([image], { signal: AbortSignal.abort() }));
    expect(error.code).toBe('CANCELLED');
  });

  it.each<[string, (dir: string) => void, string, RegExp]>([
    ['a damaged model file', (d) => writeFileSync(join(d, 'model.onnx'), readFileSync(join(d, 'model.onnx')).subarray(0, 5000)), 'MODEL_HASH_MISMATCH', /has sha256 [0-9a-f]{64}, but its manifest says [0-9a-f]{64}: the file is damaged/],
    [
      'a model file that is not ONNX, with a matching hash',
      (d) => {
        const junk = Buffer.from('not an onnx model');
        writeFileSync(join(d, 'model.onnx'), junk);
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.sha256 = createHash('sha256').update(junk).digest('hex');
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      },
      'NO_BACKEND',
      /no execution provider could run cmunext-s-random: wasm: /,
    ],
    ['an invalid manifest', (d) => writeFileSync(join(d, 'manifest.json'), '{"schemaVersion": 1}'), 'MANIFEST_INVALID', /manifest\.json: invalid model manifest: manifest\.id: missing/],
    ['a manifest that is not JSON', (d) => writeFileSync(join(d, 'manifest.json'), '<html>'), 'MANIFEST_INVALID', /not JSON/],
    [
      'a manifest naming a tensor the model lacks',
      (d) => {
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.input.name = 'image';
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      },
      'MANIFEST_INVALID',
      /the model has no tensor named image \(inputs: input; outputs: logits\)/,
    ],
    ['a missing folder', (d) => writeFileSync(join(d, 'manifest.json'), ''), 'MANIFEST_INVALID', /not JSON/],
  ])('refuses %s with a typed error', async (_, damage, code, message) => {
    const error = await rejection(connect().load(modelCopy(damage), ['wasm']));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('reports a folder that does not exist', async () => {
    const error = await rejection(connect().load('/nonexistent/model', ['wasm']));
    expect(error).toMatchObject({ code: 'MODEL_FETCH_FAILED', message: 'cannot read /nonexistent/model/manifest.json (ENOENT)' });
  });

  it('refetches a model whose cached copy no longer matches its hash', async () => {
    const store = new MemoryStore();
    const client = connect(store);
    await client.load(FIXTURE, ['wasm']);
    const [key] = store.map.keys();
    store.map.set(key, new Uint8Array([1, 2, 3]));
    const again = await client.load(FIXTURE, ['wasm']);
    expect(again.fromCache).toBe(false);
    expect(store.map.get(key)!.length).toBeGreaterThan(1000);
  });

  it('finishes a run on wasm when the WebGPU device is lost mid-run, says so once, and stays on wasm', async () => {
    // The engine is real; only its "webgpu" session is a wasm one that fails from its second run, as a lost device does.
    const real = ortFor('wasm');
    const lostAfterOneRun: OrtModule = {
      Tensor: real.Tensor,
      InferenceSession: {
        async create(model, options) {
          const session = await real.InferenceSession.create(model, { ...options, executionProviders: ['wasm'] });
          if (options?.executionProviders?.[0] !== 'webgpu') return session;
          let runs = 0;
          return new Proxy(session, {
            get(target, key) {
              if (key === 'run') return async (...args: Parameters<typeof session.run>) => {
                if (++runs > 1) throw new Error('Device was lost: GPU process exited');
                return target.run(...args);
              };
              const value = Reflect.get(target, key);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          });
        },
      },
    };
    const client = connect(undefined, lostAfterOneRun);
    expect((await client.load(FIXTURE, ['webgpu', 'wasm'])).backend).toBe('webgpu');
    const fallbacks: string[] = [];
    const { frames } = await client.segment([image, small, image], { onFallback: (b, reason) => fallbacks.push(`${b}: ${reason}`) });
    expect(fallbacks).toEqual(['wasm: webgpu inference failed: Device was lost: GPU process exited']);
    const wasmOnly = connect();
    await wasmOnly.load(FIXTURE, ['wasm']);
    const reference = await wasmOnly.segment([image, small, image]);
    expect(frames.map((f, i) => Buffer.from(f.mask).equals(Buffer.from(reference.frames[i].mask)))).toEqual([true, true, true]);
    await client.segment([small], { onFallback: (b) => fallbacks.push(b) });
    expect(fallbacks).toHaveLength(1);
  });

  it('says a model must be loaded first', async () => {
    const error = await rejection(connect().segment([image]));
    expect(error).toMatchObject({ code: 'NOT_LOADED' });
  });

  it('rejects a bad image with its reason and keeps serving', async () => {
    const client = connect();
    await client.load(FIXTURE, ['wasm']);
    const error = await rejection(client.segment([{ ...small, samplesPerPixel: 3 }]));
    expect(error).toMatchObject({ code: 'BAD_INPUT', message: 'cannot segment this image: MONOCHROME2 needs samplesPerPixel 1, got 3' });
    const bad = await rejection(client.segment([small], { threshold: 1.5 }));
    expect(bad.message).toBe('threshold must be between 0 and 1 (exclusive), got 1.5');
    expect((await client.segment([small])).frames).toHaveLength(1);
  });
});
