/**
 * A run's side of the run journal: one JournalSession per run (a fresh run, a resumed one, or a
 * re-run of some pairs), so the run only calls start / record / sent / finish / downloaded at the
 * right moments. A journal failure never stops a run: the session reports a
 * sentence once and the run continues (a session that could not even start records nothing).
 */
import { zipFingerprint } from '../zip/fingerprint.ts';
import { Journal, journalErrorSentence, journalSettings, type JournalRun } from './journal.ts';
import { createRecorder, type JournalRecorder } from './journal-run.ts';
import type { PairRecord } from './records.ts';
import type { CallSettings } from '../request/request.ts';
import type { SweepSettings } from '../sweep/spec.ts';
import { redactRecords } from '../secrets/secrets.ts';
import type { OpenedZip } from '../zip/zip.ts';

export interface JournalSession {
  readonly runId: string;
  record(record: PairRecord, index: number): void;
  sent(index: number): void | Promise<void>;
  /** Writes what is pending and stores how the run ended. */
  finish(end: { stopped: boolean; finishedAt: string; stopReason?: string; rerun?: number }): Promise<void>;
  /** The archive was saved: the journal may delete this run when the next one starts. */
  downloaded(): Promise<void>;
}

export interface SessionOptions {
  journal: Journal;
  /** Shown once when the journal cannot write (quota, storage disabled). */
  onError: (sentence: string) => void;
  /** Secret values to scrub from stored records (none when "Remember" is on): read at each record, so a renewed token is scrubbed too. */
  secrets: () => readonly string[];
}

type Snapshot = CallSettings & { concurrency?: number; ratePerSecond?: number | null };

/** A journal session for a new run. Resolves to a session that records nothing when storage fails. */
export async function startSession(
  o: SessionOptions,
  run: { file: { name: string; size: number; lastModified: number }; zip: Pick<OpenedZip, 'entries' | 'pairs' | 'skipped' | 'notices'>; snapshot: Snapshot; remember: boolean; startedAt: string; labels?: unknown; sweep?: SweepSettings },
): Promise<{ session: JournalSession; run: JournalRun | null }> {
  try {
    const stored = await o.journal.start({
      id: o.journal.newId(),
      input: { name: run.file.name, size: run.file.size, lastModified: run.file.lastModified, fingerprint: zipFingerprint(run.zip.entries) },
      pairs: run.zip.pairs,
      skipped: run.zip.skipped,
      notices: run.zip.notices,
      settings: journalSettings(run.snapshot, run.remember),
      startedAt: run.startedAt,
      ...(run.labels !== undefined ? { labels: run.labels } : {}),
      ...(run.sweep ? { sweep: run.sweep } : {}),
    });
    await openRegister(o.journal, stored.id);
    return { session: session(o, stored, new Map(), run.remember), run: stored };
  } catch (err) {
    o.onError(errorSentence(err, run.file.name));
    return { session: nullSession(), run: null };
  }
}

/** A session continuing a journalled run (Resume, Re-run failed, Run remaining). */
export async function continueSession(
  o: SessionOptions,
  run: JournalRun,
  existing: ReadonlyMap<number, PairRecord>,
): Promise<JournalSession> {
  try {
    await o.journal.update(run.id, { status: 'running', downloaded: false });
    await openRegister(o.journal, run.id);
    return session(o, run, existing, run.settings.remembered);
  } catch (err) {
    o.onError(errorSentence(err, run.input.name));
    return nullSession();
  }
}

function session(o: SessionOptions, run: Pick<JournalRun, 'id' | 'input'>, existing: ReadonlyMap<number, PairRecord>, remembered: boolean): JournalSession {
  const recorder: JournalRecorder = createRecorder(o.journal, run, existing, {
    secrets: () => (remembered ? [] : o.secrets()),
    redact: redactRecords,
    onError: o.onError,
  });
  return {
    runId: run.id,
    record: (r, i) => recorder.record(r, i),
    sent: (i) => recorder.sent(i),
    async finish(end) {
      await recorder.flush();
      try {
        o.journal.backend.unrecorded?.close?.(run.id);
      } catch {
        // Everything is in the database by now: the register is no longer read.
      }
      try {
        await o.journal.update(run.id, {
          status: end.stopped ? 'stopped' : 'finished',
          finishedAt: end.finishedAt,
          ...(end.stopReason !== undefined ? { stopReason: end.stopReason } : {}),
          ...(end.rerun !== undefined ? { rerun: end.rerun } : {}),
        });
      } catch (err) {
        if (!recorder.failed) o.onError(errorSentence(err, run.input.name));
      }
    },
    async downloaded() {
      try {
        await o.journal.update(run.id, { downloaded: true });
      } catch {
        // Not being able to mark it only means the banner may offer this run once more.
      }
    },
  };
}

/**
 * Opens the backend's synchronous register for this run when it needs opening; when it cannot be,
 * its writes throw and the recorder keeps the crash guarantee with the database's `sent` markers.
 */
async function openRegister(journal: Journal, runId: string): Promise<void> {
  try {
    await journal.backend.unrecorded?.open?.(runId);
  } catch {
    // See above: the recorder falls back on its first send.
  }
}

function nullSession(): JournalSession {
  return {
    runId: '',
    record: () => {},
    sent: () => {},
    finish: async () => {},
    downloaded: async () => {},
  };
}

function errorSentence(err: unknown, name: string): string {
  return journalErrorSentence(err, name);
}
