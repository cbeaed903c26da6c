import { describe, expect, it } from 'vitest';
import { shardIndices } from './shard.ts';

const pairs = (ids: string[]) => ids.map((pair_id) => ({ pair_id }));

describe('shardIndices', () => {
  it('puts every pair in exactly one shard, for any shard count', () => {
    const ids = Array.from({ length: 37 }, (_, i) => `p${i + 1}`);
    for (let count = 1; count <= 8; count++) {
      const seen = new Map<number, number>();
      for (let index = 1; index <= count; index++) {
        for (const i of shardIndices(pairs(ids), { index, count })) seen.set(i, (seen.get(i) ?? 0) + 1);
      }
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    }
  });

  it('deals by the natural order of pair ids, whatever order the pairs are listed in', () => {
    // Natural order: p1 p2 p3 p10 p11; listed shuffled.
    const listed = pairs(['p10', 'p2', 'p11', 'p1', 'p3']);
    const ids = (index: number) => shardIndices(listed, { index, count: 2 }).map((i) => listed[i]!.pair_id);
    expect(new Set(ids(1))).toEqual(new Set(['p1', 'p3', 'p11']));
    expect(new Set(ids(2))).toEqual(new Set(['p2', 'p10']));
  });

  it('returns indices in input order', () => {
    const listed = pairs(['b', 'a', 'd', 'c']);
    const got = shardIndices(listed, { index: 1, count: 2 });
    expect(got).toEqual([...got].sort((x, y) => x - y));
  });

  it('gives an empty shard when there are more shards than pairs', () => {
    expect(shardIndices(pairs(['a', 'b']), { index: 3, count: 3 })).toEqual([]);
  });

  it('refuses a shard outside 1..N', () => {
    expect(() => shardIndices(pairs(['a']), { index: 0, count: 2 })).toThrow(/between 1 and 2/);
    expect(() => shardIndices(pairs(['a']), { index: 3, count: 2 })).toThrow(/between 1 and 2/);
  });
});
