/**
 * Whether the API was right on a labelled pair, for the results table's Correct / Wrong filters
 * (and anything else that asks): correct = TP or TN, wrong = FP (a false match) or FN (a false
 * non-match). Errors and unlabelled pairs are neither. The outcome is the record's own (a labelled
 * archive's results/*.json carry it) or, for a live run, the one `withOutcomes` would write from
 * the run's labels: the same rule as the archive.
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import { outcomeOf, type Outcome } from './evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import { recordVerdict, type PairRecord } from '../run/records.ts';

export type Correctness = 'correct' | 'wrong';

export function correctness(outcome: Outcome | null | undefined): Correctness | null {
  if (outcome === 'TP' || outcome === 'TN') return 'correct';
  if (outcome === 'FP' || outcome === 'FN') return 'wrong';
  return null;
}

/** The pair's label: the record's own `expected` when it has the field, else the run's labels. */
export function recordExpected(rec: PairRecord, labels: ReadonlyMap<string, Expected> | null): Expected | null {
  if (rec.expected !== undefined) return rec.expected;
  return labels?.get(rec.pair_id) ?? null;
}

/** The pair's outcome at the API's decision (null when it has no label). */
export function recordOutcome(contract: ProviderContract, rec: PairRecord, labels: ReadonlyMap<string, Expected> | null): Outcome | null {
  if (rec.outcome !== undefined) return rec.outcome;
  const v = recordVerdict(contract, rec);
  return outcomeOf(recordExpected(rec, labels), v ? v.match : null);
}

export function recordCorrectness(contract: ProviderContract, rec: PairRecord, labels: ReadonlyMap<string, Expected> | null): Correctness | null {
  return correctness(recordOutcome(contract, rec, labels));
}

/** True when at least one record has an expected label (then Correct / Wrong are offered). */
export function hasExpected(records: readonly PairRecord[], labels: ReadonlyMap<string, Expected> | null): boolean {
  return records.some((r) => recordExpected(r, labels) !== null);
}
