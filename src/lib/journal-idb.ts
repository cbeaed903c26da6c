/**
 * The run journal's storage in the browser: IndexedDB through `idb` (core/journal.ts holds the
 * logic and the JournalBackend interface this implements).
 *
 * Database "facematch-journal", version 1:
 *   runs     key: id                  one JournalRun per run (meta, pair list, settings, progress)
 *   records  key: [runId, index]      one final record per pair
 *   sent     key: [runId, index]      a marker per pair whose call started
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { JournalBackend, JournalEntry, JournalProgress, JournalRun } from '../core/journal.ts';
import type { PairRecord } from '../core/records.ts';
import { JOURNAL_DB } from './journal-exists.ts';

export { JOURNAL_DB };

interface JournalDB extends DBSchema {
  runs: { key: string; value: JournalRun };
  records: { key: [string, number]; value: { runId: string; index: number; record: PairRecord } };
  sent: { key: [string, number]; value: { runId: string; index: number } };
}

function runRange(runId: string): IDBKeyRange {
  return IDBKeyRange.bound([runId, -Infinity], [runId, Infinity]);
}

/** A JournalBackend on IndexedDB; the database opens on first use. */
export function idbJournalBackend(name = JOURNAL_DB): JournalBackend {
  let dbp: Promise<IDBPDatabase<JournalDB>> | null = null;
  const db = () => {
    dbp ??= openDB<JournalDB>(name, 1, {
      upgrade(d) {
        d.createObjectStore('runs', { keyPath: 'id' });
        d.createObjectStore('records', { keyPath: ['runId', 'index'] });
        d.createObjectStore('sent', { keyPath: ['runId', 'index'] });
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
      await (await db()).put('runs', run);
    },
    async getRun(id) {
      return (await db()).get('runs', id);
    },
    async listRuns() {
      return (await db()).getAll('runs');
    },
    async append(runId: string, entries: readonly JournalEntry[], progress: JournalProgress, updatedAt: number, sent: readonly number[] = []) {
      const tx = (await db()).transaction(['runs', 'records', 'sent'], 'readwrite');
      const records = tx.objectStore('records');
      const runs = tx.objectStore('runs');
      const sentStore = tx.objectStore('sent');
      const writes: Promise<unknown>[] = entries.map((e) => records.put({ runId, index: e.index, record: e.record }));
      for (const index of sent) writes.push(sentStore.put({ runId, index }));
      const run = await runs.get(runId);
      if (run) writes.push(runs.put({ ...run, progress, updatedAt }));
      await Promise.all([...writes, tx.done]);
    },
    async readRun(runId) {
      const d = await db();
      const [records, sent] = await Promise.all([d.getAll('records', runRange(runId)), d.getAllKeys('sent', runRange(runId))]);
      return { records: records.map((r) => ({ index: r.index, record: r.record })), sent: sent.map((k) => k[1]) };
    },
    async deleteRun(runId) {
      const tx = (await db()).transaction(['runs', 'records', 'sent'], 'readwrite');
      await Promise.all([
        tx.objectStore('runs').delete(runId),
        tx.objectStore('records').delete(runRange(runId)),
        tx.objectStore('sent').delete(runRange(runId)),
        tx.done,
      ]);
    },
  };
}
