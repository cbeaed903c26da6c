/**
 * When a pair is done: the one rule for Resume, for the journal's progress and for "Run finished".
 * A pair is done when its record is an answer (a success or a failed call) or when the user
 * excluded it before the run. `not_run` (never sent, or unreadable) and `aborted` (cancelled by
 * Stop, no answer kept) are not: Resume sends them, and a run that ends with such a record from
 * an earlier run is reported as stopped.
 */
import { isExcludedRecord } from '../pairing/preflight.ts';
import type { PairRecord } from './records.ts';

/** True when the record has no answer of the API: never sent, or cancelled. */
export function isUnanswered(record: PairRecord): boolean {
  return !record.success && (record.error.type === 'not_run' || record.error.type === 'aborted');
}

/** True when the pair needs nothing more: answered, or excluded by the user. */
export function isDone(record: PairRecord): boolean {
  return !isUnanswered(record) || isExcludedRecord(record);
}

/** The stop reason of a run that kept records of pairs never answered. */
export function leftUnsentReason(count: number, total: number): string {
  return `${count} of ${total} pair${total === 1 ? '' : 's'} ${count === 1 ? 'was' : 'were'} not sent in this run and ${count === 1 ? 'has' : 'have'} no answer (not_run); "Run remaining" sends ${count === 1 ? 'it' : 'them'}.`;
}
