import { describe, expect, it } from 'vitest';
import type { ArchiveRunInfo, ReadResultsArchive } from './archive-read.ts';
import { kwikid, deepvue } from '../contracts/contracts.ts';
import { MANIFEST_FORMAT } from './manifest.ts';
import { mergeArchives, shardNotice } from './merge.ts';
import type { PairRecord } from '../run/records.ts';
import { buildResultsZip } from './report.ts';
import { unzipSync, strFromU8 } from 'fflate';
import { sweepManifest, type SweepManifest } from '../sweep/variants.ts';

const rec = (id: string, ok = true): PairRecord => (ok
  ? { pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg`, success: true, http_status: 200, response_time_ms: 10, body: { facematch_result: 'True' }, attempts: 1 }
  : { pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg`, success: false, http_status: null, response_time_ms: null, error: { type: 'not_run', message: 'x' }, attempts: 0 });

function archive(fileName: string, records: PairRecord[], run: Partial<ArchiveRunInfo> = {}): ReadResultsArchive {
  return {
    fileName,
    records,
    run: {
      manifest: {}, contract: kwikid, contractFromManifest: true, endpoint: 'http://127.0.0.1:8080/facematch',
      startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z', stopReason: null, stopped: false, appVersion: '0.1.0',
      input: { name: 'pairs.zip', size: 100, fingerprint: 'fm1-4-abc', positions: null }, settings: null, counts: null, rerun: null,
      skipped: [{ path: 'notes.txt', reason: 'not an image pair' }], notices: [], warnings: [],
      ...run,
    },
  };
}

