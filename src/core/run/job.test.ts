import JSZip from 'jszip';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kwikid } from '../contracts/contracts.ts';
import { createArchiveBuilder } from '../archive/archive.ts';
import { readResultsArchive } from '../archive/archive-read.ts';
import {
  NOT_SELECTED, pauseOnUnauthorized, runJob,
  type AuthPolicy, type CallFn, type JobSnapshot,
} from './job.ts';
import type { RunManifest } from '../archive/manifest.ts';
import { rerunRecord } from './journal-run.ts';
import type { PairEntry, PairRecord } from './records.ts';
import type { CallResult, ImagePart } from '../request/request.ts';
import type { Clock } from './clock.ts';

const pairs = (n: number): PairEntry[] => Array.from({ length: n }, (_, i) => ({
  pair_id: `p${i}`, image1_path: `set/p${i}_image1.jpg`, image2_path: `set/p${i}_image2.jpg`,
}));
const part = (name: string): ImagePart => ({ name, data: new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }) });
const readPair = async (p: PairEntry): Promise<[ImagePart, ImagePart]> => [part(`${p.pair_id}_image1.jpg`), part(`${p.pair_id}_image2.jpg`)];
const snapshot = (over: Partial<JobSnapshot> = {}): JobSnapshot => ({
  contract: kwikid, baseUrl: 'http://api.test', credentials: { token: 'good-token' }, timeoutMs: 5000, retries: 0,
  concurrency: 1, ratePerSecond: null, ...over,
});
const ok = (attempts = 1): CallResult => ({ ok: true, status: 200, timeMs: 1, attempts, body: { facematch_result: 'True', confidence_score: 0.9 } });
const unauthorized = (): CallResult => ({ ok: false, status: 401, timeMs: 1, attempts: 1, error: { type: 'http', message: 'The token was rejected (HTTP 401).' } });
const aborted = (): CallResult => ({ ok: false, status: null, timeMs: 1, attempts: 1, error: { type: 'aborted', message: 'The call was cancelled before an answer arrived.' } });

/** Deterministic, uneven latencies (0–24 ms) so later pairs often finish before earlier ones. */
const latency = (i: number) => (i * 7919 + 13) % 25;
const pairIndex = (images: readonly [ImagePart, ImagePart]) => Number(/^p(\d+)_/.exec(images[0].name)![1]);

