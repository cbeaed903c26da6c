import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { kwikid } from '../core/contracts/contracts.ts';
import {
  bannerSentence, FLUSH_MS, Journal, journalSettings, KEEP_RUNS, missingSecrets, type Clock, type JournalBackend,
} from '../core/run/journal.ts';
import { createRecorder, recordsSoFar, rerunRecord, resumePlan } from '../core/run/journal-run.ts';
import { notRunRecord, recordFromCall, type PairEntry, type PairRecord } from '../core/run/records.ts';
import { redactRecords } from '../core/archive/report.ts';
import { idbJournalBackend } from './journal-idb.ts';

let dbCount = 0;
const freshBackend = () => idbJournalBackend(`journal-test-${++dbCount}`);

const pairs: PairEntry[] = Array.from({ length: 10 }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
const ok = (i: number): PairRecord => recordFromCall(pairs[i]!, { ok: true, status: 200, timeMs: 10 + i, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9 } });
const bad = (i: number): PairRecord => recordFromCall(pairs[i]!, { ok: false, status: 500, timeMs: 5, attempts: 3, error: { type: 'http', message: 'The server failed (HTTP 500).' } });

const TOKEN = 'tok-SECRET-123456';
const snapshot = { contract: kwikid, baseUrl: 'http://user:pw@127.0.0.1:8080', credentials: { token: TOKEN }, timeoutMs: 30000, retries: 2, concurrency: 1, ratePerSecond: null };

