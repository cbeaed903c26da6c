/**
 * The bulk job: one per-pair step (read → call → auth decision → record) and an ordered pool
 * around it. The browser store, the CLI, the server tests and the benchmarks all drive it.
 *
 * Guarantees:
 *  - At most `snapshot.concurrency` calls in flight (default 1: one call at a time, in order).
 *    While pairs are in flight, the next pair's bytes may be read from the ZIP (one pair ahead)
 *    to hide decompression time.
 *  - Every pair gets exactly one record, whatever happens, and records reach the sink (and the
 *    archive builder) IN INPUT ORDER, each with its index: a pair that cannot be read gets a
 *    `not_run` record with the reason; on Stop every call in flight ends `aborted` and every
 *    unsent pair gets `not_run`.
 *  - The settings are a snapshot taken when the run starts: changing them mid-run changes
 *    nothing. The one exception is a credential renewed by the auth policy (a refreshed token),
 *    which replaces the snapshot's value for every later call.
 *  - On HTTP 401 the auth policy is asked ONCE for all workers: while it decides (refreshes a
 *    token, or waits for the user) nothing new is sent, and the other pairs rejected with the
 *    same credentials wait for the outcome and are sent again with the renewed ones.
 *  - With `snapshot.ratePerSecond`, no more than that many attempts (retries included) start in
 *    any rolling second (run/rate-window.ts, the one rate rule; its limiter runs on the job's Clock).
 *
 * No window, document or location: platform pieces (fetch, clock, archive builder) are injected.
 */
import { fetchToken, callFacematch, type CallDeps, type CallSettings, type Credentials, type ImagePart } from '../request/request.ts';
import { notRunRecord, recordForUnreadablePair, recordFromCall, type PairEntry, type PairRecord } from './records.ts';
import { clampConcurrency, clampRate } from '../contracts/setting-rules.ts';
import { errorText } from '../common/text.ts';
import { snapshotSecrets } from '../secrets/secrets.ts';
import { systemClock, type Clock } from './clock.ts';
import { createRateLimiter } from './rate-window.ts';
import { isDone, leftUnsentReason } from './done.ts';

export { snapshotSecrets } from '../secrets/secrets.ts';

export { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MAX_RATE_PER_SECOND, MIN_CONCURRENCY } from '../contracts/defaults.ts';
export { clampConcurrency, clampRate } from '../contracts/setting-rules.ts';

/** The settings a run uses, taken once when it starts. */
export interface JobSnapshot extends CallSettings {
  /** Pairs in flight at once, 1–16. */
  concurrency: number;
  /** Most attempts started in any rolling second; null = no limit. */
  ratePerSecond: number | null;
}

/** What the auth policy is told when a call is rejected with HTTP 401. */
export interface UnauthorizedInfo {
  index: number;
  pair: PairEntry;
  /** The 401 record, as it will be kept if the run stops. */
  record: PairRecord;
  total: number;
  /** True when this pair was already sent again after an earlier renewal and was rejected again. */
  refreshed: boolean;
  /** How many times this pair has been sent again after a 401 so far. */
  authRetries: number;
  /** The settings in use (with the current credentials). */
  snapshot: JobSnapshot;
}

export type AuthAction =
  /** Send again; `credentials` (e.g. a fresh token) replace the snapshot's for every later call. */
  | { action: 'retry'; credentials?: Credentials }
  /** Keep the 401 record, send nothing more; `reason` is the run's stop reason. */
  | { action: 'stop'; reason: string };

export interface AuthPolicy {
  /** Called once per rejection, never twice at the same time. `signal` aborts when the user stops. */
  onUnauthorized(info: UnauthorizedInfo, signal: AbortSignal): Promise<AuthAction>;
}

/** Receives every record the job produces, once, in input order. */
export type RecordSink = (record: PairRecord, index: number) => void;

/** Where the finished run's archive is built; fed every record (kept ones included) in order. */
export interface ArchiveBuilder {
  add(record: PairRecord, index: number): void;
  finish(run: FinishedRun): Promise<Uint8Array>;
}

export type { Clock } from './clock.ts';

