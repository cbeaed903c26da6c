/**
 * The shape of one pair's result in the archive (`results/<pair_id>.json`), built from a CallResult.
 * Key order follows the Playground document:
 *   pair_id, image1_path, image2_path, success, http_status, response_time_ms, body | (error, error_body), attempts
 */
import { readVerdict, type ProviderContract, type Verdict } from '../contracts/contracts.ts';
import type { CallResult, ErrorType } from '../request/request.ts';

/** A pair found in the input ZIP. */
export interface PairEntry {
  pair_id: string;
  image1_path: string;
  image2_path: string;
  /** Set when an extension is not .jpg/.jpeg/.png: the pair is still sent, the API decides. */
  flag?: string;
  /**
   * Fields appended to every record of this pair after the seed's keys, whatever happens to it
   * (a sweep's `base_pair_id` and `perturbation`, sweep/variants.ts).
   */
  tags?: object;
}

/** An entry of the input ZIP that is not part of a pair, and why. */
export interface SkippedEntry {
  path: string;
  reason: string;
}

/**
 * Optional fields a record may carry after the documented keys (they are appended after
 * `attempts`, so the documented keys keep their order):
 *  - `resumed: true` — the pair was in flight when the page died and was sent again on Resume;
 *  - `previous_error` — the error the pair had before it was re-run ("Re-run failed" / "Run remaining").
 */
export interface RecordExtras {
  resumed?: true;
  previous_error?: { type: ErrorType; message: string; http_status: number | null };
}

export interface SuccessRecord extends RecordExtras {
  pair_id: string;
  image1_path: string;
  image2_path: string;
  success: true;
  http_status: number;
  response_time_ms: number;
  body: unknown;
  attempts: number;
}

export interface FailureRecord extends RecordExtras {
  pair_id: string;
  image1_path: string;
  image2_path: string;
  success: false;
  http_status: number | null;
  response_time_ms: number | null;
  error: { type: ErrorType; message: string };
  error_body?: unknown;
  attempts: number;
}

/**
 * Added after the seed's keys when the run has labels (evaluation.ts `withOutcomes`):
 * `expected` ("same"/"different", null when the pair has no label) and `outcome` at the API's
 * decision (TP, TN, FP = false match, FN = false non-match, error; null when unlabelled), then
 * for a labelled pair when labels.csv has more columns, `label_columns` (e.g. {"subject1": "S001",
 * "capture": "selfie"}): a reopened or merged archive reads its groups and subjects from them.
 */
export interface LabelFields {
  expected?: 'same' | 'different' | null;
  outcome?: 'TP' | 'TN' | 'FP' | 'FN' | 'error' | null;
  /** labels.csv's other columns for this pair (subjects, groupings), header → cell; only when it has any. */
  label_columns?: Record<string, string>;
}

export type PairRecord = (SuccessRecord | FailureRecord) & LabelFields;

/**
 * A response time rounded to 0.1 ms: performance.now() differences carry float noise
 * (919.5999999999767), and no timer in the path is finer than that.
 */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function recordFromCall(pair: PairEntry, r: CallResult): PairRecord {
  const head = { pair_id: pair.pair_id, image1_path: pair.image1_path, image2_path: pair.image2_path };
  const timeMs = Number.isFinite(r.timeMs) ? roundMs(r.timeMs) : r.timeMs;
  if (r.ok) {
    return { ...head, success: true, http_status: r.status!, response_time_ms: timeMs, body: r.body, attempts: r.attempts, ...pair.tags };
  }
  const rec: FailureRecord = {
    ...head,
    success: false,
    http_status: r.status,
    response_time_ms: timeMs,
    error: r.error ?? { type: 'network', message: 'The call failed for an unknown reason.' },
    attempts: r.attempts,
  };
  if (r.errorBody !== undefined) rec.error_body = r.errorBody;
  // Re-create in document order: error_body before attempts.
  const { attempts, ...rest } = rec;
  return { ...rest, attempts, ...pair.tags };
}

/** A record for a pair that could not be read from the input ZIP (it was never sent). */
export function recordForUnreadablePair(pair: PairEntry, message: string): FailureRecord {
  return {
    pair_id: pair.pair_id, image1_path: pair.image1_path, image2_path: pair.image2_path,
    success: false, http_status: null, response_time_ms: null,
    error: { type: 'not_run', message }, attempts: 0,
    ...pair.tags,
  };
}

/** A record for a pair never sent because the run was stopped. */
export function notRunRecord(pair: PairEntry, reason = 'The run was stopped before this pair was sent.'): FailureRecord {
  return recordForUnreadablePair(pair, reason);
}

/** The verdict of a record, normalised through its contract; null for failures or bodies without one. */
export function recordVerdict(contract: ProviderContract, rec: PairRecord): Verdict | null {
  return rec.success ? readVerdict(contract, rec.body) : null;
}

/** Pretty-printed JSON for `results/<pair_id>.json`. */
export function recordJson(rec: PairRecord): string {
  return `${JSON.stringify(rec, null, 2)}\n`;
}
