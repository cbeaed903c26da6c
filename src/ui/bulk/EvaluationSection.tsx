import { useDeferredValue, useMemo, useState } from 'react';
import { evaluationCharts } from '../../core/charts/charts.ts';
import { cardOf, round4 } from '../../core/evaluation/evaluation-report.ts';
import { apiDecisionPoint } from '../../core/evaluation/threshold.ts';
import {
  atThreshold, evalRows, evaluate, outcomeAt, pct, type Confusion, type Evaluation, type Rate,
} from '../../core/evaluation/evaluation.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { evaluationInputFor, evaluationLabels, useEvaluationStore } from '../../store/evaluation.ts';
import { EvaluationCharts } from './EvaluationCharts.tsx';
import { Figure } from './Figure.tsx';
import { OUTCOME_WORDS } from './format.ts';
import { ReportCardSection } from './ReportCardSection.tsx';

/** Rows of the per-pair outcome table drawn at most (the archive has them all). */
const MAX_PAIR_ROWS = 1000;

/** The finished panel's "Evaluation": accuracy against the labels, the threshold what-if and the charts. */
export function EvaluationSection() {
  const records = useBulkStore((s) => s.records);
  const contract = useBulkStore((s) => s.runContract);
  const reopened = useBulkStore((s) => s.reopened);
  const labels = useBulkStore((s) => s.labels);
  const archiveInput = useBulkStore((s) => s.archiveInput);
  const threshold = useEvaluationStore((s) => s.threshold);
  const chosen = useMemo(() => evaluationLabels({ reopened, records, labels, archiveInput }), [reopened, records, labels, archiveInput]);
  const ev = useMemo(() => (chosen && contract ? evaluate(evalRows(records, contract, chosen.labels)) : null), [chosen, contract, records]);

  if (!contract) return null;
  if (!ev || !chosen || ev.labelled === 0) {
    return (
      <section aria-labelledby="evaluation-title" className="mt-6">
        <h3 id="evaluation-title" className="text-sm font-semibold">Evaluation</h3>
        <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
          No pair has a label, so accuracy cannot be measured. Add a <code>labels.csv</code> (columns <code>pair_id,expected</code>,
          expected = same or different) to the ZIP, or choose one beside it with Choose labels CSV, then run again.
        </p>
      </section>
    );
  }
  return <Evaluated ev={ev} chosen={chosen} source={chosen.source} threshold={threshold} />;
}

function Evaluated({ ev, chosen, source, threshold }: { ev: Evaluation; chosen: ReturnType<typeof evaluationLabels>; source: string; threshold: number | null }) {
  const whatIf = useMemo(() => (threshold === null ? null : atThreshold(ev.rows, threshold)), [ev, threshold]);
  // Charts and the report card follow the slider a moment later, so dragging stays smooth on large runs.
  const chartThreshold = useDeferredValue(threshold);
  const charts = useMemo(() => evaluationCharts(ev, chartThreshold), [ev, chartThreshold]);
  const targetFmr = useEvaluationStore((s) => s.targetFmr);
  const input = useMemo(() => evaluationInputFor(chosen, chartThreshold, targetFmr), [chosen, chartThreshold, targetFmr]);
  const card = useMemo(() => (input ? cardOf(ev, input) : null), [ev, input]);
  const api = ev.api;
  return (
    <section aria-labelledby="evaluation-title" className="mt-6">
      <h3 id="evaluation-title" className="text-sm font-semibold">Evaluation</h3>
      <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
        {ev.labelled} labelled pair(s) ({ev.same} same, {ev.different} different) from {source}
        {ev.unlabelled ? `; ${ev.unlabelled} pair(s) without a label are not counted` : ''}.
        {api.confusion.errors ? ` ${api.confusion.errors} labelled pair(s) got no decision (HTTP error, timeout, no face, not run): counted as errors, not as non-matches.` : ''}
      </p>

      <div className="mt-3 flex flex-wrap gap-4">
        <ConfusionTable title="At the API's decision" c={api.confusion} fmr={api.fmr} fnmr={api.fnmr} />
        {whatIf && threshold !== null && (
          <ConfusionTable title={`At threshold ${round4(threshold)}`} c={whatIf.confusion} fmr={whatIf.fmr} fnmr={whatIf.fnmr} />
        )}
      </div>

      <ThresholdControl ev={ev} threshold={threshold} />

      <h4 className="mt-4 text-sm font-semibold">From the confidence scores</h4>
      <dl className="mt-1 space-y-1 text-sm">
        <Figure label="EER">{ev.eer ? `${pct(ev.eer.value)} at threshold ${round4(ev.eer.threshold)}` : ev.eerNote}</Figure>
        {ev.fnmrAt.map((f) => (
          <Figure key={f.label} label={`FNMR@FMR=${f.label}`}>
            {f.value === null ? f.note : `${pct(f.value)}${f.threshold === null ? ' (only by rejecting every pair)' : ` at threshold ${round4(f.threshold)}`}`}
          </Figure>
        ))}
      </dl>

      {card && <ReportCardSection card={card} />}
      <EvaluationCharts charts={charts} />
      <PairOutcomes ev={ev} threshold={threshold} />
    </section>
  );
}

