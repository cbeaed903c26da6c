/**
 * Joining the archives of one input ZIP's shards into the archive a single run would have
 * written (`facematch merge`): records in input order, every Run figure recomputed from them (so
 * counts are the shards' sums), start = earliest, finish = latest.
 *
 * Refused, with a sentence naming the files: archives of different input ZIPs (by the input's
 * fingerprint in run.json), of different providers or endpoints, and archives that both hold a
 * record for the same pair.
 */
import type { ReadResultsArchive } from './archive-read.ts';
import { sameFingerprint } from '../zip/fingerprint.ts';
import type { PairRecord } from '../run/records.ts';
import { MANIFEST_FORMAT, manifestCounts, type RunManifest } from './manifest.ts';
import type { ReportInput } from './report.ts';
import { reportInputOfArchive } from '../run/report-input.ts';
import { summarise } from '../run/stats.ts';
import { sweepVariantsOf } from '../sweep/variants.ts';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** Notices that describe one shard only; they are not carried into the merged archive. */
export const SHARD_NOTICE = /^This archive holds shard \d+ of \d+:/;

export function shardNotice(index: number, count: number, pairs: number, total: number, input: string): string {
  return `This archive holds shard ${index} of ${count}: ${pairs} of the ${total} pairs in ${input}.`;
}

/**
 * Input order, the ZIP's own: each shard's run.json states its pairs' places in the ZIP
 * (`input.positions`). When an archive does not (written by an older version, or a sweep), the
 * records keep each archive's order, the archives in the order given.
 */
function inputOrder(archives: readonly ReadResultsArchive[]): PairRecord[] {
  const all = archives.flatMap((a) => a.records);
  const placed = archives.every((a) => a.run.input?.positions?.length === a.records.length);
  if (!placed) return all;
  const place = archives.flatMap((a) => a.run.input!.positions!);
  return all.map((r, i) => ({ r, k: place[i]! })).sort((a, b) => a.k - b.k).map((x) => x.r);
}

/**
 * run.json of the merged archive: the first shard's (settings, app and input are the same for
 * every shard of one run), with what depends on the records recomputed from the merged ones (a
 * sweep's variants too: each shard's records carry their fingerprints).
 */
function mergedManifest(first: ReadResultsArchive, input: ReportInput, stopped: boolean): RunManifest | null {
  const m = first.run.manifest;
  if (!m || m.format !== MANIFEST_FORMAT) return null;
  const stats = summarise(input.records, input.contract);
  const shard = m as unknown as RunManifest;
  return {
    ...shard,
    // The merged run is the whole ZIP: its pairs' places are no longer a shard's.
    input: shard.input ? { name: shard.input.name, size: shard.input.size, fingerprint: shard.input.fingerprint } : null,
    started_at: input.startedAt,
    finished_at: input.finishedAt,
    stopped,
    stop_reason: input.stopReason ?? null,
    counts: manifestCounts(stats, input.skipped.length),
    pair_ids: input.records.map((r) => r.pair_id),
    skipped: input.skipped,
    notices: input.notices,
    ...(shard.sweep ? { sweep: { ...shard.sweep, variants: sweepVariantsOf(input.records) } } : {}),
  };
}

export function mergeArchives(archives: readonly ReadResultsArchive[]): ReportInput {
  if (archives.length < 2) throw new MergeError('Merging needs at least two archives.');
  const first = archives[0]!;
  for (const a of archives) {
    if (!a.run.input?.fingerprint) {
      throw new MergeError(`${a.fileName} does not say which input ZIP it was made from (its run.json has no input fingerprint), so it cannot be merged safely. Merge archives written by facematch run or the playground's Bulk mode of this version.`);
    }
  }
  for (const a of archives.slice(1)) {
    if (!sameFingerprint(a.run.input!.fingerprint, first.run.input!.fingerprint)) {
      const nameOf = (x: ReadResultsArchive) => (x.run.input?.name ? ` (${x.run.input.name})` : '');
      throw new MergeError(`${a.fileName} was made from a different input ZIP${nameOf(a)} than ${first.fileName}${nameOf(first)}. Merge only the shards of one ZIP.`);
    }
    if (a.run.contract.id !== first.run.contract.id) {
      throw new MergeError(`${a.fileName} called ${a.run.contract.label} but ${first.fileName} called ${first.run.contract.label}. Merge only archives of the same provider.`);
    }
    if ((a.run.endpoint ?? '') !== (first.run.endpoint ?? '')) {
      throw new MergeError(`${a.fileName} called ${a.run.endpoint ?? 'an unknown endpoint'} but ${first.fileName} called ${first.run.endpoint ?? 'an unknown endpoint'}. Merge only archives of runs against the same endpoint.`);
    }
  }
  const owner = new Map<string, string>();
  for (const a of archives) {
    for (const r of a.records) {
      const prev = owner.get(r.pair_id);
      if (prev !== undefined) {
        throw new MergeError(prev === a.fileName
          ? `${a.fileName} holds pair ${r.pair_id} twice. Merge only archives written by facematch run or Bulk mode.`
          : `${prev} and ${a.fileName} both hold a record for pair ${r.pair_id}: the archives overlap. Merge each shard once (e.g. 1/3, 2/3 and 3/3 of one run).`);
      }
      owner.set(r.pair_id, a.fileName);
    }
  }
  const times = (pick: (a: ReadResultsArchive) => string | null) => archives.map(pick).filter((t): t is string => Boolean(t)).sort();
  const started = times((a) => a.run.startedAt);
  const finished = times((a) => a.run.finishedAt);
  const stops = archives.filter((a) => a.run.stopReason).map((a) => `${a.fileName}: ${a.run.stopReason}`);
  const records = inputOrder(archives);
  // One builder for every archive: the first shard's settings, input, version and run.json (the
  // same for every shard of one run), the merged records, their labels, the run's span.
  const input = reportInputOfArchive(first, {
    records,
    notices: first.run.notices.filter((n) => !SHARD_NOTICE.test(n)),
    startedAt: started[0] ?? '',
    finishedAt: finished[finished.length - 1] ?? '',
    stopReason: stops.length ? stops.join(' ') : null,
    manifest: null,
  });
  const manifest = mergedManifest(first, input, stops.length > 0 || archives.some((a) => a.run.stopped === true));
  if (manifest) input.manifest = manifest;
  if (manifest?.sweep) input.sweep = manifest.sweep;
  return input;
}
