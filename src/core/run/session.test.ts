/**
 * The run session as a host sees it: plain data in, events out, stop and the pause's answer in.
 * A fake call stands for the API and an injected Clock for time: nothing here waits on the wall clock.
 */
import 'fake-indexeddb/auto';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { readWorkbookXml } from '../../../test/xlsx-xml.ts';
import { idbJournalBackend } from '../../lib/journal-idb.ts';
import { createArchiveBuilder } from '../archive/archive.ts';
import { kwikid } from '../contracts/contracts.ts';
import { runJob, type CallFn, type JobSnapshot } from './job.ts';
import { Journal } from './journal.ts';
import { resumePlan } from './journal-run.ts';
import type { PairEntry, PairRecord } from './records.ts';
import { buildResultsZip } from '../archive/report.ts';
import type { CallResult, ImagePart } from '../request/request.ts';
import type { Clock } from './clock.ts';
import type { RunLabels } from './report-input.ts';
import { journalLabels } from './so-far.ts';
import { startRunSession, type RunEvent, type RunHost, type RunPlan, type RunSource } from './session.ts';

const NOW = Date.parse('2026-12-06T07:00:00.000Z');
/** Time stands still; a timer fires once the current work is done (a microtask), never by the wall clock. */
const clock: Clock = {
  now: () => NOW,
  setTimeout: (fn) => {
    const h = { live: true };
    queueMicrotask(() => { if (h.live) fn(); });
    return h;
  },
  clearTimeout: (h) => { (h as { live: boolean }).live = false; },
};

function source(n: number, unreadable: readonly string[] = []): RunSource {
  const pairs: PairEntry[] = Array.from({ length: n }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
  const part = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }) });
  return {
    pairs, skipped: [], notices: [],
    entries: pairs.flatMap((p) => [p.image1_path, p.image2_path].map((name) => ({ name, size: 3, crc32: 1, compressedSize: 3, method: 0, flags: 0, localHeaderOffset: 0 }))) as unknown as RunSource['entries'],
    readPair: async (p) => {
      if (unreadable.includes(p.pair_id)) throw new Error('corrupt entry');
      return [part(`${p.pair_id}_image1.jpg`), part(`${p.pair_id}_image2.jpg`)];
    },
  };
}

const indexOf = (images: readonly [ImagePart, ImagePart]) => Number(/^p(\d+)_/.exec(images[0].name)![1]);
const answer = (i: number, token?: string): CallResult => ({
  ok: true, status: 200, timeMs: 4, attempts: 1,
  body: { facematch_result: i % 3 ? 'True' : 'False', confidence_score: i % 3 ? 0.91 : 0.12, ...(token ? { echo: `token ${token}` } : {}) },
});
const aborted: CallResult = { ok: false, status: null, timeMs: 4, attempts: 1, error: { type: 'aborted', message: 'Cancelled.' } };
const rejected: CallResult = { ok: false, status: 401, timeMs: 4, attempts: 1, error: { type: 'http', message: 'HTTP 401.' } };
const failed: CallResult = { ok: false, status: 500, timeMs: 4, attempts: 1, error: { type: 'http', message: 'HTTP 500.' } };

const snapshot = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  contract: kwikid, baseUrl: 'http://127.0.0.1:9', credentials: { token: 'first-secret-token' }, timeoutMs: 5000, retries: 0, concurrency: 1, ratePerSecond: null, ...over,
});
const plan = (over: Partial<RunPlan> = {}): RunPlan => ({
  kind: 'run', input: { name: 'pairs.zip', size: 1234, lastModified: 1 }, snapshot: snapshot(), labels: null, ...over,
});

/** A session and what it said; `next(type)` resolves at that event's next occurrence. */
function session(p: RunPlan, host: RunHost) {
  const events: RunEvent[] = [];
  const waiting: { type: RunEvent['type']; resolve: (e: RunEvent) => void }[] = [];
  const handle = startRunSession(p, { clock, publishMs: 0, ...host }, (e) => {
    events.push(e);
    for (const w of waiting.splice(0)) if (w.type === e.type) w.resolve(e); else waiting.push(w);
  });
  const of = <T extends RunEvent['type']>(type: T) => events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
  return {
    handle,
    events,
    of,
    next: <T extends RunEvent['type']>(type: T) => new Promise<Extract<RunEvent, { type: T }>>((resolve) => waiting.push({ type, resolve: resolve as (e: RunEvent) => void })),
    /** Every record the host was handed, in the order it got them. */
    shown: () => of('records').flatMap((e) => e.records),
    finished: async () => {
      await handle.done;
      const f = of('finished');
      expect(f).toHaveLength(1);
      return f[0]!;
    },
  };
}