/** What the job knows when the run ends (passed to the archive builder). */
export interface FinishedRun {
  records: readonly PairRecord[];
  /** The snapshot at the end (a renewed token included). */
  snapshot: JobSnapshot;
  startedAt: string;
  finishedAt: string;
  stopped: boolean;
  stopReason?: string;
  /** Every secret value used during the run (renewed tokens included), to scrub from what is written. */
  secrets: string[];
  /** The reference server's engine mode, from the first x-facematch-engine response header seen. */
  engine?: string;
}

export type CallFn = typeof callFacematch;

export interface JobOptions {
  /** Every loaded pair; indices refer to this list. */
  pairs: readonly PairEntry[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  snapshot: JobSnapshot;
  authPolicy?: AuthPolicy;
  /** Called once per record this run produces, in input order (kept records are not repeated). */
  onRecord?: RecordSink;
  /**
   * Called just before a pair is sent (each attempt after a 401 calls it again); the pair waits
   * for the returned promise, so a journal can make its sent marker durable first.
   */
  onSend?: (index: number) => void | Promise<void>;
  /** Called when a pair's step is over (answered, failed or never sent), before its record may wait for earlier ones. */
  onSettled?: (index: number) => void;
  /**
   * Applied to the record of each pair this run sends, before the sink and the archive see it
   * (the journal's Resume marks `resumed: true`; a re-run keeps counting attempts and adds
   * `previous_error`). Kept and excluded records are not passed through it.
   */
  transform?: (record: PairRecord, index: number) => PairRecord;
  /** Called when the auth policy renewed credentials (the snapshot now holds them). */
  onSnapshot?: (snapshot: JobSnapshot) => void;
  /** Stop: aborts every call in flight and leaves the unsent pairs not_run. */
  signal?: AbortSignal;
  /** Records already done (index → record) that are kept as they are: a resumed run. */
  existing?: ReadonlyMap<number, PairRecord>;
  /**
   * Run exactly these indices (re-run failed, run remaining); their existing records are
   * replaced. Without it, every pair without an existing record is run.
   * A pair neither run, kept nor excluded gets a not_run record saying it was not selected.
   */
  only?: readonly number[];
  /** Pairs not to send (index → reason): they get a not_run record with that reason. */
  excluded?: ReadonlyMap<number, string>;
  /** Wall time for the records, and the rate limiter's timers. */
  clock?: Clock;
  /** The call (callFacematch unless a test injects a fake). */
  call?: CallFn;
  /** Passed to each call (fetch, pageOrigin). */
  deps?: CallDeps;
  archive?: ArchiveBuilder;
}

export interface JobResult {
  /** One record per pair, in input order. */
  records: PairRecord[];
  startedAt: string;
  finishedAt: string;
  stopped: boolean;
  stopReason?: string;
  snapshot: JobSnapshot;
  secrets: string[];
  /** The reference server's engine mode, from the first x-facematch-engine response header seen. */
  engine?: string;
  /** The archive bytes, when an archive builder was injected. */
  archive?: Uint8Array;
}

export const USER_STOP_NOT_RUN = 'The run was stopped before this pair was sent.';
export const NOT_SELECTED = 'This pair was not selected for this run.';

type Read = { ok: true; images: [ImagePart, ImagePart] } | { ok: false; message: string };

export async function runJob(opts: JobOptions): Promise<JobResult> {
  const { pairs } = opts;
  const total = pairs.length;
  const clock = opts.clock ?? systemClock;
  const call = opts.call ?? callFacematch;
  const startedAt = new Date(clock.now()).toISOString();
  let snapshot: JobSnapshot = { ...opts.snapshot, credentials: { ...opts.snapshot.credentials } };
  const secrets = new Set(snapshotSecrets(snapshot));
  const concurrency = clampConcurrency(snapshot.concurrency);
  const rate = clampRate(snapshot.ratePerSecond);

  // Stop: the user's signal aborts every call through this run-level controller.
  const runController = new AbortController();
  const runSignal = runController.signal;
  const onUserAbort = () => runController.abort();
  if (opts.signal?.aborted) runController.abort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });

  // Which pairs get sent, which keep a record, which are settled before anything is sent.
  const records: (PairRecord | undefined)[] = new Array(total);
  const kept: boolean[] = new Array(total).fill(false);
  const selected = opts.only ? new Set(opts.only.filter((i) => Number.isInteger(i) && i >= 0 && i < total)) : null;
  const todo: number[] = [];
  for (let i = 0; i < total; i++) {
    const reason = opts.excluded?.get(i);
    const old = opts.existing?.get(i);
    const wanted = selected ? selected.has(i) : old === undefined;
    if (wanted && reason !== undefined) records[i] = notRunRecord(pairs[i]!, reason);
    else if (wanted) todo.push(i);
    else if (old !== undefined) { records[i] = old; kept[i] = true; }
    else records[i] = notRunRecord(pairs[i]!, reason ?? NOT_SELECTED);
  }

  // Ordered hand-out: records leave in index order as soon as every earlier one is final.
  let nextOut = 0;
  const flush = () => {
    while (nextOut < total && records[nextOut] !== undefined) {
      const rec = records[nextOut]!;
      if (!kept[nextOut]) {
        try {
          opts.onRecord?.(rec, nextOut);
        } catch (err) {
          console.error('The record sink failed; the run continues.', errorText(err));
        }
      }
      opts.archive?.add(rec, nextOut);
      nextOut++;
    }
  };
  flush();

  // Rate limit: every attempt waits for a slot in a rolling one-second window.
  const limiter = rate === null ? null : createRateLimiter(rate, clock);
  const callDeps: CallDeps = limiter
    ? { ...opts.deps, beforeAttempt: (signal) => limiter.acquire(signal) }
    : { ...opts.deps };

  // Reads: one pair ahead of the ones being sent. The promises never reject.
  const reads = new Map<number, Promise<Read>>();
  const read = (index: number): Promise<Read> => {
    const pair = pairs[index]!;
    try {
      return opts.readPair(pair).then(
        (images) => ({ ok: true as const, images }),
        (err: unknown) => ({ ok: false as const, message: readFailure(pair, err) }),
      );
    } catch (err) {
      return Promise.resolve({ ok: false as const, message: readFailure(pair, err) });
    }
  };
  let cursor = 0;
  const prefetch = () => {
    const next = todo[cursor];
    if (next !== undefined && !reads.has(next)) reads.set(next, read(next));
  };

  // The auth gate: one policy decision at a time, shared by every worker.
  let gate: Promise<AuthAction> | null = null;
  let generation = 0;
  let authStop: string | null = null;
  let notRunReason = USER_STOP_NOT_RUN;
  let engine: string | undefined;
  const cancelled: number[] = [];
  const stopping = () => runSignal.aborted || authStop !== null;

  const askPolicy = (info: UnauthorizedInfo): Promise<AuthAction> => {
    const policy = opts.authPolicy!;
    const decided = untilAborted(
      (async () => policy.onUnauthorized(info, runSignal))(),
      runSignal,
    ).then((action) => {
      if (action.action === 'retry') {
        generation++;
        if (action.credentials) {
          snapshot = { ...snapshot, credentials: { ...snapshot.credentials, ...action.credentials } };
          for (const s of snapshotSecrets(snapshot)) secrets.add(s);
          try {
            opts.onSnapshot?.(snapshot);
          } catch (err) {
            console.error('onSnapshot failed; the run continues.', errorText(err));
          }
        }
      } else if (!runSignal.aborted && authStop === null) {
        authStop = action.reason;
        notRunReason = `Not sent: the run stopped after the credentials were rejected (HTTP 401) on pair ${info.pair.pair_id}.`;
      }
      return action;
    });
    gate = decided;
    void decided.finally(() => { if (gate === decided) gate = null; });
    return decided;
  };

  /** The per-pair step. Resolves with the pair's final record, or undefined when it was never sent. */
  const step = async (index: number): Promise<PairRecord | undefined> => {
    const pair = pairs[index]!;
    const got = await (reads.get(index) ?? read(index));
    reads.delete(index);
    if (!got.ok) return recordForUnreadablePair(pair, got.message);
    let attempts = 0;
    let authRetries = 0;
    /** The last answer (a 401 waiting to be sent again), kept if the run stops before the resend. */
    let last: PairRecord | undefined;
    for (;;) {
      while (gate) await gate;
      if (stopping()) return last;
      const sentWith = generation;
      try {
        await opts.onSend?.(index);
      } catch (err) {
        console.error('onSend failed; the run continues.', errorText(err));
      }
      if (stopping()) return last;
      prefetch();
      const result = await call(snapshot, got.images, runSignal, callDeps);
      engine ??= result.engine || undefined;
      // Stopped while waiting for the rate limit: this attempt was never sent.
      if (result.attempts === 0) return last;
      attempts += result.attempts;
      const rec = recordFromCall(pair, { ...result, attempts });
      if (result.error?.type === 'aborted') cancelled.push(index);
      if (result.status !== 401 || !opts.authPolicy || stopping()) return rec;
      last = rec;
      // Credentials were renewed while this call was in flight: send it again with them.
      if (sentWith !== generation) { authRetries++; continue; }
      const action = await (gate ?? askPolicy({ index, pair, record: rec, total, refreshed: authRetries > 0, authRetries, snapshot }));
      if (action.action !== 'retry' || runSignal.aborted) return rec;
      authRetries++;
    }
  };

  const worker = async () => {
    while (cursor < todo.length && !stopping()) {
      const index = todo[cursor++]!;
      let rec: PairRecord | undefined;
      try {
        rec = await step(index);
      } catch (err) {
        // A step never throws by design; if it does, the pair still gets its one record.
        rec = recordForUnreadablePair(pairs[index]!, `Pair ${pairs[index]!.pair_id} failed unexpectedly (${errorText(err)}); it was not sent.`);
      }
      try {
        opts.onSettled?.(index);
      } catch (err) {
        console.error('onSettled failed; the run continues.', errorText(err));
      }
      if (rec) {
        try {
          records[index] = opts.transform ? opts.transform(rec, index) : rec;
        } catch (err) {
          console.error('The record transform failed; the record is kept as made.', errorText(err));
          records[index] = rec;
        }
        flush();
      } else {
        records[index] = notRunRecord(pairs[index]!, notRunReason);
        flush();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, todo.length)) }, worker));
  } finally {
    opts.signal?.removeEventListener('abort', onUserAbort);
    limiter?.clear();
  }

  // Pairs never picked up: not_run with the reason the run stopped.
  for (let i = 0; i < total; i++) if (records[i] === undefined) records[i] = notRunRecord(pairs[i]!, notRunReason);
  flush();

  const userStopped = runSignal.aborted;
  const done = records as PairRecord[];
  // A pair this run did not try and that has no answer (a kept not_run): the run is not finished.
  const tried = new Set(todo);
  const left = done.filter((r, i) => !tried.has(i) && !isDone(r)).length;
  const stopReason = authStop
    ?? (userStopped ? userStopReason(cancelled.sort((a, b) => a - b), pairs, done, todo) : undefined)
    ?? (left > 0 ? leftUnsentReason(left, total) : undefined);
  const finishedAt = new Date(clock.now()).toISOString();
  const result: JobResult = {
    records: done,
    startedAt,
    finishedAt,
    stopped: stopReason !== undefined,
    ...(stopReason !== undefined ? { stopReason } : {}),
    snapshot,
    secrets: [...secrets],
    ...(engine !== undefined ? { engine } : {}),
  };
  if (opts.archive) {
    result.archive = await opts.archive.finish({
      records: done, snapshot, startedAt, finishedAt, stopped: result.stopped,
      ...(stopReason !== undefined ? { stopReason } : {}), secrets: result.secrets,
      ...(engine !== undefined ? { engine } : {}),
    });
  }
  return result;
}

