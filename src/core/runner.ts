/**
 * The earlier bulk-run entry point, kept for callers that pass a settings function and a 401
 * callback. It runs the job (job.ts) with a snapshot of `settings()` taken once at the start;
 * after a 401 'retry' the credentials are read again from `settings()` (the caller updated the
 * token). New code should call runJob directly.
 */
import { errorText } from './text.ts';
import type { CallDeps, CallSettings, ImagePart } from './request.ts';
import type { PairEntry, PairRecord } from './records.ts';
import { DEFAULT_CONCURRENCY, runJob, type AuthPolicy } from './job.ts';

export type AuthDecision = 'retry' | 'stop';

export interface AuthFailureInfo {
  /** True when this pair has already been sent again after an earlier 401. */
  refreshed: boolean;
  /** How many times this pair has been sent again after a 401 so far. */
  authRetries: number;
  /** Index of the pair in `pairs`. */
  index: number;
}

export interface RunOptions {
  pairs: readonly PairEntry[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  /** Read once at the start (the snapshot), and for the credentials after a 401 'retry'. */
  settings: () => CallSettings;
  signal?: AbortSignal;
  deps?: CallDeps;
  onRecord?: (record: PairRecord, index: number) => void;
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

/** @deprecated Use runJob (job.ts): it takes the snapshot, concurrency, rate and auth policy explicitly. */
export async function runBulk(opts: RunOptions): Promise<RunSummary> {
  const { onAuthFailure } = opts;
  const authPolicy: AuthPolicy | undefined = onAuthFailure && {
    onUnauthorized: async ({ record, refreshed, authRetries, index, pair }) => {
      const decision = await onAuthFailure(record, { refreshed, authRetries, index });
      if (decision === 'retry') return { action: 'retry', credentials: opts.settings().credentials };
      return { action: 'stop', reason: `Stopped after the credentials were rejected (HTTP 401) on pair ${pair.pair_id}.` };
    },
  };
  let snapshot: CallSettings;
  try {
    snapshot = opts.settings();
  } catch (err) {
    throw new Error(`The connection settings could not be read (${errorText(err)}).`, { cause: err });
  }
  const result = await runJob({
    pairs: opts.pairs,
    readPair: opts.readPair,
    snapshot: { ...snapshot, concurrency: DEFAULT_CONCURRENCY, ratePerSecond: null },
    ...(authPolicy ? { authPolicy } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.deps ? { deps: opts.deps } : {}),
    ...(opts.onRecord ? { onRecord: opts.onRecord } : {}),
    ...(opts.onPairStart ? { onSend: (i: number) => opts.onPairStart!(opts.pairs[i]!, i) } : {}),
  });
  return {
    records: result.records,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    stopped: result.stopped,
    ...(result.stopReason !== undefined ? { stopReason: result.stopReason } : {}),
  };
}