/** A confusion matrix (expected × decided), errors apart, and its FMR / FNMR. */
function ConfusionTable({ title, c, fmr, fnmr }: { title: string; c: Confusion; fmr: Rate; fnmr: Rate }) {
  const cell = 'border border-slate-200 px-3 py-1.5 text-right tabular-nums dark:border-slate-700';
  const head = 'border border-slate-200 bg-slate-50 px-3 py-1.5 text-left font-semibold dark:border-slate-700 dark:bg-slate-800';
  return (
    <div className="min-w-0 text-sm">
      <table className="border-collapse">
        <caption className="pb-1 text-left font-semibold">{title}</caption>
        <thead>
          <tr>
            <td className="px-3 py-1.5" />
            <th scope="col" className={head}>Matched</th>
            <th scope="col" className={head}>Not matched</th>
            <th scope="col" className={head}>Error</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row" className={head}>Same person</th>
            <td className={cell}>TP {c.tp}</td>
            <td className={cell}>FN {c.fn}</td>
            <td className={cell} rowSpan={2}>{c.errors}</td>
          </tr>
          <tr>
            <th scope="row" className={head}>Different people</th>
            <td className={cell}>FP {c.fp}</td>
            <td className={cell}>TN {c.tn}</td>
          </tr>
        </tbody>
      </table>
      <dl className="mt-2 space-y-1">
        <Figure label="FMR">{fmr.text}</Figure>
        <Figure label="FNMR">{fnmr.text}</Figure>
      </dl>
    </div>
  );
}

/**
 * The what-if threshold: a slider over the confidence scale with the API's decision point and the
 * EER point marked, a box to type a value, "Use EER threshold" and back to the API's decision.
 */
function ThresholdControl({ ev, threshold }: { ev: Evaluation; threshold: number | null }) {
  const setThreshold = useEvaluationStore((s) => s.setThreshold);
  const typeThreshold = useEvaluationStore((s) => s.typeThreshold);
  const typed = useEvaluationStore((s) => s.thresholdText);
  const problem = useEvaluationStore((s) => s.thresholdProblem);
  const decision = useMemo(() => apiDecisionPoint(ev.rows), [ev]);
  const [draft, setDraft] = useState<string | null>(null);
  const shown = threshold ?? decision.threshold ?? ev.eer?.threshold ?? 0.5;
  const value = threshold === null ? "the API's decision" : round4(threshold);
  const marks = [
    ...(decision.threshold !== null ? [{ key: 'api', at: decision.threshold, label: `API's decision ${round4(decision.threshold)}`, tone: 'border-sky-700 text-sky-800 dark:border-sky-400 dark:text-sky-300' }] : []),
    ...(ev.eer ? [{ key: 'eer', at: ev.eer.threshold, label: `EER ${round4(ev.eer.threshold)}`, tone: 'border-amber-700 text-amber-800 dark:border-amber-400 dark:text-amber-300' }] : []),
  ];
  const commit = () => {
    if (draft !== null) typeThreshold(draft);
    setDraft(null);
  };
  const btn = 'inline-flex items-center rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium shadow-sm hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800';
  return (
    <div className="mt-4 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <div className="flex flex-wrap items-start gap-3">
        <label htmlFor="evaluation-threshold" className="text-sm font-medium">Threshold (what-if)</label>
        <div className="w-64 max-w-full">
          <input
            id="evaluation-threshold"
            type="range"
            min={0}
            max={1}
            step={0.001}
            value={shown}
            aria-valuetext={threshold === null ? "the API's decision" : `confidence ${round4(threshold)} or more is a match`}
            aria-describedby="evaluation-threshold-marks"
            onChange={(e) => setThreshold(Number(e.currentTarget.value))}
            className="w-full accent-sky-700"
          />
          {/* Marks under the slider, at their place on the 0–1 scale (the thumb's half-width aside). */}
          <ul id="evaluation-threshold-marks" aria-label="Marks on the threshold scale" className="relative h-10 text-xs">
            {marks.map((m, i) => (
              <li
                key={m.key}
                className={`absolute whitespace-nowrap border-l-2 pl-1 ${m.tone}`}
                style={{ left: `${m.at * 100}%`, top: `${i * 1.25}rem`, transform: m.at > 0.6 ? 'translateX(-100%)' : undefined, ...(m.at > 0.6 ? { borderLeftWidth: 0, borderRightWidth: 2, paddingLeft: 0, paddingRight: '0.25rem' } : {}) }}
              >
                {m.label}
              </li>
            ))}
          </ul>
        </div>
        <output htmlFor="evaluation-threshold" className="text-sm font-semibold tabular-nums">{value}</output>
        <label htmlFor="evaluation-threshold-typed" className="text-sm font-medium">Type a threshold</label>
        <input
          id="evaluation-threshold-typed"
          type="text"
          inputMode="decimal"
          className="w-24 rounded-md border border-slate-300 px-2 py-1 text-sm tabular-nums dark:border-slate-600 dark:bg-slate-900"
          value={draft ?? typed ?? (threshold === null ? '' : round4(threshold))}
          placeholder="0–1"
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'evaluation-threshold-problem' : undefined}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onBlur={commit}
          onKeyDown={(e) => { if (e.key === 'Enter') commit(); }}
        />
      </div>
      {problem && <p id="evaluation-threshold-problem" role="alert" className="mt-1 text-sm text-red-800 dark:text-red-200">{problem}</p>}
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        A pair counts as a match when its confidence (0–1) is at or above the threshold. {decision.note} Download writes the threshold
        chosen here into the report (&quot;threshold used&quot;); the API&apos;s own decision is kept beside it.
      </p>
      <div className="mt-2 flex flex-wrap gap-2">
        <button type="button" className={btn} disabled={!ev.eer} onClick={() => ev.eer && setThreshold(ev.eer.threshold)}>
          Use EER threshold{ev.eer ? ` (${round4(ev.eer.threshold)})` : ''}
        </button>
        <button type="button" className={btn} disabled={threshold === null} onClick={() => setThreshold(null)}>
          Back to the API&apos;s decision
        </button>
      </div>
    </div>
  );
}

