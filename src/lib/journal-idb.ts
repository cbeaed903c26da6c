/**
 * The run journal's storage in the browser: IndexedDB through `idb` (core/run/journal.ts holds the
 * logic and the JournalBackend interface this implements).
 *
 * Database "facematch-journal", version 2:
 *   runs      key: id                 one JournalRun per run (meta, pair list, settings)
 *   records   key: [runId, index]     one final record per pair
 *   sent      key: [runId, index]     a marker per pair whose call started
 *   progress  key: runId              the run's progress and updatedAt (version 2)
 *
 * The progress lives apart from the run so that a write during the run touches only small
 * objects: the run object carries the whole pair list, and reading and rewriting it on every
 * append made each write cost O(pairs) (a 10,000-pair run rewrote ~1 MB per record). Version-1
 * databases keep working: their runs still carry a progress, overlaid by the progress store's.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { JournalBackend, JournalEntry, JournalProgress, JournalRun, UnrecordedRegister } from '../core/run/journal.ts';
import type { PairRecord } from '../core/run/records.ts';
import { JOURNAL_DB } from './journal-exists.ts';
import { opfsDir, opfsRegister, parseRegister, removeRegister, type RegisterDir } from './journal-opfs.ts';

export { JOURNAL_DB };

interface JournalDB extends DBSchema {
  runs: { key: string; value: JournalRun };
  records: { key: [string, number]; value: { runId: string; index: number; record: PairRecord } };
  sent: { key: [string, number]; value: { runId: string; index: number } };
  progress: { key: string; value: { runId: string; progress: JournalProgress; updatedAt: number } };
}

type ProgressRow = JournalDB['progress']['value'];

/** The run as the journal sees it: its latest progress, when one was written apart. */
function withProgress(run: JournalRun, row: ProgressRow | undefined): JournalRun {
  return row ? { ...run, progress: row.progress, updatedAt: Math.max(run.updatedAt, row.updatedAt) } : run;
}

function runRange(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId, -Infinity], [runId, Infinity]);
}

const UNRECORDED_PREFIX = `${JOURNAL_DB}:unrecorded:`;

/** The "sent, no record in the database yet" register in localStorage, when this page may use it. */
function localUnrecorded(storage: Storage | undefined, prefix: string): UnrecordedRegister | undefined {
  if (!storage) return undefined;
  return {
    write(runId, state) {
      if (state.sent.length === 0 && state.records.length === 0) storage.removeItem(prefix + runId);
      else storage.setItem(prefix + runId, JSON.stringify(state));
    },
    read(runId) {
      try {
        return parseRegister(storage.getItem(prefix + runId) ?? '');
      } catch {
        return { sent: [], records: [] }; // storage disabled for this site
      }
    },
  };
}

function pageStorage(): Storage | undefined {
  try {
    return typeof localStorage === 'undefined' ? undefined : localStorage;
  } catch {
    return undefined; // storage disabled for this site
  }
}

/**
 * A JournalBackend on IndexedDB; the database opens on first use.
 *
 * The synchronous register (JournalBackend.unrecorded) is written to localStorage on the page and,
 * with `registerIn: 'opfs'` (the run session in a worker, where there is no localStorage), to the
 * origin private file system (journal-opfs.ts); reading a run merges both, so the page resumes
 * a run whichever wrote it. Without either, the recorder uses the database's `sent` markers.
 */
