import { FilePickButton, ZIP_ACCEPT } from '../components/FilePickButton.tsx';
import { useMemo } from 'react';
import { comparisonCharts } from '../../core/charts/charts.ts';
import { describeChange, errorNotes, type ComparedPair, type Comparison, type PairState } from '../../core/evaluation/compare.ts';
import { CONVENTION_LABELS } from '../../core/evaluation/acquisition.ts';
import { comparisonDet, formatP, type RunDifference } from '../../core/evaluation/significance.ts';
import { deltaInterval, differenceOf, NO_SHARED_LABELS, signedPct } from '../../core/evaluation/evaluation-report.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { evaluationInputFor, evaluationLabels, useEvaluationStore } from '../../store/evaluation.ts';
import { EvaluationCharts } from './EvaluationCharts.tsx';
import { formatMs } from './format.ts';
import { pct } from '../../core/evaluation/evaluation.ts';
import { ROBUSTNESS_COMPARE_COLUMNS, robustnessCompareRows, type RobustnessPair } from '../../core/sweep/robustness.ts';

const LISTED = 200;

/** "Compare with a previous run": a facematch-bulk-*.zip read from its results/*.json, joined by pair_id. */
export function CompareSection() {
  const hasRun = useBulkStore((s) => s.result !== null && s.runContract !== null);
  const comparison = useEvaluationStore((s) => s.comparison);
  const comparing = useEvaluationStore((s) => s.comparing);
  const error = useEvaluationStore((s) => s.compareError);
  const compareWith = useEvaluationStore((s) => s.compareWith);
  const clear = useEvaluationStore((s) => s.clearComparison);
  if (!hasRun) return null;
  return (
    <section aria-labelledby="compare-title" className="mt-6">
      <h3 id="compare-title" className="text-sm font-semibold">Compare with a previous run</h3>
      <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
        Choose a <code>facematch-bulk-*.zip</code> downloaded earlier: its <code>results/*.json</code> are read (never its spreadsheet)
        and joined with this run by pair id. Download then adds a Compare sheet and a report section.
      </p>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <FilePickButton accept={ZIP_ACCEPT} onFile={(file) => void compareWith(file)}>
          Compare with a previous run
        </FilePickButton>
        {comparison && (
          <button type="button" onClick={clear} className="rounded-md border border-slate-300 px-3 py-2 text-sm font-medium hover:bg-slate-50 dark:border-slate-600 dark:hover:bg-slate-800">
            Clear comparison
          </button>
        )}
      </div>
      {comparing && <p role="status" className="mt-2 text-sm">Reading the previous run…</p>}
      {error && <p role="alert" className="mt-2 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">{error}</p>}
      {comparison && <ComparisonView c={comparison} />}
    </section>
  );
}

function ComparisonView({ c }: { c: Comparison }) {
  const records = useBulkStore((s) => s.records);
  const reopened = useBulkStore((s) => s.reopened);
  const labels = useBulkStore((s) => s.labels);
  const archiveInput = useBulkStore((s) => s.archiveInput);
  const input = useMemo(() => evaluationInputFor(evaluationLabels({ reopened, records, labels, archiveInput }), null, null), [reopened, records, labels, archiveInput]);
  // McNemar's test, the rate deltas and both DET curves: core's, as report.html's comparison has them.
  const difference = useMemo(() => (input ? differenceOf(c, input) : null), [c, input]);
  const charts = useMemo(() => comparisonCharts(c, input ? comparisonDet(c, new Map(input.labels)) : undefined), [c, input]);
  const d = c.deltas;
  const num = (v: number | null) => (v === null ? '—' : (v >= 0 ? '+' : '') + v.toFixed(3));
  return (
    <div className="mt-3 space-y-3 text-sm">
      <p role="status">
        {c.before} → {c.after}: {c.pairs.length} pair(s) in both; {c.flips.length} verdict flip(s), {c.newlyFailing.length} newly failing,
        {' '}{c.recovered.length} recovered; {c.onlyBefore.length} only in {c.before}, {c.onlyAfter.length} only in this run.
      </p>
      {difference ? <Difference d={difference} /> : input && <p>{NO_SHARED_LABELS}</p>}
      {c.robustness && <RobustnessBoth pairs={c.robustness} />}
      <PairList title="Verdict flips" pairs={c.flips} />
      <PairList title="Newly failing" pairs={c.newlyFailing} />
      <PairList title="Recovered" pairs={c.recovered} />
      {(c.onlyBefore.length > 0 || c.onlyAfter.length > 0) && (
        <div>
          <h4 className="font-semibold">Pairs in only one run</h4>
          {c.onlyBefore.length > 0 && <p>Only in {c.before}: {c.onlyBefore.slice(0, LISTED).join(', ')}{c.onlyBefore.length > LISTED ? ` and ${c.onlyBefore.length - LISTED} more` : ''}</p>}
          {c.onlyAfter.length > 0 && <p>Only in this run: {c.onlyAfter.slice(0, LISTED).join(', ')}{c.onlyAfter.length > LISTED ? ` and ${c.onlyAfter.length - LISTED} more` : ''}</p>}
        </div>
      )}
      <div className="flex flex-wrap gap-6">
        <table className="border-collapse">
          <caption className="pb-1 text-left font-semibold">Confidence change (after − before), {d.n} pair(s)</caption>
          <tbody>
            {([['mean', d.mean], ['median', d.median], ['min', d.min], ['5th percentile', d.p5], ['95th percentile', d.p95], ['max', d.max]] as const).map(([k, v]) => (
              <tr key={k}><th scope="row" className="pr-4 text-left font-normal text-slate-600 dark:text-slate-400">{k}</th><td className="text-right tabular-nums">{num(v)}</td></tr>
            ))}
          </tbody>
        </table>
        <table className="border-collapse">
          <caption className="pb-1 text-left font-semibold">Response time</caption>
          <thead>
            <tr><td /><th scope="col" className="px-3 text-right">p50</th><th scope="col" className="px-3 text-right">p95</th><th scope="col" className="px-3 text-right">calls</th></tr>
          </thead>
          <tbody>
            <tr><th scope="row" className="text-left font-normal">Before ({c.before})</th><td className="px-3 text-right tabular-nums">{formatMs(c.latency.before.p50)}</td><td className="px-3 text-right tabular-nums">{formatMs(c.latency.before.p95)}</td><td className="px-3 text-right tabular-nums">{c.latency.before.n}</td></tr>
            <tr><th scope="row" className="text-left font-normal">After (this run)</th><td className="px-3 text-right tabular-nums">{formatMs(c.latency.after.p50)}</td><td className="px-3 text-right tabular-nums">{formatMs(c.latency.after.p95)}</td><td className="px-3 text-right tabular-nums">{c.latency.after.n}</td></tr>
          </tbody>
        </table>
      </div>
      <EvaluationCharts charts={charts} />
    </div>
  );
}

/** McNemar's sentence and p-value, and FMR/FNMR of both runs with their difference and its interval. */
function Difference({ d }: { d: RunDifference }) {
  const cls = 'border border-slate-200 px-2 py-1 text-left tabular-nums dark:border-slate-700';
  const head = 'border border-slate-200 bg-slate-50 px-2 py-1 text-left font-semibold dark:border-slate-700 dark:bg-slate-800';
  const rows = [['FMR', d.fmr], ['FNMR', d.fnmr]] as const;
  return (
    <div>
      <h4 className="font-semibold">Is the difference real?</h4>
      <p className="mt-1 font-medium">{d.sentence}</p>
      <p className="text-slate-600 dark:text-slate-400">
        McNemar&apos;s exact p = {formatP(d.p)}: {d.b} pair(s) right in {d.before} and wrong in {d.after}, {d.c} wrong in {d.before} and right in {d.after}.
      </p>
      <div className="mt-2 overflow-x-auto">
        <table className="border-collapse">
          <caption className="pb-1 text-left font-semibold">Error rates of both runs on the labelled pairs they share ({CONVENTION_LABELS.excluded})</caption>
          <thead>
            <tr>
              <td />
              <th scope="col" className={head}>Before ({d.before})</th>
              <th scope="col" className={head}>After ({d.after})</th>
              <th scope="col" className={head}>Change (after − before)</th>
              <th scope="col" className={head}>95 % interval of the change</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([name, r]) => (
              <tr key={name}>
                <th scope="row" className={head}>{name}</th>
                <td className={cls}>{r.before.text}</td>
                <td className={cls}>{r.after.text}</td>
                <td className={cls}>{r.delta === null ? '—' : signedPct(r.delta)}</td>
                <td className={cls}>{deltaInterval(r) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Two sweeps: each perturbation level's FNMR, FMR and FTA in both runs (core's rows, as the Compare sheet has them). */
function RobustnessBoth({ pairs }: { pairs: readonly RobustnessPair[] }) {
  const cls = 'border border-slate-200 px-2 py-1 text-left tabular-nums dark:border-slate-700';
  const head = 'border border-slate-200 bg-slate-50 px-2 py-1 text-left font-semibold dark:border-slate-700 dark:bg-slate-800';
  const [first, ...rates] = ROBUSTNESS_COMPARE_COLUMNS;
  return (
    <div className="overflow-x-auto">
      <table className="border-collapse">
        <caption className="pb-1 text-left font-semibold">Robustness of both sweeps, per perturbation level</caption>
        <thead>
          <tr><th scope="col" className={head}>{first}</th>{rates.map((h) => <th key={h} scope="col" className={head}>{h}</th>)}</tr>
        </thead>
        <tbody>
          {robustnessCompareRows(pairs).map(([label, ...values]) => (
            <tr key={String(label)}>
              <th scope="row" className={head}>{label}</th>
              {values.map((v, k) => <td key={rates[k]} className={cls}>{typeof v === 'number' ? pct(v) : '—'}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A side in a word: its confidence, or its error's kind (the sentence is in the list under the table). */
const word = (s: PairState) => (s.match === null ? s.errorKind ?? 'error' : s.confidence === null ? '' : s.confidence.toFixed(3));

function PairList({ title, pairs }: { title: string; pairs: readonly ComparedPair[] }) {
  if (!pairs.length) return <p><span className="font-semibold">{title}:</span> none.</p>;
  const notes = errorNotes(pairs);
  return (
    <div>
      <table className="w-full border-collapse text-left">
        <caption className="pb-1 text-left font-semibold">{title} ({pairs.length})</caption>
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-700">
            <th scope="col" className="py-1 pr-3">Pair</th>
            <th scope="col" className="py-1 pr-3">Change</th>
            <th scope="col" className="py-1 pr-3">Before</th>
            <th scope="col" className="py-1 pr-3">After</th>
          </tr>
        </thead>
        <tbody>
          {pairs.slice(0, LISTED).map((p) => (
            <tr key={p.pair_id} className="border-b border-slate-100 dark:border-slate-800">
              <td className="py-1 pr-3 font-medium">{p.pair_id}</td>
              <td className="py-1 pr-3">{describeChange(p)}</td>
              <td className="py-1 pr-3 tabular-nums">{word(p.before)}</td>
              <td className="py-1 pr-3 tabular-nums">{word(p.after)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {notes.length > 0 && (
        <ul aria-label={`Errors in ${title}`} className="mt-1 space-y-0.5 text-slate-700 dark:text-slate-300">
          {notes.map((n) => (
            <li key={`${n.kind} ${n.message}`}>
              <span className="font-medium">{n.kind}</span> ({n.pairs.toLocaleString('en')} pair{n.pairs === 1 ? '' : 's'}): {n.message}
            </li>
          ))}
        </ul>
      )}
      {pairs.length > LISTED && <p className="text-slate-600 dark:text-slate-400">The first {LISTED} of {pairs.length} are shown; the Compare sheet has them all.</p>}
    </div>
  );
}
