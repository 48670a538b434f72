import { parseShard, shardOf, uidsFrom } from '../../cli/batch/shard';

describe('batch shards and UIDs', () => {
  it('splits series between shards by their UID alone, every series in exactly one, near evenly', () => {
    const uids = Array.from({ length: 3000 }, (_, i) => `2.25.${1000 + i}`);
    const counts = [0, 0, 0];
    for (const u of uids) counts[shardOf(u, 3)]++;
    expect(counts.reduce((a, b) => a + b)).toBe(3000);
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
    expect(uids.map((u) => shardOf(u, 3))).toEqual(uids.map((u) => shardOf(u, 3)));
    expect(new Set(uids.map((u) => shardOf(u, 1)))).toEqual(new Set([0]));
  });

  it('gives the same UIDs for the same seed on every run, others for another seed, all valid DICOM UIDs', () => {
    const a = uidsFrom('2.25.5|cmunext-busi|0.5.0');
    const b = uidsFrom('2.25.5|cmunext-busi|0.5.0');
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(uidsFrom('2.25.6|cmunext-busi|0.5.0')()).not.toBe(first[0]);
    for (const u of first) expect(u).toMatch(/^2\.25\.(0|[1-9]\d*)$/);
    for (const u of first) expect(u.length).toBeLessThanOrEqual(64);
  });

  it.each<[string, string | undefined, string | undefined, NodeJS.ProcessEnv, { index: number; count: number } | undefined | RegExp]>([
    ['no sharding', undefined, undefined, {}, undefined],
    ['--shard 0/3', '0/3', undefined, {}, { index: 0, count: 3 }],
    ['--shard 2/3', '2/3', undefined, {}, { index: 2, count: 3 }],
    ['--shards 3 in an Indexed Job', undefined, '3', { JOB_COMPLETION_INDEX: '1' }, { index: 1, count: 3 }],
    ['--shard 3/3', '3/3', undefined, {}, /shard 3 of 3: the shard count must be a whole number from 1 and the shard from 0 to 2/],
    ['--shard 1-of-3', '1-of-3', undefined, {}, /--shard takes K\/N with K from 0 to N-1, e\.g\. 0\/3; got "1-of-3"/],
    ['--shards 3 outside Kubernetes', undefined, '3', {}, /JOB_COMPLETION_INDEX .* is not set; use --shard K\/N/],
    ['--shards 0', undefined, '0', { JOB_COMPLETION_INDEX: '0' }, /the shard count must be a whole number from 1/],
  ])('%s', (_, shard, shards, env, expected) => {
    if (expected instanceof RegExp) expect(() => parseShard(shard, shards, env)).toThrow(expected);
    else expect(parseShard(shard, shards, env)).toEqual(expected);
  });
});
