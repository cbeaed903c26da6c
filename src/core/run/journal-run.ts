/**
 * What a run needs from the journal while it runs, is resumed or is re-run: the recorder that
 * appends records in batches (never more than FLUSH_MS unwritten), the resume plan, the records
 * for "Download results so far", and the records of a resumed or re-run pair. See journal.ts.
 */
import { countProgress, FLUSH_MS, FLUSH_RECORDS, journalErrorSentence, progressOf, type Clock, type Journal, type JournalEntry, type JournalRun } from './journal.ts';
import { isExcludedRecord } from '../pairing/preflight.ts';
import { isDone, isUnanswered } from './done.ts';
import { notRunRecord, type PairRecord } from './records.ts';

export interface RecorderOptions {
  /** Secret values to scrub from records before they are stored (none when remembered). */
  secrets?: () => readonly string[];
  /** Replaces the secrets in records (report.ts's redactRecords); required with `secrets`. */
  redact?: (records: readonly PairRecord[], secrets: readonly string[]) => PairRecord[];
  /** Called once, with a sentence, the first time a write fails. */
  onError?: (sentence: string) => void;
  clock?: Clock;
}

/** Appends one run's records as they arrive. Never throws; never blocks the run. */
export interface JournalRecorder {
  /** A final record (the job's record sink). */
  record(record: PairRecord, index: number): void;
  /**
   * A pair's call starts. With the backend's synchronous register it is noted there and the
   * promise is already resolved; otherwise its marker is written at once, with every record still
   * pending, and the promise resolves when they are stored (or the write failed). Either way a run
   * that waits for it before sending can tell, after a crash, exactly which pairs were sent and
   * have no record.
   */
  sent(index: number): Promise<void>;
  /** Writes everything pending; resolves when written (or failed). */
  flush(): Promise<void>;
  /** True once a write failed (later writes are still attempted). */
  readonly failed: boolean;
}

/** The most records the synchronous register carries before a send waits for the database. */
export const REGISTER_RECORDS = 100;

export interface ResumePlan {
  /** Records kept as they are (index → record): the done ones (run/done.ts). */
  existing: Map<number, PairRecord>;
  /** Indices that have no final record, in order: the resumed run sends these. */
  remaining: number[];
  /** Of those, the ones whose call had started when the page died: they are sent again. */
  resent: Set<number>;
  /** The first pair without a final record (where the run continues), or null when none. */
  firstRemaining: number | null;
}

export function resumePlan(run: Pick<JournalRun, 'pairs'>, entries: readonly JournalEntry[], sent: readonly number[]): ResumePlan {
  const existing = new Map<number, PairRecord>();
  // Only done pairs are kept: a not_run or aborted record (a stopped run's) is sent again.
  for (const e of entries) if (e.index >= 0 && e.index < run.pairs.length && isDone(e.record)) existing.set(e.index, e.record);
  const remaining: number[] = [];
  for (let i = 0; i < run.pairs.length; i++) if (!existing.has(i)) remaining.push(i);
  const resent = new Set(sent.filter((i) => !existing.has(i) && i >= 0 && i < run.pairs.length));
  return { existing, remaining, resent, firstRemaining: remaining[0] ?? null };
}

export const NOT_SENT_BEFORE_CLOSE = 'Not sent: the page was closed or reloaded before this pair was sent.';
export const SENT_BEFORE_CLOSE = 'Sent, but the page was closed or reloaded before the answer arrived; no result was kept.';

/** Every pair's record for "Download results so far": journalled ones, the others `not_run`. */
export function recordsSoFar(run: Pick<JournalRun, 'pairs'>, entries: readonly JournalEntry[], sent: readonly number[] = []): PairRecord[] {
  const plan = resumePlan(run, entries, sent);
  return run.pairs.map((pair, i) => plan.existing.get(i) ?? notRunRecord(pair, plan.resent.has(i) ? SENT_BEFORE_CLOSE : NOT_SENT_BEFORE_CLOSE));
}

/** Marks a record made by a resumed send: `resumed: true` after the documented keys. */
export function markResumed(record: PairRecord): PairRecord {
  return { ...record, resumed: true };
}

/**
 * A record made by re-running a pair ("Re-run failed" / "Run remaining"): attempts keep counting
 * from the old record, and `previous_error` holds the error the pair had before.
 */
export function rerunRecord(previous: PairRecord, fresh: PairRecord): PairRecord {
  const out: PairRecord = { ...fresh, attempts: previous.attempts + fresh.attempts };
  if (!previous.success) {
    out.previous_error = { type: previous.error.type, message: previous.error.message, http_status: previous.http_status };
  } else {
    delete out.previous_error;
  }
  return out;
}

/**
 * A recorder for one run. `initial` are the records already journalled (a resumed run or a
 * re-run): the progress counts them, and a record with the same index replaces them.
 */
