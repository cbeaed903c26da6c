/**
 * The run session's side of the session worker (src/workers/session.worker.ts, which only calls
 * serveRunSession with its global scope): reads the input ZIP, runs core's session with the
 * journal and the archive in this thread, posts the session's events and takes commands.
 * Apart from the worker file so a test can drive it through structured clones, as a worker would.
 */
import { startArchive } from '../core/archive/archive-client.ts';
import type { CallFn } from '../core/run/job.ts';
import { Journal } from '../core/run/journal.ts';
import { applyCommand, type SessionCommand } from '../core/run/host.ts';
import { startRunSession, type RunEvent, type RunSessionHandle, type RunSource } from '../core/run/session.ts';
import { errorText } from '../core/common/text.ts';
import { openZip } from '../core/zip/zip.ts';
import { idbJournalBackend } from './journal-idb.ts';
import { JOURNAL_DB } from './journal-exists.ts';
import { canSyncAccess, opfsDir } from './journal-opfs.ts';
import type { FromSessionWorker, ToSessionWorker } from './session-messages.ts';

export interface SessionWorkerScope {
  onmessage: ((event: { data: ToSessionWorker }) => void) | null;
  postMessage(message: FromSessionWorker, transfer?: Transferable[]): void;
  location: { origin: string };
}

export interface ServeOptions {
  /** The journal (default: IndexedDB, its crash register in the origin private file system when it can be written synchronously). */
  journal?: () => Journal;
  /** The call (a test's fake; callFacematch by default). */
  call?: CallFn;
  publishMs?: number;
}

export function serveRunSession(scope: SessionWorkerScope, options: ServeOptions = {}): void {
  let session: RunSessionHandle | null = null;
  /** Commands that arrived while the ZIP was being opened. */
  const early: SessionCommand[] = [];

  const emit = (event: RunEvent) => {
    // The records the page already has (every batch, in order) are not posted again at the end,
    // and the archive's bytes are handed over, not copied.
    if (event.type === 'building') scope.postMessage({ type: 'event', event: { ...event, input: { ...event.input, records: [] } }, batched: true });
    else if (event.type === 'finished') {
      const summary = { ...event.summary, records: [] };
      scope.postMessage({ type: 'event', event: { ...event, summary }, batched: true }, [event.bytes.buffer as ArrayBuffer]);
    } else scope.postMessage({ type: 'event', event });
  };

  async function start(msg: Extract<ToSessionWorker, { type: 'start' }>): Promise<void> {
    try {
      let zip: RunSource;
      try {
        // The ZIP's end and central directory again (the page holds no bytes to hand over); each
        // pair's images are read from the file here, when the pair is sent. Its pairs are the page's.
        const opened = await openZip(msg.file, msg.plan.input.name);
        zip = { readPair: opened.readPair, entries: opened.entries, pairs: msg.facts.pairs, skipped: msg.facts.skipped, notices: msg.facts.notices };
      } catch (err) {
        emit({ type: 'failed', building: false, reason: errorText(err) });
        return;
      }
      // No localStorage here: the register of calls in flight goes to the origin private file
      // system when this browser has synchronous file access, else to IndexedDB markers per send.
      const journal = msg.journal
        ? (options.journal?.() ?? new Journal(idbJournalBackend(JOURNAL_DB, undefined, opfsDir(), canSyncAccess() ? 'opfs' : 'local')))
        : undefined;
      session = startRunSession(msg.plan, {
        zip,
        ...(journal ? { journal } : {}),
        pageOrigin: scope.location.origin,
        // The archive in its own (nested) worker, as on the page: compressing and the xlsx library's
        // loading never sit between an answer and the next call (this thread when no worker starts).
        startArchive,
        ...(options.call ? { call: options.call } : {}),
        ...(options.publishMs !== undefined ? { publishMs: options.publishMs } : {}),
      }, emit);
      for (const command of early.splice(0)) applyCommand(session, command);
      await session.done;
    } catch (err) {
      emit({ type: 'failed', building: false, reason: errorText(err) });
    } finally {
      scope.postMessage({ type: 'done' });
    }
  }

  scope.onmessage = (event) => {
    const msg = event.data;
    if (msg.type === 'start') void start(msg);
    else if (session) applyCommand(session, msg.command);
    else early.push(msg.command);
  };
}
