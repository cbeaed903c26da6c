/**
 * The journal's "sent, no record in the database yet" register (core/run/journal.ts UnrecordedRegister)
 * in the origin private file system, for the run session in a Web Worker, where localStorage does
 * not exist. One small JSON file per run, written through a FileSystemSyncAccessHandle (dedicated
 * workers only): a write is synchronous, so a send waits for no database round trip, and what is
 * written is in the file when the page dies, so after a crash at most the calls in flight are sent
 * again. The handle is opened (asynchronously) when the run's journal session starts (`open`); a
 * write for a run whose file is not open throws, and the recorder then falls back to a `sent`
 * marker in IndexedDB per send (the same guarantee, one storage round trip per pair).
 *
 * The page reads the files back (asynchronously, with getFile) when it resumes a run: `read` here
 * may answer with a promise.
 */
import type { JournalEntry, UnrecordedRegister } from '../core/run/journal.ts';

/** The folder of the origin private file system that holds the registers. */
export const REGISTER_DIR = 'facematch-journal-unrecorded';

/** The part of FileSystemSyncAccessHandle this register uses. */
export interface SyncHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

/** The part of FileSystemDirectoryHandle this register uses. */
export interface RegisterDir {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<{
    getFile(): Promise<Blob>;
    createSyncAccessHandle?: () => Promise<SyncHandle>;
  }>;
  removeEntry(name: string): Promise<void>;
}

type State = { sent: number[]; records: JournalEntry[] };

const fileName = (runId: string) => `${encodeURIComponent(runId)}.json`;

/** The register's state as stored, checked: malformed content reads as an empty register. */
export function parseRegister(text: string): State {
  try {
    const parsed = JSON.parse(text || '{}') as { sent?: unknown; records?: unknown };
    const sent = Array.isArray(parsed.sent) ? parsed.sent.filter((i): i is number => Number.isInteger(i)) : [];
    const records = Array.isArray(parsed.records)
      ? parsed.records.filter((e): e is JournalEntry => !!e && typeof e === 'object' && Number.isInteger((e as JournalEntry).index) && !!(e as JournalEntry).record)
      : [];
    return { sent, records };
  } catch {
    return { sent: [], records: [] };
  }
}

export type OpfsRegister = UnrecordedRegister & {
  open(runId: string): Promise<void>;
  close(runId: string): void;
  read(runId: string): Promise<State>;
};

/** A register on `dir` (the origin private file system's REGISTER_DIR folder). */
export function opfsRegister(dir: () => Promise<RegisterDir>): OpfsRegister {
  const open = new Map<string, SyncHandle>();
  const encoder = new TextEncoder();
  return {
    async open(runId) {
      if (open.has(runId)) return;
      const file = await (await dir()).getFileHandle(fileName(runId), { create: true });
      if (!file.createSyncAccessHandle) throw new Error('Synchronous file access is not available here.');
      open.set(runId, await file.createSyncAccessHandle());
    },
    close(runId) {
      const handle = open.get(runId);
      if (!handle) return;
      open.delete(runId);
      try {
        handle.flush();
      } finally {
        handle.close();
      }
    },
    write(runId, state) {
      const handle = open.get(runId);
      if (!handle) throw new Error(`The register of run ${runId} is not open.`);
      const empty = state.sent.length === 0 && state.records.length === 0;
      const bytes = encoder.encode(empty ? '' : JSON.stringify(state));
      // No flush per write: what is written is in the file when the page or the tab dies.
      handle.truncate(0);
      if (bytes.length) handle.write(bytes, { at: 0 });
    },
    async read(runId) {
      try {
        const file = await (await dir()).getFileHandle(fileName(runId));
        return parseRegister(await (await file.getFile()).text());
      } catch {
        return { sent: [], records: [] }; // no file: nothing was in flight
      }
    },
  };
}

/** Deletes a run's register file (its run was deleted from the journal). */
export async function removeRegister(dir: () => Promise<RegisterDir>, runId: string): Promise<void> {
  try {
    await (await dir()).removeEntry(fileName(runId));
  } catch {
    // No file, or open elsewhere: a leftover names pairs of a run that no longer exists, harmless.
  }
}

/** The origin private file system's REGISTER_DIR folder, or null when this context has none. */
export function opfsDir(): (() => Promise<RegisterDir>) | null {
  const storage = (globalThis as { navigator?: { storage?: { getDirectory?: () => Promise<{ getDirectoryHandle(name: string, o?: { create?: boolean }): Promise<unknown> }> } } }).navigator?.storage;
  if (!storage?.getDirectory) return null;
  let dirp: Promise<RegisterDir> | null = null;
  return () => {
    dirp ??= storage.getDirectory!()
      .then((root) => root.getDirectoryHandle(REGISTER_DIR, { create: true }) as Promise<RegisterDir>)
      .catch((err: unknown) => {
        dirp = null;
        throw err;
      });
    return dirp;
  };
}

/** Whether this context can write a register synchronously (a dedicated worker with OPFS). */
export function canSyncAccess(): boolean {
  const g = globalThis as { FileSystemFileHandle?: { prototype: object } };
  return !!g.FileSystemFileHandle && 'createSyncAccessHandle' in g.FileSystemFileHandle.prototype && opfsDir() !== null;
}