export function idbJournalBackend(
  name = JOURNAL_DB,
  storage: Storage | undefined = pageStorage(),
  opfs: (() => Promise<RegisterDir>) | null = opfsDir(),
  registerIn: 'local' | 'opfs' = 'local',
): JournalBackend {
  const local = localUnrecorded(storage, name === JOURNAL_DB ? UNRECORDED_PREFIX : `${name}:unrecorded:`);
  const files = opfs ? opfsRegister(opfs) : undefined;
  const unrecorded = registerIn === 'opfs' ? files : local;
  /** What the registers hold for a run: the page's (localStorage) and a worker's (OPFS) together. */
  const noted = async (runId: string): Promise<{ sent: number[]; records: JournalEntry[] }> => {
    const parts = await Promise.all([local?.read(runId), files?.read(runId)]);
    return { sent: parts.flatMap((p) => p?.sent ?? []), records: parts.flatMap((p) => p?.records ?? []) };
  };
  let dbp: Promise<IDBPDatabase<JournalDB>> | null = null;
  const db = () => {
    dbp ??= openDB<JournalDB>(name, 2, {
      upgrade(d, oldVersion) {
        if (oldVersion < 1) {
          d.createObjectStore('runs', { keyPath: 'id' });
          d.createObjectStore('records', { keyPath: ['runId', 'index'] });
          d.createObjectStore('sent', { keyPath: ['runId', 'index'] });
        }
        if (oldVersion < 2) d.createObjectStore('progress', { keyPath: 'runId' });
      },
      // Another tab upgrading the schema: let it, and reopen on the next call.
      blocking() {
        void dbp?.then((x) => x.close());
        dbp = null;
      },
    }).catch((err: unknown) => {
      dbp = null;
      throw err;
    });
    return dbp;
  };

  return {
    async putRun(run) {
      // The run's own progress wins over an older one written apart.
      const tx = (await db()).transaction(['runs', 'progress'], 'readwrite');
      await Promise.all([
        tx.objectStore('runs').put(run),
        tx.objectStore('progress').put({ runId: run.id, progress: run.progress, updatedAt: run.updatedAt }),
        tx.done,
      ]);
    },
    async getRun(id) {
      const tx = (await db()).transaction(['runs', 'progress'], 'readonly');
      const [run, row] = await Promise.all([tx.objectStore('runs').get(id), tx.objectStore('progress').get(id), tx.done]);
      return run ? withProgress(run, row) : undefined;
    },
    async listRuns() {
      const tx = (await db()).transaction(['runs', 'progress'], 'readonly');
      const [runs, rows] = await Promise.all([tx.objectStore('runs').getAll(), tx.objectStore('progress').getAll(), tx.done]);
      const byRun = new Map(rows.map((r) => [r.runId, r]));
      return runs.map((run) => withProgress(run, byRun.get(run.id)));
    },
    async append(runId: string, entries: readonly JournalEntry[], progress: JournalProgress, updatedAt: number, sent: readonly number[] = []) {
      const tx = (await db()).transaction(['records', 'sent', 'progress'], 'readwrite');
      const records = tx.objectStore('records');
      const sentStore = tx.objectStore('sent');
      const writes: Promise<unknown>[] = entries.map((e) => records.put({ runId, index: e.index, record: e.record }));
      for (const index of sent) writes.push(sentStore.put({ runId, index }));
      writes.push(tx.objectStore('progress').put({ runId, progress, updatedAt }));
      await Promise.all([...writes, tx.done]);
    },
    async readRun(runId) {
      const d = await db();
      const [records, sent] = await Promise.all([d.getAll('records', runRange(runId)), d.getAllKeys('sent', runRange(runId))]);
      // The register carries what the page had not yet written here when it died.
      const register = await noted(runId);
      const byIndex = new Map<number, JournalEntry>(register.records.map((e) => [e.index, e]));
      for (const r of records) byIndex.set(r.index, { index: r.index, record: r.record });
      const all = new Set([...sent.map((k) => k[1]), ...register.sent]);
      return { records: [...byIndex.values()].sort((a, b) => a.index - b.index), sent: [...all].sort((a, b) => a - b) };
    },
    async deleteRun(runId) {
      const tx = (await db()).transaction(['runs', 'records', 'sent', 'progress'], 'readwrite');
      await Promise.all([
        tx.objectStore('runs').delete(runId),
        tx.objectStore('progress').delete(runId),
        tx.objectStore('records').delete(runRange(runId)),
        tx.objectStore('sent').delete(runRange(runId)),
        tx.done,
      ]);
      try {
        local?.write(runId, { sent: [], records: [] });
      } catch {
        // A leftover register entry names pairs of a run that no longer exists: harmless.
      }
      if (opfs) await removeRegister(opfs, runId);
    },
    ...(unrecorded ? { unrecorded } : {}),
  };
}
