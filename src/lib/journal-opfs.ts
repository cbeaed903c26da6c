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
  // A record stays in the register from its answer until the database has it, through every send
  // in between: it is encoded once, and each write copies the bytes into one reused buffer.
  const encoded = new WeakMap<JournalEntry, Uint8Array>();
  const bytesOf = (entry: JournalEntry): Uint8Array => {
    let bytes = encoded.get(entry);
    if (!bytes) {
      bytes = encoder.encode(JSON.stringify(entry));
      encoded.set(entry, bytes);
    }
    return bytes;
  };
  let buffer = new Uint8Array(64 * 1024);
  /** Each open run's file size after its last write: a file only needs cutting when it shrinks. */
  const sizes = new Map<string, number>();
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
      sizes.delete(runId);
      try {
        handle.flush();
      } finally {
        handle.close();
      }
    },
    write(runId, state) {
      const handle = open.get(runId);
      if (!handle) throw new Error(`The register of run ${runId} is not open.`);
      if (state.sent.length === 0 && state.records.length === 0) {
        if (sizes.get(runId) !== 0) handle.truncate(0);
        sizes.set(runId, 0);
        return;
      }
      // The file is the state's JSON: {"sent":[…],"records":[…]}.
      const head = encoder.encode(`{"sent":${JSON.stringify(state.sent)},"records":[`);
      const parts = state.records.map(bytesOf);
      const size = parts.reduce((n, p) => n + p.length + 1, head.length + 2);
      if (buffer.length < size) buffer = new Uint8Array(Math.max(size, buffer.length * 2));
      buffer.set(head, 0);
      let at = head.length;
      parts.forEach((p, i) => {
        if (i > 0) buffer[at++] = 0x2c; // ,
        buffer.set(p, at);
        at += p.length;
      });
      buffer[at++] = 0x5d; // ]
      buffer[at++] = 0x7d; // }
      // No flush per write: what is written is in the file when the page or the tab dies. Each
      // call on the handle costs about a millisecond, so the file is cut only when it shrank.
      handle.write(buffer.subarray(0, at), { at: 0 });
      if ((sizes.get(runId) ?? Infinity) > at) handle.truncate(at);
      sizes.set(runId, at);
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