describe('mergeArchives', () => {
  const at = (...positions: number[]) => ({ name: 'pairs.zip', size: 100, fingerprint: 'fm1-4-abc', positions });

  it('joins shards in the ZIP\'s order (each shard states its pairs\' places), with the earliest start, the latest finish and shard notices dropped', () => {
    // The ZIP lists p10, p1, p3, p2 (not natural order); shard 1 holds p1 and p3, shard 2 p10 and p2.
    const merged = mergeArchives([
      archive('b.zip', [rec('p10'), rec('p2')], { input: at(1, 4), startedAt: '2026-01-01T00:00:05.000Z', finishedAt: '2026-01-01T00:02:00.000Z', notices: [shardNotice(2, 2, 2, 4, 'pairs.zip'), 'kept notice'] }),
      archive('a.zip', [rec('p1'), rec('p3', false)], { input: at(2, 3), notices: [shardNotice(1, 2, 2, 4, 'pairs.zip'), 'kept notice'] }),
    ]);
    expect(merged.records.map((r) => r.pair_id)).toEqual(['p10', 'p1', 'p3', 'p2']);
    expect(merged.startedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(merged.finishedAt).toBe('2026-01-01T00:02:00.000Z');
    expect(merged.notices).toEqual(['kept notice']);
    expect(merged.skipped).toEqual([{ path: 'notes.txt', reason: 'not an image pair' }]);
    expect(merged.stopReason).toBeUndefined();
  });

  it('the merged run.json lists the pairs in the ZIP\'s order and states no shard\'s places', () => {
    const manifest = (positions: number[]) => ({ format: MANIFEST_FORMAT, input: at(...positions), pair_ids: [] });
    const merged = mergeArchives([
      archive('a.zip', [rec('p1'), rec('p3')], { input: at(2, 3), manifest: manifest([2, 3]) }),
      archive('b.zip', [rec('p10'), rec('p2')], { input: at(1, 4), manifest: manifest([1, 4]) }),
    ]);
    expect(merged.manifest!.pair_ids).toEqual(['p10', 'p1', 'p3', 'p2']);
    expect(merged.manifest!.input).toEqual({ name: 'pairs.zip', size: 100, fingerprint: 'fm1-4-abc' });
  });

  it('without the shards\' places (an older archive), keeps each archive\'s order, the archives as given', () => {
    const merged = mergeArchives([archive('b.zip', [rec('p2'), rec('p10')]), archive('a.zip', [rec('p1'), rec('p3')])]);
    expect(merged.records.map((r) => r.pair_id)).toEqual(['p2', 'p10', 'p1', 'p3']);
  });

  it('keeps each shard\'s stop reason, naming the archive', () => {
    const merged = mergeArchives([archive('a.zip', [rec('p1')], { stopReason: 'Stopped by the user.' }), archive('b.zip', [rec('p2')])]);
    expect(merged.stopReason).toBe('a.zip: Stopped by the user.');
  });

  it('refuses archives of different input ZIPs, providers or endpoints, and overlapping pairs', () => {
    expect(() => mergeArchives([archive('a.zip', [rec('p1')]), archive('b.zip', [rec('p2')], { input: { name: 'other.zip', size: 1, fingerprint: 'fm1-2-def', positions: null } })]))
      .toThrow('b.zip was made from a different input ZIP (other.zip) than a.zip (pairs.zip). Merge only the shards of one ZIP.');
    expect(() => mergeArchives([archive('a.zip', [rec('p1')]), archive('b.zip', [rec('p2')], { contract: deepvue })]))
      .toThrow('b.zip called Deepvue but a.zip called KwikID. Merge only archives of the same provider.');
    expect(() => mergeArchives([archive('a.zip', [rec('p1')]), archive('b.zip', [rec('p2')], { endpoint: 'https://api.example.com/facematch' })]))
      .toThrow('b.zip called https://api.example.com/facematch but a.zip called http://127.0.0.1:8080/facematch. Merge only archives of runs against the same endpoint.');
    expect(() => mergeArchives([archive('a.zip', [rec('p1'), rec('p2')]), archive('b.zip', [rec('p2')])]))
      .toThrow('a.zip and b.zip both hold a record for pair p2: the archives overlap. Merge each shard once (e.g. 1/3, 2/3 and 3/3 of one run).');
    expect(() => mergeArchives([archive('a.zip', [rec('p1')]), archive('b.zip', [rec('p2')], { input: null })]))
      .toThrow(/^b\.zip does not say which input ZIP it was made from/);
  });
});

describe('merging the shards of a sweep', () => {
  it('run.json lists every shard\'s variants with their fingerprints (read from the merged records), and the Robustness sheet is kept', async () => {
    const settings = { steps: [{ perturbation: 'jpeg' as const, levels: [30] }], side: 'image2' as const };
    const swept = (id: string, variant: boolean): PairRecord => Object.assign(rec(variant ? `${id}~jpeg-30` : id), {
      base_pair_id: id, perturbation: variant ? { name: 'jpeg' as const, level: 30, side: 'image2' as const } : null, ...(variant ? { fingerprint: `sha256-${id}` } : {}),
    });
    const shard = (fileName: string, id: string) => {
      const records = [swept(id, false), swept(id, true)];
      return archive(fileName, records, { manifest: { format: MANIFEST_FORMAT, pair_ids: [], sweep: sweepManifest(settings, records) } });
    };
    const merged = mergeArchives([shard('a.zip', 'p1'), shard('b.zip', 'p2')]);
    const want = [{ pair_id: 'p1~jpeg-30', base_pair_id: 'p1', perturbation: 'jpeg', level: 30, fingerprint: 'sha256-p1' }, { pair_id: 'p2~jpeg-30', base_pair_id: 'p2', perturbation: 'jpeg', level: 30, fingerprint: 'sha256-p2' }];
    expect(merged.manifest!.sweep!.variants).toEqual(want);
    const files = unzipSync(await buildResultsZip(merged));
    expect((JSON.parse(strFromU8(files['run.json']!)) as { sweep: SweepManifest }).sweep.variants).toEqual(want);
    expect(strFromU8(unzipSync(files['summary.xlsx']!)['xl/workbook.xml']!)).toContain('name="Robustness"');
  });
});