export function createRecorder(journal: Journal, run: Pick<JournalRun, 'id' | 'input'>, initial: ReadonlyMap<number, PairRecord> = new Map(), opts: RecorderOptions = {}): JournalRecorder {
  const backend = journal.backend;
  const clock = opts.clock ?? journal.clock;
  const all = new Map(initial);
  // The progress written with each batch, kept up to date per record (not recounted per write).
  const progress = progressOf(all.values());
  // The backend's synchronous register (JournalBackend.unrecorded), when it has one: written before
  // each send, it holds every pair sent whose record is not in the database yet, and the records of
  // those already answered. null once it failed: then each send awaits a marker in the database.
  let register = backend.unrecorded ?? null;
  /** Pairs sent whose record is not in the database yet. */
  const unrecorded = new Set<number>();
  /** Records not in the database yet (redacted), kept in the register until they are. */
  const unstored = new Map<number, JournalEntry>();
  const writeRegister = (): boolean => {
    if (!register) return false;
    try {
      register.write(run.id, { sent: [...unrecorded], records: [...unstored.values()] });
      return true;
    } catch {
      register = null;
      return false;
    }
  };
  // What arrived since the last write started: written together, as soon as the write before
  // it is done; bursts are batched. FLUSH_MS bounds it anyway.
  let pending: JournalEntry[] = [];
  let sentPending: number[] = [];
  let inFlight: Promise<void> | null = null;
  let timer: unknown = null;
  let failed = false;
  const fail = (err: unknown) => {
    if (!failed) opts.onError?.(journalErrorSentence(err, run.input.name));
    failed = true;
  };
  const redacted = (record: PairRecord): PairRecord => {
    const secrets = opts.secrets?.() ?? [];
    return secrets.length && opts.redact ? opts.redact([record], secrets)[0]! : record;
  };
  const pump = (): Promise<void> => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (inFlight) return inFlight.then(() => pump());
    if (pending.length === 0 && sentPending.length === 0) return Promise.resolve();
    const batch = pending;
    const sent = sentPending;
    pending = [];
    sentPending = [];
    inFlight = backend.append(run.id, batch, { ...progress }, clock.now(), sent)
      .then(() => {
        // In the database now: the register no longer needs to carry them.
        for (const e of batch) {
          if (unstored.get(e.index) === e) unstored.delete(e.index);
          unrecorded.delete(e.index);
        }
      })
      .catch(fail)
      .finally(() => {
        inFlight = null;
        if (pending.length || sentPending.length) void pump();
      });
    return inFlight;
  };
  const flush = async (): Promise<void> => {
    while (inFlight || pending.length || sentPending.length) await pump();
    if (register) writeRegister();
  };
  const soon = () => {
    if (!inFlight) void pump();
    else if (timer === null) timer = clock.setTimeout(() => void pump(), FLUSH_MS);
  };
  return {
    record(record, index) {
      const old = all.get(index);
      if (old) countProgress(progress, old, -1);
      countProgress(progress, record);
      all.set(index, record);
      const entry = { index, record: redacted(record) };
      pending.push(entry);
      if (register) unstored.set(index, entry);
      if (pending.length >= FLUSH_RECORDS && !inFlight) void pump();
      else soon();
    },
    sent(index) {
      if (register) {
        unrecorded.add(index);
        // The database lags far behind (a slow disk): wait for it rather than grow the register.
        if (unstored.size > REGISTER_RECORDS) return flush();
        if (writeRegister()) return Promise.resolve();
      }
      // No register (or it just failed): the marker goes to the database with every record pending.
      sentPending.push(index, ...unrecorded);
      unrecorded.clear();
      unstored.clear();
      return flush();
    },
    flush,
    get failed() {
      return failed;
    },
  };
}

/**
 * Which pairs "Re-run failed (N)" and "Run remaining (M)" send, on a finished or stopped run.
 *  - remaining: never answered — `not_run`, and `aborted` (a call cancelled by Stop, no answer kept);
 *  - failed: every other failure (HTTP errors, network, timeout, invalid JSON).
 */
export function rerunSelection(records: readonly PairRecord[]): { failed: number[]; remaining: number[] } {
  const failed: number[] = [];
  const remaining: number[] = [];
  records.forEach((r, i) => {
    if (r.success) return;
    // A pair excluded before the run stays unsent: the user chose not to spend a call on it.
    if (isNotRun(r)) { if (!isExcludedRecord(r)) remaining.push(i); }
    else failed.push(i);
  });
  return { failed, remaining };
}

const isNotRun = isUnanswered;

/** Where a stopped run stopped: pairs answered (k) and pairs not run (excluded ones too), of `total`. */
export function stoppedAt(records: readonly PairRecord[]): { done: number; notRun: number; total: number } {
  const notRun = records.filter(isNotRun).length;
  return { done: records.length - notRun, notRun, total: records.length };
}
