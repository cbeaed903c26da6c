/**
 * Splitting one input ZIP's pairs across N machines (`facematch run --shard I/N`).
 *
 * The rule: order the pairs by the natural order of their pair ids (stable, whatever order the
 * archive lists them in), then shard I of N (1-based) takes the pairs whose position in that
 * order, modulo N, equals I − 1. Every pair lands in exactly one shard.
 */
import { naturalCompare } from './pairing.ts';
import type { PairEntry } from '../run/records.ts';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Indices into `pairs` of the pairs shard `index` of `count` runs, in input order. */
export function shardIndices(pairs: readonly Pick<PairEntry, 'pair_id'>[], shard: Shard): number[] {
  if (!Number.isInteger(shard.count) || shard.count < 1) throw new RangeError(`A shard count must be a whole number of 1 or more, not ${shard.count}.`);
  if (!Number.isInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new RangeError(`A shard number must be between 1 and ${shard.count}, not ${shard.index}.`);
  }
  const order = pairs.map((_, i) => i).sort((a, b) => naturalCompare(pairs[a]!.pair_id, pairs[b]!.pair_id) || a - b);
  const picked: number[] = [];
  for (let pos = shard.index - 1; pos < order.length; pos += shard.count) picked.push(order[pos]!);
  return picked.sort((a, b) => a - b);
}
