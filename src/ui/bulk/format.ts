/** Display formatting for the Bulk panel (no business rules: verdicts come from src/core). */
import type { ProviderContract } from '../../core/contracts.ts';
import { outcomeText, type OutcomeKind } from '../../core/outcome.ts';
import { recordVerdict, type PairRecord } from '../../core/records.ts';

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
