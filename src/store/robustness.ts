/**
 * A sweep's robustness curves as the Bulk results show them (kept apart from the sweep settings,
 * which Run's button reads: the curves' modules load with the results, not with the button).
 */
import type { ProviderContract } from '../core/contracts/contracts.ts';
import { withOutcomes } from '../core/evaluation/evaluation.ts';
import type { PairRecord } from '../core/run/records.ts';
import type { ReportInput } from '../core/archive/report.ts';
import { robustnessOf, type Robustness } from '../core/sweep/robustness.ts';

/**
 * The robustness curves of the run shown (core/sweep/robustness.ts), with the labels its archive
 * has: a finished run's from its archive input, a reopened archive's from its records. Null when
 * the run is not a sweep.
 */
export function robustnessFor(s: { reopened: boolean; records: readonly PairRecord[]; runContract: ProviderContract | null; archiveInput: ReportInput | null }): Robustness | null {
  if (!s.runContract) return null;
  if (s.reopened) return robustnessOf(s.records, s.runContract);
  const input = s.archiveInput;
  if (!input?.sweep) return null;
  const labels = input.evaluation ? new Map(input.evaluation.labels) : null;
  return robustnessOf(withOutcomes(input.records, s.runContract, labels), s.runContract);
}
