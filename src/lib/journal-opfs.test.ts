/**
 * The crash guarantee with the run session in a worker: "after a crash at most the calls in flight
 * are sent twice, each marked resumed". The worker has no localStorage; its register of calls in
 * flight is a file in the origin private file system written through a synchronous access handle
 * (journal-opfs.ts). Here the file system is an in-memory stand-in with the same methods, the
 * database is fake-indexeddb, and a "crash" is a page that stops while the database still has
 * writes pending: the next page must know every pair whose call had started.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { kwikid } from '../core/contracts/contracts.ts';
import { Journal, type JournalBackend, type JournalEntry } from '../core/run/journal.ts';
import { resumePlan } from '../core/run/journal-run.ts';
import { recordFromCall, type PairEntry, type PairRecord } from '../core/run/records.ts';
import { startSession } from '../core/run/journal-session.ts';
import { idbJournalBackend } from './journal-idb.ts';
import { opfsRegister, type RegisterDir, type SyncHandle } from './journal-opfs.ts';

const TOKEN = 'opfs-register-secret-token';
const pairs: PairEntry[] = Array.from({ length: 6 }, (_, i) => ({ pair_id: `p${i}`, image1_path: `p${i}_image1.jpg`, image2_path: `p${i}_image2.jpg` }));
const echoing = (i: number): PairRecord => recordFromCall(pairs[i]!, {
  ok: true, status: 200, timeMs: 5, attempts: 1, body: { facematch_result: 'True', confidence_score: 0.9, echo: `Bearer ${TOKEN}` },
});
const snapshot = { contract: kwikid, baseUrl: 'http://127.0.0.1:8080', credentials: { token: TOKEN }, timeoutMs: 30000, retries: 0, concurrency: 1, ratePerSecond: null };

/** The origin private file system's folder, in memory: files survive the "page" that wrote them. */
function memoryDir(opts: { syncAccess?: boolean } = {}) {
  const files = new Map<string, Uint8Array>();
  let locked = new Set<string>();
  const dir: RegisterDir = {
    async getFileHandle(name, o) {
      if (!files.has(name)) {
        if (!o?.create) throw Object.assign(new Error('not found'), { name: 'NotFoundError' });
        files.set(name, new Uint8Array());
      }
      return {
        getFile: async () => new Blob([files.get(name)! as Uint8Array<ArrayBuffer>]),
        ...(opts.syncAccess === false ? {} : {
          createSyncAccessHandle: async (): Promise<SyncHandle> => {
            if (locked.has(name)) throw Object.assign(new Error('locked'), { name: 'NoModificationAllowedError' });
            locked.add(name);
            return {
              write(buffer, w) {
                const at = w?.at ?? 0;
                const cur = files.get(name)!;
                const next = new Uint8Array(Math.max(cur.length, at + buffer.length));
                next.set(cur);
                next.set(buffer, at);
                files.set(name, next);
                return buffer.length;
              },
              truncate(size) { files.set(name, files.get(name)!.slice(0, size)); },
              flush() {},
              close() { locked.delete(name); },
            };
          },
        }),
      };
    },
    async removeEntry(name) { files.delete(name); },
  };
  return {
    dir: async () => dir,
    text: () => [...files.values()].map((b) => new TextDecoder().decode(b)).join('\n'),
    files,
    /** The page died: its handles are gone with it. */
    crash: () => { locked = new Set(); },
  };
}

/** A backend whose database writes never complete (the page dies before they do). */
function stalled(backend: JournalBackend): JournalBackend {
  return { ...backend, append: () => new Promise<void>(() => {}), unrecorded: backend.unrecorded! };
}

let n = 0;

async function startInWorker(backend: JournalBackend) {
  const journal = new Journal(backend);
  const errors: string[] = [];
  const { session, run } = await startSession(
    { journal, onError: (s) => errors.push(s), secrets: () => [TOKEN] },
    { file: { name: 'regress.zip', size: 10, lastModified: 1 }, zip: { entries: [], pairs, skipped: [], notices: [] }, snapshot, remember: false, startedAt: '2026-12-06T10:00:00.000Z' },
  );
  return { session, run: run!, errors };
}