/** Each labelled pair's outcome at the API's decision and at the what-if threshold. */
function PairOutcomes({ ev, threshold }: { ev: Evaluation; threshold: number | null }) {
  const [open, setOpen] = useState(false);
  const rows = ev.rows.filter((r) => r.expected !== null);
  const changed = threshold === null ? 0 : rows.filter((r) => outcomeAt(r, threshold) !== outcomeAt(r, null)).length;
  return (
    <details className="mt-4 rounded-md border border-slate-200 px-3 py-2 text-sm dark:border-slate-700" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer font-medium">
        Outcome of each labelled pair{threshold === null ? '' : ` (${changed} differ at threshold ${round4(threshold)})`}
      </summary>
      {open && (
        <div className="mt-2 max-h-80 overflow-auto" tabIndex={0} role="region" aria-label="Outcome of each labelled pair, scrollable">
          <table className="w-full text-left text-sm">
            <thead>
              <tr className="border-b border-slate-200 dark:border-slate-700">
                <th scope="col" className="py-1 pr-3">Pair</th>
                <th scope="col" className="py-1 pr-3">Expected</th>
                <th scope="col" className="py-1 pr-3 text-right">Confidence</th>
                <th scope="col" className="py-1 pr-3">API&apos;s decision</th>
                <th scope="col" className="py-1 pr-3">{threshold === null ? 'At a threshold' : `At ${round4(threshold)}`}</th>
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, MAX_PAIR_ROWS).map((r) => {
                const apiOutcome = outcomeAt(r, null)!;
                const at = threshold === null ? null : outcomeAt(r, threshold)!;
                return (
                  <tr key={r.pair_id} className="border-b border-slate-100 dark:border-slate-800">
                    <td className="py-1 pr-3 font-medium">{r.pair_id}</td>
                    <td className="py-1 pr-3">{r.expected}</td>
                    <td className="py-1 pr-3 text-right tabular-nums">{r.score === null ? '—' : r.score.toFixed(3)}</td>
                    <td className="py-1 pr-3">{OUTCOME_WORDS[apiOutcome]}</td>
                    <td className={`py-1 pr-3 ${at !== null && at !== apiOutcome ? 'font-semibold' : ''}`}>{at === null ? '—' : OUTCOME_WORDS[at]}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length > MAX_PAIR_ROWS && <p className="mt-2 text-slate-600 dark:text-slate-400">The first {MAX_PAIR_ROWS} of {rows.length} pairs are shown; the archive has them all.</p>}
        </div>
      )}
    </details>
  );
}
