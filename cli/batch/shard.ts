/** What makes a batch repeatable and shareable: its split of the work, and the UIDs it gives what it writes. */
import { createHash } from 'node:crypto';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The shard (0 to shards-1) a series belongs to: a hash of its UID, so N processes split the work without talking. */
export function shardOf(seriesInstanceUID: string, shards: number): number {
  return Number(BigInt(`0x${sha256(seriesInstanceUID).slice(0, 12)}`) % BigInt(shards));
}

/**
 * UIDs derived from `seed`, the same on every run: a SEG stored by a run that was killed before it could say so gets
 * the same SOP Instance UID when the next run makes it again, and the PACS keeps one copy. 2.25 root, 128 bits.
 */
export function uidsFrom(seed: string): () => string {
  let n = 0;
  return () => `2.25.${BigInt(`0x${sha256(`${seed}/${n++}`).slice(0, 32)}`).toString()}`;
}

/** `--shard K/N` (K from 0), or N with K from Kubernetes' JOB_COMPLETION_INDEX; undefined when neither is given. */
export function parseShard(shard: string | undefined, shards: string | undefined, env: NodeJS.ProcessEnv): { index: number; count: number } | undefined {
  let index: number;
  let count: number;
  if (shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m) throw new Error(`--shard takes K/N with K from 0 to N-1, e.g. 0/3; got ${JSON.stringify(shard)}`);
    [index, count] = [Number(m[1]), Number(m[2])];
  } else if (shards !== undefined) {
    count = Number(shards);
    if (env.JOB_COMPLETION_INDEX === undefined) throw new Error('--shards N takes its shard from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), which is not set; use --shard K/N');
    index = Number(env.JOB_COMPLETION_INDEX);
  } else {
    return undefined;
  }
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`shard ${index} of ${count}: the shard count must be a whole number from 1 and the shard from 0 to ${count - 1}`);
  }
  return { index, count };
}