const kind = (r: PairRecord) => (r.success ? 'ok' : r.error.type);
let dbs = 0;
const journal = () => new Journal(idbJournalBackend(`session-test-${++dbs}`));

describe('the run session', () => {
  it('hands every loaded pair over in exactly one record, in input order, before the archive is built', async () => {
    const call: CallFn = async (_s, images) => (indexOf(images) === 4 ? failed : answer(indexOf(images)));
    const s = session(plan({ snapshot: snapshot({ concurrency: 3 }) }), { zip: source(7, ['p2']), call });
    const { summary } = await s.finished();
    expect(s.shown().map((r) => r.pair_id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    expect(s.shown().map(kind)).toEqual(['ok', 'ok', 'not_run', 'ok', 'http', 'ok', 'ok']);
    const unreadable = s.shown()[2]!;
    expect(!unreadable.success && unreadable.error.message).toContain('p2');
    // The batches are the run's records: a host may rebuild the end events' records from them.
    expect(summary.records).toEqual(s.shown());
    expect(s.of('building')[0]!.input.records).toEqual(s.shown());
    expect(s.of('records').at(-1)!.done).toBe(7);
    expect(summary.stats).toMatchObject({ pairs: 7, succeeded: 5 });
    expect(summary.stopped).toBe(false);
    expect(s.events[0]).toMatchObject({ type: 'started', total: 7 });
    const types = s.events.map((e) => e.type);
    expect(types.indexOf('building')).toBeGreaterThan(types.lastIndexOf('records'));
    expect(types.at(-1)).toBe('finished');
    // The calls in flight are published while they run and none are left at the end.
    expect(s.of('in-flight').some((e) => (e.inFlight?.count ?? 0) > 1)).toBe(true);
    expect(s.of('in-flight').at(-1)!.inFlight).toBeNull();
    const archive = await JSZip.loadAsync(s.of('finished')[0]!.bytes);
    expect(archive.file(/^results\/.*\.json$/).map((f) => f.name).sort()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((id) => `results/${id}.json`));
  });

  it('Stop mid-run gives a stopped run with the rest not_run; the resumed session sends only those and finishes', async () => {
    const j = journal();
    const labels: RunLabels = { labels: Array.from({ length: 10 }, (_, i) => [`p${i}`, i % 3 ? 'same' : 'different'] as const), source: 'labels.csv in pairs.zip' };
    let first: ReturnType<typeof session> | null = null;
    const call: CallFn = async (_s, images, signal) => {
      const i = indexOf(images);
      if (i !== 4) return answer(i);
      // The user presses Stop while pair p4 is in flight.
      first!.handle.stop();
      return signal?.aborted ? aborted : answer(i);
    };
    first = session(plan({ labels }), { zip: source(10), call, journal: j });
    const stopped = await first.finished();
    expect(stopped.summary.stopped).toBe(true);
    expect(stopped.summary.stopReason).toContain('Stopped by the user');
    expect(first.shown().map(kind)).toEqual(['ok', 'ok', 'ok', 'ok', 'aborted', 'not_run', 'not_run', 'not_run', 'not_run', 'not_run']);
    expect(stopped.journalRun).not.toBeNull();

    // Resume from what the journal kept: only the pairs without an answer are sent.
    const read = (await j.read(stopped.journalRun!.id))!;
    expect(read.run.status).toBe('stopped');
    const resume = resumePlan(read.run, read.entries, read.sent);
    const sent: number[] = [];
    const again = session(plan({
      kind: 'resume', existing: [...resume.existing], resent: [...resume.resent], journalRun: read.run, labels: journalLabels(read.run),
    }), { zip: source(10), journal: j, call: async (_s, images) => { sent.push(indexOf(images)); return answer(indexOf(images)); } });
    const done = await again.finished();
    expect(sent).toEqual([4, 5, 6, 7, 8, 9]);
    expect(done.summary.stopped).toBe(false);
    expect(done.summary.records.map(kind)).toEqual(Array(10).fill('ok'));
    expect(again.shown().map((r) => r.pair_id)).toEqual(Array.from({ length: 10 }, (_, i) => `p${i}`));
    expect(done.summary.records).toEqual(again.shown());
    expect(again.of('building')[0]!.input.records).toEqual(again.shown());
    expect(again.of('records').at(-1)!.done).toBe(10);
    // The labels came back from the journal: the archive has the evaluation.
    expect(again.of('building')[0]!.input.evaluation?.labels).toHaveLength(10);
    expect((await j.read(stopped.journalRun!.id))!.run.status).toBe('finished');
  });

  it('pauses on a 401 it cannot renew, and goes on with the credentials given in the answer; the journal never holds the new token', async () => {
    const j = journal();
    const tokens: string[] = [];
    const call: CallFn = async (s, images) => {
      const i = indexOf(images);
      tokens.push(`${i}:${s.credentials.token}`);
      return i >= 2 && s.credentials.token !== 'renewed-secret-token' ? rejected : answer(i, s.credentials.token);
    };
    const s = session(plan(), { zip: source(5), call, journal: j });
    const asked = await s.next('auth-pause');
    expect(asked.pause).toEqual({ pairNumber: 3, total: 5 });
    // While paused, the records so far are with the host and nothing more is sent.
    expect(s.shown().map((r) => r.pair_id)).toEqual(['p0', 'p1']);
    expect(tokens).toEqual(['0:first-secret-token', '1:first-secret-token', '2:first-secret-token']);
    s.handle.answer('retry', { token: 'renewed-secret-token' });
    const { summary, journalRun } = await s.finished();
    expect(s.of('auth-pause').map((e) => e.pause)).toEqual([{ pairNumber: 3, total: 5 }, null]);
    expect(s.of('snapshot').at(-1)!.snapshot.credentials.token).toBe('renewed-secret-token');
    expect(tokens.slice(3)).toEqual(['2:renewed-secret-token', '3:renewed-secret-token', '4:renewed-secret-token']);
    expect(summary.stopped).toBe(false);
    expect(summary.records.map(kind)).toEqual(Array(5).fill('ok'));
    expect(summary.snapshot.credentials.token).toBe('renewed-secret-token');
    const stored = JSON.stringify((await j.read(journalRun!.id))!.entries);
    expect(stored).toContain('echo');
    expect(stored).not.toContain('renewed-secret-token');
    expect(stored).not.toContain('first-secret-token');
  });

  it('Stop during an auth pause ends the run there: the 401 kept, the rest not_run, the reason names the pair', async () => {
    const call: CallFn = async (_s, images) => (indexOf(images) >= 1 ? rejected : answer(indexOf(images)));
    const s = session(plan(), { zip: source(4), call });
    await s.next('auth-pause');
    s.handle.stop();
    const { summary } = await s.finished();
    expect(summary.stopped).toBe(true);
    expect(summary.stopReason).toContain('pair 2 of 4');
    expect(summary.records.map((r) => [kind(r), r.http_status])).toEqual([['ok', 200], ['http', 401], ['not_run', null], ['not_run', null]]);
  });

  it('builds the archive the direct path builds for the same run: same entries, same bytes of each record, same sheets', async () => {
    const labels: RunLabels = { labels: [['p0', 'different'], ['p1', 'same'], ['p2', 'same'], ['p3', 'different'], ['p4', 'same']], source: 'labels.csv in pairs.zip' };
    const zip = source(5);
    const call: CallFn = async (_s, images) => answer(indexOf(images));
    const s = session(plan({ labels, snapshot: snapshot({ concurrency: 2, ratePerSecond: 50 }) }), { zip, call });
    const viaSession = (await s.finished()).bytes;
    // The direct path: core's job with the archive builder, built whole at the end (as the CLI did).
    const direct = await runJob({
      pairs: zip.pairs, readPair: (p) => zip.readPair(p), snapshot: snapshot({ concurrency: 2, ratePerSecond: 50 }), call, clock,
      archive: createArchiveBuilder({
        skipped: zip.skipped, notices: zip.notices, labels,
        input: { name: 'pairs.zip', size: 1234, fingerprint: s.of('building')[0]!.input.manifest!.input!.fingerprint },
        build: (input) => buildResultsZip(input),
      }),
    });
    const a = await JSZip.loadAsync(viaSession);
    const b = await JSZip.loadAsync(direct.archive!);
    const names = (z: JSZip) => Object.keys(z.files).filter((n) => !z.files[n]!.dir).sort();
    expect(names(a)).toEqual(names(b));
    expect(names(a)).toEqual(expect.arrayContaining(['run.json', 'summary.xlsx', 'report.html', 'results/p0.json']));
    // report.html's charts number their CSS classes from a counter of the chart library's: not content.
    const text = async (z: JSZip, name: string) => (await z.file(name)!.async('string')).replace(/zr\d+-(cls-\d+|c\d+)/g, 'zr-$1').replace(/zr-cls-\d+/g, 'zr-cls');
    for (const name of names(a).filter((n) => n !== 'summary.xlsx')) {
      expect(await text(a, name), name).toBe(await text(b, name));
    }
    const sheetsOf = async (z: JSZip) => [...readWorkbookXml(await z.file('summary.xlsx')!.async('uint8array')).values()]
      .map((sh) => [sh.name, [...sh.cells.values()].map((c) => `${c.ref}=${c.t}:${c.text}:${c.numFmt}`)]);
    const sheets = await sheetsOf(a);
    expect(sheets.map(([name]) => name)).toContain('Evaluation');
    expect(sheets).toEqual(await sheetsOf(b));
  });
});
