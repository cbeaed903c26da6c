/**
 * The bulk run: sends the loaded pairs one at a time, in order, through callFacematch.
 *
 * Guarantees:
 *  - Never two calls in flight. While pair k is in flight, pair k+1's bytes may be read from the
 *    ZIP (one pair ahead at most) to hide decompression time.
 *  - Every pair gets exactly one record, whatever happens: a pair that cannot be read from the ZIP
 *    gets a `not_run` record with the reason; on Stop the call in flight ends `aborted` and every
 *    unsent pair gets `not_run`.
 *  - Settings are read fresh before each call, so a token updated mid-run is used.
 *  - On HTTP 401 the caller decides (onAuthFailure): 'retry' sends the same pair again (the 401 is
 *    not recorded separately; its attempts are added to the pair's count), 'stop' keeps the 401
 *    record and marks the rest `not_run`.
 */
import { callFacematch, type CallDeps, type CallSettings, type ImagePart } from './request.ts';
import {
  notRunRecord, recordForUnreadablePair, recordFromCall,
  type PairEntry, type PairRecord,
} from './records.ts';

export type AuthDecision = 'retry' | 'stop';

export interface AuthFailureInfo {
  /**
   * True when this pair has already been retried after an earlier 401 (e.g. a freshly fetched
   * token was rejected too); the caller should then pause or stop rather than refresh again.
   */
  refreshed: boolean;
  /** How many times this pair has been retried after a 401 so far. */
  authRetries: number;
  /** Index of the pair in `pairs`. */
  index: number;
}

export interface RunOptions {
  pairs: readonly PairEntry[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  /** Read before each call. */
  settings: () => CallSettings;
  /** Stop: aborts the call in flight and leaves the remaining pairs not_run. */
  signal?: AbortSignal;
  deps?: CallDeps;
  /** Called once per pair, in order, as soon as its record is final. */
  onRecord?: (record: PairRecord, index: number) => void;
  /** Called just before a pair is sent (each attempt after a 401 retry calls it again). */
  onPairStart?: (pair: PairEntry, index: number) => void;
  onAuthFailure?: (record: PairRecord, info: AuthFailureInfo) => Promise<AuthDecision>;
}

export interface RunSummary {
  records: PairRecord[];
  startedAt: string;
  finishedAt: string;
  stopped: boolean;
  stopReason?: string;
}

const USER_STOP_NOT_RUN = 'The run was stopped before this pair was sent.';

export async function runBulk(opts: RunOptions): Promise<RunSummary> {
  const { pairs, signal } = opts;
  const startedAt = new Date().toISOString();
  const records: PairRecord[] = [];
  let stopReason: string | undefined;
  let notRunReason = USER_STOP_NOT_RUN;

  const emit = (rec: PairRecord) => {
    const index = records.length;
    records.push(rec);
    try {
      opts.onRecord?.(rec, index);
    } catch (err) {
      console.error('onRecord threw; the run continues.', err);
    }
  };

  // One pair read ahead at most. The promise never rejects: failures are carried as values.
  type Read = { ok: true; images: [ImagePart, ImagePart] } | { ok: false; message: string };
  const read = (pair: PairEntry): Promise<Read> => {
    try {
      return opts.readPair(pair).then(
        (images) => ({ ok: true as const, images }),
        (err: unknown) => ({ ok: false as const, message: readFailure(pair, err) }),
      );
    } catch (err) {
      return Promise.resolve({ ok: false as const, message: readFailure(pair, err) });
    }
  };
  let ahead: { index: number; promise: Promise<Read> } | undefined;

  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (signal?.aborted) {
      stopReason = userStopReason(i, pairs.length);
      break;
    }
    const current = ahead?.index === i ? ahead.promise : read(pair);
    ahead = undefined;
    const got = await current;
    if (signal?.aborted) {
      stopReason = userStopReason(i, pairs.length);
      break;
    }
    if (!got.ok) {
      emit(recordForUnreadablePair(pair, got.message));
      continue;
    }

    let attemptsSoFar = 0;
    let authRetries = 0;
    let stopAfter = false;
    let rec: PairRecord;
    for (;;) {
      let settings: CallSettings;
      try {
        settings = opts.settings();
      } catch (err) {
        rec = recordForUnreadablePair(pair, `The connection settings could not be read (${errorText(err)}); this pair was not sent.`);
        break;
      }
      try {
        opts.onPairStart?.(pair, i);
      } catch (err) {
        console.error('onPairStart threw; the run continues.', err);
      }
      // Prefetch the next pair while this one is in flight.
      if (!ahead && i + 1 < pairs.length) ahead = { index: i + 1, promise: read(pairs[i + 1]!) };
      const result = await callFacematch(settings, got.images, signal, opts.deps);
      rec = recordFromCall(pair, { ...result, attempts: attemptsSoFar + result.attempts });
      attemptsSoFar += result.attempts;
      if (result.status !== 401 || !opts.onAuthFailure || signal?.aborted) break;
      const decision = await untilAborted(
        opts.onAuthFailure(rec, { refreshed: authRetries > 0, authRetries, index: i }),
        signal,
      );
      if (decision === 'retry' && !signal?.aborted) {
        authRetries++;
        continue;
      }
      stopAfter = true;
      if (signal?.aborted) break;
      stopReason = `Stopped after the credentials were rejected (HTTP 401) on pair ${pair.pair_id}.`;
      notRunReason = `Not sent: the run stopped after the credentials were rejected (HTTP 401) on pair ${pair.pair_id}.`;
      break;
    }
    emit(rec);
    if (signal?.aborted) {
      stopReason ??= rec.success || rec.error.type !== 'aborted'
        ? userStopReason(i + 1, pairs.length)
        : `Stopped by the user while pair ${i + 1} of ${pairs.length} (${pair.pair_id}) was in flight; that call was cancelled.`;
      break;
    }
    if (stopAfter) break;
  }

  for (let j = records.length; j < pairs.length; j++) emit(notRunRecord(pairs[j]!, notRunReason));

  return {
    records,
    startedAt,
    finishedAt: new Date().toISOString(),
    stopped: stopReason !== undefined,
    ...(stopReason !== undefined ? { stopReason } : {}),
  };
}

function userStopReason(done: number, total: number): string {
  return `Stopped by the user after ${done} of ${total} pair${total === 1 ? '' : 's'} had been sent.`;
}

function readFailure(pair: PairEntry, err: unknown): string {
  // ZipError messages are already sentences naming the entry.
  if (err instanceof Error && err.name === 'ZipError') return err.message;
  return `Pair ${pair.pair_id} could not be read from the ZIP (${errorText(err)}); it was not sent.`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves with the decision, or 'stop' as soon as the signal aborts. */
function untilAborted(p: Promise<AuthDecision>, signal?: AbortSignal): Promise<AuthDecision> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve('stop');
  return new Promise((resolve) => {
    const onAbort = () => resolve('stop');
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (d) => { signal.removeEventListener('abort', onAbort); resolve(d); },
      () => { signal.removeEventListener('abort', onAbort); resolve('stop'); },
    );
  });
}
