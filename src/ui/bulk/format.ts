/** Display formatting for the Bulk panel (no business rules: verdicts come from src/core). */
import type { ArchiveRunInfo } from '../../core/archive/archive-read.ts';
import type { ProviderContract } from '../../core/contracts/contracts.ts';
import { recordExpected, recordOutcome } from '../../core/evaluation/correctness.ts';
import type { Outcome } from '../../core/evaluation/evaluation.ts';
import type { Expected } from '../../core/pairing/labels.ts';
import { snapshotSecrets, type JobSnapshot } from '../../core/run/job.ts';
import { outcomeText, type OutcomeKind } from '../../core/request/outcome.ts';
import { recordVerdict, type PairRecord } from '../../core/run/records.ts';
import { scrubber } from '../../core/archive/report.ts';
import { endpointUrl } from '../../core/request/request.ts';
import { safeEndpoint } from '../../core/secrets/safe-url.ts';

export interface RowView {
  pair: string;
  verdict: string;
  tone: 'match' | 'nomatch' | 'error' | 'neutral';
  confidence: string;
  status: string;
  ms: string;
}

const TONES: Record<OutcomeKind, RowView['tone']> = { match: 'match', nomatch: 'nomatch', failed: 'error', notrun: 'neutral', noverdict: 'neutral' };

export function rowView(contract: ProviderContract, rec: PairRecord): RowView {
  const status = rec.http_status === null ? '—' : String(rec.http_status);
  const ms = rec.response_time_ms === null ? '—' : String(Math.round(rec.response_time_ms));
  const outcome = outcomeText(contract, rec);
  const v = rec.success ? recordVerdict(contract, rec) : null;
  return {
    pair: rec.pair_id,
    verdict: outcome.text,
    tone: TONES[outcome.kind],
    confidence: v?.confidence === null || v?.confidence === undefined ? '—' : `${(v.confidence * 100).toFixed(1)} %`,
    status,
    ms,
  };
}

/** An outcome in words, for the table's title, the row detail and the Evaluation section. */
export const OUTCOME_WORDS: Record<Outcome, string> = { TP: 'TP', TN: 'TN', FP: 'FP (false match)', FN: 'FN (false non-match)', error: 'error' };

/** A row's label (null when the pair has none) and its outcome by core's rule (null when unlabelled). */
export interface LabelView {
  expected: Expected | null;
  outcome: Outcome | null;
}

export function labelView(contract: ProviderContract, rec: PairRecord, labels: ReadonlyMap<string, Expected> | null): LabelView {
  return { expected: recordExpected(rec, labels), outcome: recordOutcome(contract, rec, labels) };
}

/** "1 min 05 s", "42 s", "0.8 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

export function formatMs(ms: number | null): string {
  return ms === null ? '—' : `${Math.round(ms)} ms`;
}

/** What a row's detail says about the request: from the run's own settings, never the current ones. */
export interface RequestView {
  /** The endpoint without userinfo, query or secrets; null when the archive does not say. */
  endpoint: string | null;
  /** The multipart fields besides the images (unique_id); a null value is "not known". */
  fields: [string, string | null][];
}

/**
 * The request a run sent: the snapshot taken at Run (a live run), else what a reopened archive's
 * run.json says (its endpoint; it does not keep unique_id), else nothing known.
 */
export function requestView(contract: ProviderContract, snapshot: JobSnapshot | null, archiveRun: ArchiveRunInfo | null): RequestView {
  if (snapshot) {
    const scrub = scrubber(snapshotSecrets(snapshot)) ?? ((v: string) => v);
    const uid = snapshot.uniqueId?.trim();
    return {
      endpoint: scrub(safeEndpoint(endpointUrl(snapshot.contract, snapshot.baseUrl))),
      fields: contract.uniqueIdField && uid ? [[contract.uniqueIdField, scrub(uid)]] : [],
    };
  }
  return {
    endpoint: archiveRun?.endpoint ? safeEndpoint(archiveRun.endpoint) : null,
    fields: contract.uniqueIdField ? [[contract.uniqueIdField, null]] : [],
  };
}