function userStopReason(cancelled: number[], pairs: readonly PairEntry[], records: readonly PairRecord[], todo: readonly number[]): string {
  const total = pairs.length;
  if (cancelled.length === 1) {
    const i = cancelled[0]!;
    return `Stopped by the user while pair ${i + 1} of ${total} (${pairs[i]!.pair_id}) was in flight; that call was cancelled.`;
  }
  if (cancelled.length > 1) {
    const shown = cancelled.slice(0, 5).map((i) => pairs[i]!.pair_id).join(', ');
    return `Stopped by the user while ${cancelled.length} calls were in flight (${shown}${cancelled.length > 5 ? ', …' : ''}); those calls were cancelled.`;
  }
  const sent = todo.filter((i) => records[i]!.attempts > 0).length;
  return `Stopped by the user after ${sent} of ${todo.length} pair${todo.length === 1 ? '' : 's'} had been sent.`;
}

function readFailure(pair: PairEntry, err: unknown): string {
  // ZipError and VariantError (a sweep's variant, sweep/variants.ts) messages are already sentences naming the entry.
  if (err instanceof Error && (err.name === 'ZipError' || err.name === 'VariantError')) return err.message;
  return `Pair ${pair.pair_id} could not be read from the ZIP (${errorText(err)}); it was not sent.`;
}