describe('the crash register in the origin private file system (the run session in a worker)', () => {
  it('a send waits for no database write, and after a crash the next page knows the answered records and every call in flight: only those are sent again, marked resumed', async () => {
    const name = `opfs-journal-${++n}`;
    const fs = memoryDir();
    // The worker: no localStorage, the register in files.
    const { session, run, errors } = await startInWorker(stalled(idbJournalBackend(name, undefined, fs.dir, 'opfs')));
    const sends = [session.sent(0), session.sent(1)];
    session.record(echoing(0), 0);
    sends.push(session.sent(2));
    session.record(echoing(1), 1);
    sends.push(session.sent(3));
    // Every send went out although the database never finished a write.
    await Promise.all(sends);
    expect(errors).toEqual([]);
    fs.crash();

    // The next page: localStorage-less reading is enough, the files are merged in.
    const page = new Journal(idbJournalBackend(name, undefined, fs.dir, 'local'));
    const read = (await page.read(run.id))!;
    expect(read.entries.map((e) => e.index)).toEqual([0, 1]);
    const plan = resumePlan(read.run, read.entries, read.sent);
    expect([...plan.existing.keys()]).toEqual([0, 1]);
    expect([...plan.resent].sort()).toEqual([2, 3]);
    // The records in the file are redacted like the database's.
    expect(fs.text()).toContain('p1');
    expect(fs.text()).not.toContain(TOKEN);
  });

  it('each write replaces the whole register: a shorter state after a longer one reads back exactly, names in any script included', async () => {
    const fs = memoryDir();
    const register = opfsRegister(fs.dir);
    await register.open('run-1');
    const named = (i: number, id: string): JournalEntry => ({ index: i, record: { ...echoing(i), pair_id: id } });
    const [a, b, c] = [named(0, 'клиент-01'), named(1, '顧客_02'), named(2, 'p2')];
    register.write('run-1', { sent: [0, 1, 2, 3], records: [a, b, c] });
    expect(await register.read('run-1')).toEqual({ sent: [0, 1, 2, 3], records: [a, b, c] });
    register.write('run-1', { sent: [3, 4], records: [c] });
    expect(await register.read('run-1')).toEqual({ sent: [3, 4], records: [c] });
    expect(JSON.parse(fs.text())).toEqual({ sent: [3, 4], records: [c] });
    register.write('run-1', { sent: [], records: [] });
    expect(fs.text()).toBe('');
    register.close('run-1');
  });

  it('once everything is in the database the register is empty, and deleting the run deletes its file', async () => {
    const name = `opfs-journal-${++n}`;
    const fs = memoryDir();
    const backend = idbJournalBackend(name, undefined, fs.dir, 'opfs');
    const { session, run } = await startInWorker(backend);
    await session.sent(0);
    session.record(echoing(0), 0);
    await session.finish({ stopped: false, finishedAt: '2026-12-06T10:01:00.000Z' });
    expect(fs.text()).toBe('');
    const read = (await new Journal(idbJournalBackend(name, undefined, fs.dir)).read(run.id))!;
    expect(read.entries.map((e) => e.index)).toEqual([0]);
    await new Journal(backend).discard(run.id);
    expect(fs.files.size).toBe(0);
  });

  it('without synchronous file access each send waits for its marker in the database: after a crash the calls in flight are still known', async () => {
    const name = `opfs-journal-${++n}`;
    const fs = memoryDir({ syncAccess: false });
    const { session, run, errors } = await startInWorker(idbJournalBackend(name, undefined, fs.dir, 'opfs'));
    await session.sent(0);
    session.record(echoing(0), 0);
    await session.sent(1);
    expect(errors).toEqual([]);
    // The page dies now, with pair 1 in flight.
    const read = (await new Journal(idbJournalBackend(name, undefined, null)).read(run.id))!;
    const plan = resumePlan(read.run, read.entries, read.sent);
    expect([...plan.existing.keys()]).toEqual([0]);
    expect([...plan.resent]).toEqual([1]);
  });
});
