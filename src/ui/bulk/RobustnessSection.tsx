import { useMemo } from 'react';
import { robustnessCharts } from '../../core/charts/charts.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { robustnessFor } from '../../store/robustness.ts';
import { EvaluationCharts } from './EvaluationCharts.tsx';

/** A sweep's results: where each perturbation leaves the baseline, and a chart per perturbation (as in report.html). */
export function RobustnessSection() {
  const reopened = useBulkStore((s) => s.reopened);
  const records = useBulkStore((s) => s.records);
  const runContract = useBulkStore((s) => s.runContract);
  const archiveInput = useBulkStore((s) => s.archiveInput);
  const robustness = useMemo(() => robustnessFor({ reopened, records, runContract, archiveInput }), [reopened, records, runContract, archiveInput]);
  const charts = useMemo(() => (robustness ? robustnessCharts(robustness) : []), [robustness]);
  if (!robustness) return null;
  return (
    <section aria-labelledby="robustness-title" className="mt-6">
      <h3 id="robustness-title" className="text-sm font-semibold">Robustness</h3>
      <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
        {robustness.labelled
          ? 'FNMR, FMR and failures to acquire at each level, against the pairs as loaded (the baseline).'
          : 'Without labels: how often a verdict differs from the same pair’s baseline, and failures to acquire, at each level.'}
      </p>
      <ul className="mt-2 space-y-1 text-sm">
        {robustness.curves.map((c) => (
          <li key={c.perturbation}><span className="font-medium">{c.label}:</span> {c.sentence}</li>
        ))}
      </ul>
      <EvaluationCharts charts={charts} />
    </section>
  );
}