/** A fake API that counts what is in flight and answers after `wait(index)` ms, or when aborted. */
function fakeApi(answer: (index: number, token: string | undefined) => CallResult = () => ok(), wait: (i: number) => number = latency) {
  const api = { inFlight: 0, maxInFlight: 0, calls: [] as { index: number; token: string | undefined; url: string }[] };
  const call: CallFn = (settings, images, signal) => {
    const index = pairIndex(images);
    api.calls.push({ index, token: settings.credentials.token, url: settings.baseUrl });
    api.inFlight++;
    api.maxInFlight = Math.max(api.maxInFlight, api.inFlight);
    return new Promise<CallResult>((resolve) => {
      const done = (r: CallResult) => { api.inFlight--; signal?.removeEventListener('abort', onAbort); resolve(r); };
      const t = setTimeout(() => done(answer(index, settings.credentials.token)), wait(index));
      const onAbort = () => { clearTimeout(t); done(aborted()); };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  };
  return { api, call };
}

const kinds = (records: readonly PairRecord[]) => records.map((r) => (r.success ? 'ok' : r.error.type));

afterEach(() => { vi.useRealTimers(); });

describe('runJob: the ordered pool', () => {
  for (const n of [1, 4, 16]) {
    it(`at concurrency ${n}: records reach the sink in input order, each once, and never more than ${n} calls are in flight`, async () => {
      const { api, call } = fakeApi();
      const list = pairs(60);
      const seen: [string, number][] = [];
      const result = await runJob({
        pairs: list, readPair, snapshot: snapshot({ concurrency: n }), call,
        onRecord: (rec, i) => seen.push([rec.pair_id, i]),
      });
      expect(seen).toEqual(list.map((p, i) => [p.pair_id, i]));
      expect(result.records.map((r) => r.pair_id)).toEqual(list.map((p) => p.pair_id));
      expect(result.records.every((r) => r.success)).toBe(true);
      expect(api.calls).toHaveLength(60);
      expect(api.maxInFlight).toBe(n);
      expect(result.stopped).toBe(false);
    });
  }

  it('a settings change after Run changes nothing: every call uses the snapshot', async () => {
    const { api, call } = fakeApi();
    const snap = snapshot({ concurrency: 2 });
    const running = runJob({ pairs: pairs(6), readPair, snapshot: snap, call });
    snap.baseUrl = 'http://elsewhere.test';
    snap.credentials.token = 'changed';
    await running;
    expect(new Set(api.calls.map((c) => `${c.url} ${c.token}`))).toEqual(new Set(['http://api.test good-token']));
  });

  it('a pair that cannot be read gets one not_run record in its place and the others are still sent', async () => {
    const { api, call } = fakeApi();
    const result = await runJob({
      pairs: pairs(5), snapshot: snapshot({ concurrency: 3 }), call,
      readPair: async (p) => { if (p.pair_id === 'p2') throw new TypeError('bad entry'); return readPair(p); },
    });
    expect(kinds(result.records)).toEqual(['ok', 'ok', 'not_run', 'ok', 'ok']);
    const r2 = result.records[2]!;
    expect(!r2.success && r2.error.message).toBe('Pair p2 could not be read from the ZIP (bad entry); it was not sent.');
    expect(api.calls.map((c) => c.index).sort()).toEqual([0, 1, 3, 4]);
  });
});

describe('runJob: Stop', () => {
  it('Stop with 4 calls in flight: each of them ends aborted, the rest not_run, exactly one record per pair', async () => {
    const { api, call } = fakeApi(() => ok(), () => 60_000);
    const controller = new AbortController();
    const list = pairs(12);
    const sink: number[] = [];
    let sends = 0;
    const result = await runJob({
      pairs: list, readPair, snapshot: snapshot({ concurrency: 4 }), call, signal: controller.signal,
      onSend: () => { if (++sends === 4) setTimeout(() => controller.abort(), 5); },
      onRecord: (_r, i) => sink.push(i),
    });
    expect(sink).toEqual(list.map((_p, i) => i));
    expect(result.records).toHaveLength(12);
    expect(kinds(result.records)).toEqual([...Array(4).fill('aborted'), ...Array(8).fill('not_run')]);
    expect(api.calls).toHaveLength(4);
    expect(result.stopped).toBe(true);
    expect(result.stopReason).toBe('Stopped by the user while 4 calls were in flight (p0, p1, p2, p3); those calls were cancelled.');
    const last = result.records[11]!;
    expect(!last.success && last.error.message).toBe('The run was stopped before this pair was sent.');
  });

  it('a signal already aborted sends nothing and still gives one not_run record per pair', async () => {
    const { api, call } = fakeApi();
    const controller = new AbortController();
    controller.abort();
    const result = await runJob({ pairs: pairs(3), readPair, snapshot: snapshot({ concurrency: 8 }), call, signal: controller.signal });
    expect(kinds(result.records)).toEqual(['not_run', 'not_run', 'not_run']);
    expect(api.calls).toHaveLength(0);
    expect(result.stopped).toBe(true);
  });
});

describe('runJob: HTTP 401', () => {
  it('several workers rejected at once: the token is refreshed once, and every pair is sent again with it', async () => {
    let token = 'expired';
    const { api, call } = fakeApi((_i, t) => (t === 'fresh' ? ok() : unauthorized()), (i) => (i < 4 ? 5 : latency(i)));
    const asked: number[] = [];
    const policy: AuthPolicy = {
      onUnauthorized: async (info) => {
        asked.push(info.index);
        expect(info.refreshed).toBe(false);
        await new Promise((r) => setTimeout(r, 20));
        token = 'fresh';
        return { action: 'retry', credentials: { token } };
      },
    };
    const renewed: string[] = [];
    const result = await runJob({
      pairs: pairs(10), readPair, snapshot: snapshot({ concurrency: 4, credentials: { token } }), call, authPolicy: policy,
      onSnapshot: (s) => renewed.push(s.credentials.token!),
    });
    expect(asked).toHaveLength(1);
    expect(renewed).toEqual(['fresh']);
    expect(result.records.every((r) => r.success)).toBe(true);
    // The four first pairs were sent twice (expired, then fresh); the others once, with the fresh token.
    expect(result.records.map((r) => r.attempts)).toEqual([2, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
    expect(api.calls.filter((c) => c.token === 'expired').map((c) => c.index).sort()).toEqual([0, 1, 2, 3]);
    expect(result.snapshot.credentials.token).toBe('fresh');
    expect(result.secrets).toEqual(expect.arrayContaining(['expired', 'fresh']));
  });

  it('while the policy decides (a pause), nothing new is sent; Stop during the pause keeps the 401s and marks the rest not_run', async () => {
    const { api, call } = fakeApi(() => unauthorized(), () => 5);
    const controller = new AbortController();
    let callsWhenPaused = -1;
    const policy = pauseOnUnauthorized(() => {
      callsWhenPaused = api.calls.length;
      setTimeout(() => controller.abort(), 40);
      return new Promise(() => { /* the user presses Stop instead of Resume */ });
    });
    const result = await runJob({ pairs: pairs(8), readPair, snapshot: snapshot({ concurrency: 3 }), call, authPolicy: policy, signal: controller.signal });
    expect(api.calls).toHaveLength(callsWhenPaused);
    expect(callsWhenPaused).toBe(3);
    expect(result.records.map((r) => r.http_status)).toEqual([401, 401, 401, null, null, null, null, null]);
    expect(kinds(result.records).slice(3)).toEqual(Array(5).fill('not_run'));
    expect(result.stopped).toBe(true);
  });

  it('a policy that stops: the 401s already answered are kept, nothing else is sent, the reason is the policy\'s', async () => {
    const { api, call } = fakeApi(() => unauthorized(), () => 5);
    const result = await runJob({
      pairs: pairs(6), readPair, snapshot: snapshot({ concurrency: 2 }), call,
      authPolicy: { onUnauthorized: async () => ({ action: 'stop', reason: 'Stopped: the token was rejected.' }) },
    });
    expect(api.calls).toHaveLength(2);
    expect(kinds(result.records)).toEqual(['http', 'http', 'not_run', 'not_run', 'not_run', 'not_run']);
    expect(result.stopReason).toBe('Stopped: the token was rejected.');
    const rest = result.records[5]!;
    expect(!rest.success && rest.error.message).toMatch(/stopped after the credentials were rejected \(HTTP 401\) on pair p[01]/);
  });

  it('a renewed token rejected again: the policy is told refreshed = true', async () => {
    const { call } = fakeApi(() => unauthorized(), () => 1);
    const told: boolean[] = [];
    const result = await runJob({
      pairs: pairs(3), readPair, snapshot: snapshot(), call,
      authPolicy: { onUnauthorized: async (info) => { told.push(info.refreshed); return info.refreshed ? { action: 'stop', reason: 'again' } : { action: 'retry', credentials: { token: 'new' } }; } },
    });
    expect(told).toEqual([false, true]);
    expect(result.records[0]!.attempts).toBe(2);
    expect(result.stopReason).toBe('again');
  });
});

describe('runJob: rate limit', () => {
  it('at 5 requests per second, no rolling second (fake clock) ever sees more than 5 requests, retries included', async () => {
    // The job's Clock, moved by the test: the limiter's timers and the backoff's sleeps run on it.
    let now = Date.parse('2026-12-06T10:00:00.000Z');
    let timers: { at: number; fn: () => void; id: number }[] = [];
    let ids = 0;
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => { timers.push({ at: now + ms, fn, id: ++ids }); return ids; },
      clearTimeout: (h) => { timers = timers.filter((t) => t.id !== h); },
    };
    const advance = (ms: number) => {
      const until = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((x, y) => x.at - y.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.fn();
      }
      now = until;
    };
    const starts: number[] = [];
    let n = 0;
    // The real request path (callFacematch) with a fake fetch: every third request gets a 503 and is retried.
    const fetch = (async () => {
      starts.push(clock.now());
      const status = ++n % 3 === 0 ? 503 : 200;
      return new Response(JSON.stringify(status === 200 ? { facematch_result: 'True' } : { msg: 'busy' }), { status, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const running = runJob({
      pairs: pairs(20), readPair, snapshot: snapshot({ concurrency: 8, ratePerSecond: 5, retries: 3 }), clock,
      deps: { fetch, random: () => 0, sleep: (ms) => new Promise<void>((resolve) => { clock.setTimeout(resolve, ms); }) },
    });
    let result: Awaited<typeof running> | undefined;
    void running.then((r) => { result = r; });
    // Let the job do what it can at this instant (a few event-loop turns), then move the clock on.
    const settle = async () => { for (let k = 0; k < 3; k++) await new Promise((r) => setTimeout(r, 0)); };
    for (let i = 0; i < 400 && !result; i++) {
      await settle();
      advance(50);
    }
    expect(result?.records.every((r) => r.success)).toBe(true);
    expect(starts.length).toBeGreaterThan(20); // some pairs needed a second attempt
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(5);
    // That many requests at 5 per second need at least floor((count - 1) / 5) full seconds on the fake clock.
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(Math.floor((starts.length - 1) / 5) * 1000);
  });

  it('Stop while pairs wait for the rate limit: those pairs are not_run, not aborted', async () => {
    const controller = new AbortController();
    let sent = 0;
    const call: CallFn = async (_settings, _images, signal, deps) => {
      await deps!.beforeAttempt!(signal);
      sent++;
      if (sent === 2) controller.abort();
      return ok();
    };
    // The limiter holds calls 3+ for a second; the stop comes first.
    const result = await runJob({ pairs: pairs(6), readPair, snapshot: snapshot({ concurrency: 4, ratePerSecond: 2 }), call, signal: controller.signal });
    expect(kinds(result.records)).toEqual(['ok', 'ok', 'not_run', 'not_run', 'not_run', 'not_run']);
  });
});

describe('runJob: subsets, kept and excluded pairs', () => {
  const done = (p: PairEntry, success: boolean): PairRecord => (success
    ? { ...p, success: true, http_status: 200, response_time_ms: 3, body: { facematch_result: 'True' }, attempts: 1 }
    : { ...p, success: false, http_status: 503, response_time_ms: 3, error: { type: 'http', message: 'down' }, attempts: 3 });

  it('resume: kept records stay, the rest are run, excluded pairs get not_run with their reason; the sink sees only new records', async () => {
    const list = pairs(6);
    const { api, call } = fakeApi();
    const sink: number[] = [];
    const result = await runJob({
      pairs: list, readPair, snapshot: snapshot({ concurrency: 2 }), call,
      existing: new Map([[0, done(list[0]!, true)], [1, done(list[1]!, false)]]),
      excluded: new Map([[3, 'No face was found in p3_image1.jpg.']]),
      onRecord: (_r, i) => sink.push(i),
    });
    expect(api.calls.map((c) => c.index).sort()).toEqual([2, 4, 5]);
    expect(sink).toEqual([2, 3, 4, 5]);
    expect(result.records[0]).toBe(done(list[0]!, true) && result.records[0]);
    expect(result.records[1]!.http_status).toBe(503);
    const r3 = result.records[3]!;
    expect(!r3.success && r3.error).toEqual({ type: 'not_run', message: 'No face was found in p3_image1.jpg.' });
  });

  it('re-run failed: only the chosen indices are sent and replace their records; unchosen pairs without a record are not_run', async () => {
    const list = pairs(5);
    const { api, call } = fakeApi();
    const result = await runJob({
      pairs: list, readPair, snapshot: snapshot({ concurrency: 3 }), call,
      existing: new Map([[0, done(list[0]!, true)], [1, done(list[1]!, false)], [2, done(list[2]!, false)]]),
      only: [1, 2],
    });
    expect(api.calls.map((c) => c.index).sort()).toEqual([1, 2]);
    expect(kinds(result.records)).toEqual(['ok', 'ok', 'ok', 'not_run', 'not_run']);
    const r4 = result.records[4]!;
    expect(!r4.success && r4.error.message).toBe(NOT_SELECTED);
  });

  it('a transform reaches the sink, the archive and the result for sent pairs only (re-run: attempts keep counting, previous_error)', async () => {
    const list = pairs(4);
    const { call } = fakeApi();
    const before = [done(list[0]!, true), done(list[1]!, false), done(list[2]!, true), done(list[3]!, false)];
    const sink: PairRecord[] = [];
    const added: PairRecord[] = [];
    const result = await runJob({
      pairs: list, readPair, snapshot: snapshot({ concurrency: 2 }), call,
      existing: new Map(before.map((r, i) => [i, r])),
      only: [1, 3],
      transform: (rec, i) => rerunRecord(before[i]!, rec),
      onRecord: (r) => sink.push(r),
      archive: { add: (r) => added.push(r), finish: async () => new Uint8Array() },
    });
    expect(sink.map((r) => [r.pair_id, r.attempts, r.previous_error?.type])).toEqual([['p1', 4, 'http'], ['p3', 4, 'http']]);
    expect(added.filter((r) => r.previous_error)).toHaveLength(2);
    expect(result.records[0]).toBe(before[0]);
    expect(result.records[1]).toMatchObject({ success: true, attempts: 4, previous_error: { type: 'http', message: 'down', http_status: 503 } });
  });

  it('the archive builder gets every record in order and writes run.json with the snapshot and no secret', async () => {
    const list = pairs(4);
    const { call } = fakeApi();
    const added: number[] = [];
    const builder = createArchiveBuilder({ skipped: [{ path: 'notes.txt', reason: 'not an image' }], notices: [], input: { name: 'batch.zip', size: 1234, fingerprint: 'abc' } });
    const spy = { add: (r: PairRecord, i: number) => { added.push(i); builder.add(r, i); }, finish: builder.finish };
    const result = await runJob({
      pairs: list, readPair, snapshot: snapshot({ concurrency: 2, ratePerSecond: 50, baseUrl: 'http://user:pw@api.test' }), call,
      existing: new Map([[0, done(list[0]!, true)]]), archive: spy,
    });
    expect(added).toEqual([0, 1, 2, 3]);
    const zip = await JSZip.loadAsync(result.archive!);
    expect(Object.keys(zip.files).sort()).toEqual(['report.html', 'results/', 'results/p0.json', 'results/p1.json', 'results/p2.json', 'results/p3.json', 'run.json', 'summary.xlsx'].filter((n) => zip.files[n]));
    const text = await zip.file('run.json')!.async('string');
    expect(text).not.toContain('good-token');
    expect(text).not.toContain('pw@');
    const manifest = JSON.parse(text) as RunManifest;
    expect(manifest).toMatchObject({
      format: 'facematch-bulk-run', format_version: 1, pair_ids: ['p0', 'p1', 'p2', 'p3'],
      skipped: [{ path: 'notes.txt', reason: 'not an image' }],
      settings: { provider: 'kwikid', endpoint: 'http://api.test/facematch', concurrency: 2, max_requests_per_second: 50, timeout_ms: 5000, retries: 0, credentials: ['token'] },
      input: { name: 'batch.zip', size: 1234, fingerprint: 'abc' },
      stopped: false, stop_reason: null,
      counts: { pairs: 4, succeeded: 4, failed: 0, not_run: 0, skipped_files: 1 },
    });
    expect(manifest.app_version).toMatch(/^\d+\.\d+\.\d+/);
    // The archive reader (reopen, merge, compare) gets the same run back without the xlsx.
    const back = await readResultsArchive(result.archive!, 'facematch-bulk-1.zip');
    expect(back.records).toEqual(result.records);
    expect(back.run).toMatchObject({ contractFromManifest: true, endpoint: 'http://api.test/facematch', appVersion: manifest.app_version, input: { name: 'batch.zip', size: 1234, fingerprint: 'abc' } });
  });
});
