/**
 * The run session of a Bulk run, off the page (core/run/session.ts): this worker reads the input
 * ZIP, makes the calls, writes the run journal (IndexedDB, and its crash register in the origin
 * private file system: lib/journal-opfs.ts) and the results archive, and posts the session's events
 * to the page, which only renders them. Commands (Stop, the answer to an auth pause) come in by
 * message. One worker per run: the page terminates it when the run is over.
 */
import { startArchiveHere } from '../core/archive-client.ts';
import { Journal } from '../core/journal.ts';
import { applyCommand, type SessionCommand } from '../core/run/host.ts';
import { startRunSession, type RunEvent, type RunSessionHandle, type RunSource } from '../core/run/session.ts';
import { errorText } from '../core/text.ts';
import { openZip } from '../core/zip.ts';
import { idbJournalBackend } from '../lib/journal-idb.ts';
import { JOURNAL_DB } from '../lib/journal-exists.ts';
import { canSyncAccess, opfsDir } from '../lib/journal-opfs.ts';
import type { FromSessionWorker, ToSessionWorker } from '../lib/session-messages.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToSessionWorker>) => void) | null;
  postMessage(message: FromSessionWorker, transfer?: Transferable[]): void;
  location: { origin: string };
}

const scope = self as unknown as WorkerScope;

let session: RunSessionHandle | null = null;
/** Commands that arrived while the ZIP was being opened. */
const early: SessionCommand[] = [];

const emit = (event: RunEvent) => {
  // The archive's bytes are handed over, not copied.
  if (event.type === 'finished') scope.postMessage({ type: 'event', event }, [event.bytes.buffer as ArrayBuffer]);
  else scope.postMessage({ type: 'event', event });
};

async function start(msg: Extract<ToSessionWorker, { type: 'start' }>): Promise<void> {
  try {
    let zip: RunSource;
    try {
      // The run's one read of the ZIP's bytes; its pairs are the page's (the same ZIP, opened the same way).
      const opened = await openZip(msg.file, msg.plan.input.name);
      zip = { readPair: opened.readPair, entries: opened.entries, pairs: msg.facts.pairs, skipped: msg.facts.skipped, notices: msg.facts.notices };
    } catch (err) {
      emit({ type: 'failed', building: false, reason: errorText(err) });
      return;
    }
    // No localStorage here: the register of calls in flight goes to the origin private file
    // system when this browser has synchronous file access, else to IndexedDB markers per send.
    const journal = msg.journal
      ? new Journal(idbJournalBackend(JOURNAL_DB, undefined, opfsDir(), canSyncAccess() ? 'opfs' : 'local'))
      : undefined;
    session = startRunSession(msg.plan, {
      zip,
      ...(journal ? { journal } : {}),
      pageOrigin: scope.location.origin,
      startArchive: startArchiveHere,
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