/** Resolves with the action, or a stop as soon as the signal aborts. */
function untilAborted(p: Promise<AuthAction>, signal: AbortSignal): Promise<AuthAction> {
  const stopped: AuthAction = { action: 'stop', reason: 'Stopped by the user.' };
  if (signal.aborted) return Promise.resolve(stopped);
  return new Promise((resolve) => {
    const onAbort = () => resolve(stopped);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (a) => { signal.removeEventListener('abort', onAbort); resolve(a); },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        resolve({ action: 'stop', reason: `The run was stopped: deciding what to do about the rejected credentials (HTTP 401) failed (${errorText(err)}).` });
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Auth policies

/** Stop at the first 401: the 401 is kept, the rest are not_run. */
export function stopOnUnauthorized(): AuthPolicy {
  return {
    onUnauthorized: async ({ pair }) => ({
      action: 'stop',
      reason: `Stopped after the credentials were rejected (HTTP 401) on pair ${pair.pair_id}.`,
    }),
  };
}

/**
 * Fetch a new token from the contract's token endpoint (client ID + secret from the snapshot) once
 * for all workers; stop when the new token is rejected too or getting one fails.
 */
export function refreshTokenPolicy(deps: Pick<CallDeps, 'fetch' | 'pageOrigin'> = {}): AuthPolicy {
  return {
    onUnauthorized: async ({ snapshot, refreshed }, signal) => {
      if (refreshed) {
        return { action: 'stop', reason: 'The API rejected the new token too (HTTP 401), so the run was stopped. Check the client ID and client secret in the settings; the archive holds what was done.' };
      }
      const token = await fetchToken(snapshot.contract, snapshot.baseUrl, snapshot.credentials, signal, deps);
      if (token.ok && token.token) return { action: 'retry', credentials: { token: token.token } };
      return { action: 'stop', reason: `The API rejected the token (HTTP 401) and getting a new one failed: ${token.message} The archive holds what was done.` };
    },
  };
}

/**
 * Pause until the user answers (`ask` resolves 'retry' after they updated the credentials, or
 * 'stop'); `credentials()` reads what they entered.
 */
export function pauseOnUnauthorized(
  ask: (info: UnauthorizedInfo, signal: AbortSignal) => Promise<'retry' | 'stop'>,
  credentials?: () => Credentials,
): AuthPolicy {
  return {
    onUnauthorized: async (info, signal) => {
      const answer = await ask(info, signal);
      if (answer === 'retry') return credentials ? { action: 'retry', credentials: credentials() } : { action: 'retry' };
      return { action: 'stop', reason: `The run was stopped after the API rejected the token (HTTP 401) at pair ${info.index + 1} of ${info.total}.` };
    },
  };
}

/** True when the snapshot can get its own token (token endpoint + every field it needs filled). */
export function canRefreshToken(s: Pick<CallSettings, 'contract' | 'credentials'>): boolean {
  const te = s.contract.tokenEndpoint;
  return te !== undefined && Object.keys(te.fields).every((k) => Boolean(s.credentials[k as keyof Credentials]?.trim()));
}