/** A clock whose timers run only when the test says time has passed. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  return {
    now: () => now,
    setTimeout: (fn, ms) => { timers.push({ at: now + ms, fn, id: ++id }); return id; },
    clearTimeout: (h) => { timers = timers.filter((t) => t.id !== h); },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

async function startRun(journal: Journal, remember = false, name = 'regress.zip') {
  return journal.start({
    id: journal.newId(),
    input: { name, size: 1234, lastModified: 1700000000000, fingerprint: 'fm1-20-abc' },
    pairs, skipped: [], notices: [],
    settings: journalSettings(snapshot, remember),
    startedAt: new Date().toISOString(),
  });
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('run journal on IndexedDB', () => {
  it('round-trips a run: meta, pair list, records in order, sent markers, progress for the banner', async () => {
    const clock = manualClock();
    const journal = new Journal(freshBackend(), clock);
    const run = await startRun(journal);
    const rec = createRecorder(journal, run, new Map(), { clock });
    for (let i = 0; i < 4; i++) {
      rec.sent(i);
      rec.record(i === 2 ? bad(i) : ok(i), i);
    }
    rec.sent(4); // in flight when the page "dies"
    await rec.flush();

    const again = new Journal(freshBackendSame(journal.backend), clock);
    const read = (await again.read(run.id))!;
    expect(read.run.input).toEqual(run.input);
    expect(read.run.pairs).toEqual(pairs);
    expect(read.entries.map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(read.entries[2]!.record).toEqual(bad(2));
    expect(read.run.progress).toEqual({ done: 4, failed: 1, notRun: 0 });
    expect(bannerSentence(read.run)).toBe('Unfinished run of regress.zip: 4 of 10 pairs done (1 failed).');

    const plan = resumePlan(read.run, read.entries, read.sent);
    expect(plan.firstRemaining).toBe(4);
    expect(plan.remaining).toEqual([4, 5, 6, 7, 8, 9]);
    expect([...plan.resent]).toEqual([4]);

    const soFar = recordsSoFar(read.run, read.entries, read.sent);
    expect(soFar).toHaveLength(10);
    expect(soFar.slice(4).every((r) => !r.success && r.error.type === 'not_run')).toBe(true);
  });

  it('writes a record as soon as it arrives, and batches what arrives while a write is in flight', async () => {
    const clock = manualClock();
    const real = freshBackend();
    const batches: number[] = [];
    let release: (() => void) | null = null;
    const slow: JournalBackend = {
      ...real,
      append: async (...a) => {
        batches.push(a[1].length);
        if (batches.length === 1) await new Promise<void>((r) => { release = r; });
        return real.append(...a);
      },
    };
    const journal = new Journal(slow, clock);
    const run = await startRun(journal);
    const rec = createRecorder(journal, run, new Map(), { clock });
    rec.record(ok(0), 0);
    await settle();
    expect(batches).toEqual([1]); // written at once, no timer needed
    rec.record(ok(1), 1);
    rec.record(ok(2), 2);
    rec.sent(3);
    await settle();
    expect(batches).toEqual([1]); // waiting for the first write
    release!();
    await rec.flush();
    expect(batches).toEqual([1, 2]); // the two that waited went together
    const read = (await journal.read(run.id))!;
    expect(read.entries.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(read.sent).toEqual([3]);
    expect(FLUSH_MS).toBeLessThanOrEqual(1000);
  });

  it('stores no secret when "Remember" is off: no token, no URL credentials, echoed tokens redacted', async () => {
    const clock = manualClock();
    const backend = freshBackend();
    const journal = new Journal(backend, clock);
    const run = await startRun(journal, false);
    const rec = createRecorder(journal, run, new Map(), { clock, secrets: () => [TOKEN], redact: redactRecords });
    rec.record(recordFromCall(pairs[0]!, { ok: true, status: 200, timeMs: 1, attempts: 1, body: { echoed: `Bearer ${TOKEN}` } }), 0);
    await rec.flush();
    const dump = JSON.stringify([await backend.listRuns(), await backend.readRun(run.id)]);
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain('user:pw');
    expect(dump).toContain('[redacted]');
    expect(missingSecrets(run).map((c) => c.key)).toEqual(['token']);

    const remembered = await startRun(journal, true);
    expect(remembered.settings.credentials.token).toBe(TOKEN);
    expect(missingSecrets(remembered)).toEqual([]);
  });

  it('keeps at most the last 5 runs and deletes downloaded ones when a run starts', async () => {
    const clock = manualClock();
    const journal = new Journal(freshBackend(), clock);
    const ids: string[] = [];
    for (let i = 0; i < KEEP_RUNS + 2; i++) {
      clock.advance(10);
      ids.push((await startRun(journal, false, `run${i}.zip`)).id);
    }
    expect((await journal.list()).map((r) => r.id)).toEqual(ids.slice(-KEEP_RUNS).reverse());
    await journal.update(ids.at(-1)!, { downloaded: true, status: 'finished' });
    clock.advance(10);
    const next = await startRun(journal, false, 'next.zip');
    const left = (await journal.list()).map((r) => r.id);
    expect(left).not.toContain(ids.at(-1));
    expect(left[0]).toBe(next.id);
    expect(left).toHaveLength(KEEP_RUNS);
  });

  it('Discard deletes the run and its records', async () => {
    const clock = manualClock();
    const backend = freshBackend();
    const journal = new Journal(backend, clock);
    const run = await startRun(journal);
    const rec = createRecorder(journal, run, new Map(), { clock });
    rec.record(ok(0), 0);
    rec.sent(1);
    await rec.flush();
    await journal.discard(run.id);
    expect(await journal.read(run.id)).toBeNull();
    expect(await backend.readRun(run.id)).toEqual({ records: [], sent: [] });
    expect(await journal.banner()).toBeNull();
  });

  it('a quota error becomes one sentence and the recorder keeps going', async () => {
    const clock = manualClock();
    const real = freshBackend();
    let full = true;
    const quota = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    const flaky: JournalBackend = { ...real, append: (...a) => (full ? Promise.reject(quota) : real.append(...a)) };
    const journal = new Journal(flaky, clock);
    const run = await startRun(journal);
    const errors: string[] = [];
    const rec = createRecorder(journal, run, new Map(), { clock, onError: (s) => errors.push(s) });
    rec.record(ok(0), 0);
    await rec.flush();
    rec.record(ok(1), 1);
    await rec.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/storage for this site is full.*run of regress\.zip.*the run continues/);
    expect(rec.failed).toBe(true);
    full = false;
    rec.record(ok(2), 2);
    await rec.flush();
    expect((await journal.read(run.id))!.entries.map((e) => e.index)).toEqual([2]);
  });
});

/** localStorage as the page has it (jsdom-free): a Map, optionally full. */
class MemoryStorage implements Storage {
  readonly map = new Map<string, string>();
  full = false;
  get length() { return this.map.size; }
  clear() { this.map.clear(); }
  getItem(k: string) { return this.map.get(k) ?? null; }
  key(i: number) { return [...this.map.keys()][i] ?? null; }
  removeItem(k: string) { this.map.delete(k); }
  setItem(k: string, v: string) {
    if (this.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.map.set(k, v);
  }
}

describe('sent pairs noted synchronously (localStorage register)', () => {
  it('a send waits for no database write, and after a crash only the call in flight is sent again', async () => {
    const storage = new MemoryStorage();
    const name = `journal-test-${++dbCount}`;
    const clock = manualClock();
    const journal = new Journal(idbJournalBackend(name, storage), clock);
    const run = await startRun(journal);
    // The database never finishes a write after the first: only the register can save the run.
    const backend = journal.backend;
    let writes = 0;
    const stalled: JournalBackend = { ...backend, append: (...a) => (++writes === 1 ? backend.append(...a) : new Promise<void>(() => {})) };
    const rec = createRecorder(new Journal(stalled, clock), run, new Map(), { clock, secrets: () => [TOKEN], redact: redactRecords });
    await rec.sent(0);
    rec.record(ok(0), 0);
    await rec.flush(); // record 0 is in the database
    await rec.sent(1);
    rec.record({ ...ok(1), error_body: `echo ${TOKEN}` } as PairRecord, 1); // its database write never ends
    await rec.sent(2); // resolves at once: in flight when the page dies
    expect(storage.getItem(`${name}:unrecorded:${run.id}`)).not.toContain(TOKEN);

    const read = (await new Journal(idbJournalBackend(name, storage), clock).read(run.id))!;
    expect(read.entries.map((e) => e.index)).toEqual([0, 1]);
    expect(JSON.stringify(read.entries[1]!.record)).toContain('[redacted]');
    const plan = resumePlan(read.run, read.entries, read.sent);
    expect([...plan.resent]).toEqual([2]);
    expect(plan.remaining).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('the register empties once the records are in the database, and goes when the run is discarded', async () => {
    const storage = new MemoryStorage();
    const name = `journal-test-${++dbCount}`;
    const clock = manualClock();
    const journal = new Journal(idbJournalBackend(name, storage), clock);
    const run = await startRun(journal);
    const rec = createRecorder(journal, run, new Map(), { clock });
    for (let i = 0; i < 3; i++) {
      await rec.sent(i);
      rec.record(ok(i), i);
    }
    await rec.flush();
    expect(storage.getItem(`${name}:unrecorded:${run.id}`)).toBeNull();
    await rec.sent(3);
    expect(JSON.parse(storage.getItem(`${name}:unrecorded:${run.id}`)!)).toEqual({ sent: [3], records: [] });
    await journal.discard(run.id);
    expect(storage.length).toBe(0);
  });

  it('falls back to an awaited marker in the database when localStorage refuses the write', async () => {
    const storage = new MemoryStorage();
    storage.full = true;
    const name = `journal-test-${++dbCount}`;
    const clock = manualClock();
    const journal = new Journal(idbJournalBackend(name, storage), clock);
    const run = await startRun(journal);
    const rec = createRecorder(journal, run, new Map(), { clock });
    await rec.sent(0);
    rec.record(ok(0), 0);
    await rec.sent(1); // awaited: marker 1 and record 0 are in the database when it resolves
    const read = (await new Journal(idbJournalBackend(name, new MemoryStorage()), clock).read(run.id))!;
    expect(read.entries.map((e) => e.index)).toEqual([0]);
    expect(read.sent).toEqual([0, 1]);
    expect(rec.failed).toBe(false);
  });
});

describe('journal database written by an earlier version', () => {
  it('still lists a run journalled before progress had its own store, and resumes it', async () => {
    const name = `journal-test-${++dbCount}`;
    const clock = manualClock();
    // Version 1 of the schema: the progress lived on the run object itself.
    const v1 = await openDB(name, 1, {
      upgrade(d) {
        d.createObjectStore('runs', { keyPath: 'id' });
        d.createObjectStore('records', { keyPath: ['runId', 'index'] });
        d.createObjectStore('sent', { keyPath: ['runId', 'index'] });
      },
    });
    const old = {
      id: 'run-old', createdAt: 1, updatedAt: 2, input: { name: 'old.zip', size: 1, lastModified: 1, fingerprint: 'fm1-x' },
      pairs, skipped: [], notices: [], settings: journalSettings(snapshot, false), status: 'running', downloaded: false,
      progress: { done: 1, failed: 0, notRun: 0 }, startedAt: new Date(0).toISOString(),
    };
    await v1.put('runs', old);
    await v1.put('records', { runId: 'run-old', index: 0, record: ok(0) });
    v1.close();

    const journal = new Journal(idbJournalBackend(name), clock);
    const banner = (await journal.banner())!;
    expect(bannerSentence(banner)).toBe('Unfinished run of old.zip: 1 of 10 pairs done.');
    const rec = createRecorder(journal, banner, new Map([[0, ok(0)]]), { clock });
    rec.record(bad(1), 1);
    await rec.flush();
    expect(bannerSentence((await journal.banner())!)).toBe('Unfinished run of old.zip: 2 of 10 pairs done (1 failed).');
    expect((await journal.read('run-old'))!.entries.map((e) => e.index)).toEqual([0, 1]);
  });
});

describe('re-run records', () => {
  it('keep counting attempts and say what the error was before', () => {
    const before = bad(3);
    const after = rerunRecord(before, ok(3));
    expect(after.success).toBe(true);
    expect(after.attempts).toBe(before.attempts + 1);
    expect(after.previous_error).toEqual({ type: 'http', message: 'The server failed (HTTP 500).', http_status: 500 });
    const remaining = rerunRecord(notRunRecord(pairs[4]!), ok(4));
    expect(remaining.previous_error?.type).toBe('not_run');
    expect(Object.keys(after).slice(-2)).toEqual(['attempts', 'previous_error']);
  });
});

/** The same database, opened again (as after a reload). */
function freshBackendSame(_b: JournalBackend): JournalBackend {
  return idbJournalBackend(`journal-test-${dbCount}`);
}
