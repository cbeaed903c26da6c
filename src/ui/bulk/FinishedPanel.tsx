import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { rerunSelection } from '../../core/run/journal-run.ts';
import { useBulkStore, type BulkResult } from '../../store/bulk.ts';
import { useEvaluationStore } from '../../store/evaluation.ts';
import { CompareSection } from './CompareSection.tsx';
import { EvaluationSection } from './EvaluationSection.tsx';
import { RobustnessSection } from './RobustnessSection.tsx';
import { formatMs } from './format.ts';

/** Results whose heading has already received focus (so a remount does not steal focus again). */
const focused = new WeakSet<BulkResult>();

/** After the run (or a reopened archive): the download-again panel, the run summary, Re-run failed / Run remaining. */
export function FinishedPanel() {
  const phase = useBulkStore((s) => s.phase);
  const result = useBulkStore((s) => s.result);
  const runError = useBulkStore((s) => s.runError);
  const stopReason = useBulkStore((s) => s.stopReason);
  const reopened = useBulkStore((s) => s.reopened);
  const runKind = useBulkStore((s) => s.runKind);
  const download = useEvaluationStore((s) => s.download);
  const downloading = useEvaluationStore((s) => s.downloading);
  const downloadError = useEvaluationStore((s) => s.downloadError);
  // When a run ends, focus moves to this panel's heading (not for a reopened archive: no run ended).
  useEffect(() => {
    if (phase !== 'finished' || !result || reopened || focused.has(result)) return;
    focused.add(result);
    document.getElementById('bulk-result-title')?.focus();
  }, [phase, result, reopened]);
  if (phase !== 'finished') return null;
  if (!result) {
    return runError ? (
      <p role="alert" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">{runError}</p>
    ) : null;
  }
  const { stats } = result;
  const figures: [string, string][] = [
    ['Succeeded', String(stats.succeeded)],
    ['Failed', String(stats.failed)],
    ['Not run', String(stats.notRun)],
    ['Matches', String(stats.matches)],
    ['Non-matches', String(stats.nonMatches)],
    ['p50', formatMs(stats.p50Ms)],
    ['p95', formatMs(stats.p95Ms)],
  ];
  const stopped = result.stopped;
  const headline = reopened
    ? `Reopened ${result.fileName}: the run is shown from its results; no API was called.`
    : stopped
      ? 'Bulk run stopped before every pair was sent. The ZIP of what was done was downloaded automatically; you can download it again below.'
      : 'Bulk run finished. The ZIP was downloaded automatically; you can download it again below.';
  return (
    <section
      aria-label="Bulk run result"
      className={`rounded-lg border-2 bg-white p-5 shadow-sm dark:bg-slate-900 ${stopped && !reopened ? 'border-amber-500' : reopened ? 'border-sky-500' : 'border-green-600 dark:border-green-500'}`}
    >
      <h2 id="bulk-result-title" tabIndex={-1} className="text-base font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500">
        {reopened ? 'Reopened results' : stopped ? 'Run stopped' : 'Run finished'}
      </h2>
      <p role="status" className={`mt-1 text-sm font-medium ${stopped && !reopened ? 'text-amber-800 dark:text-amber-300' : ''}`}>{headline}</p>
      {(runKind === 'rerun-failed' || runKind === 'rerun-remaining') && !reopened && <RerunNote />}
      {stopReason && <p className="mt-2 text-sm text-amber-800 dark:text-amber-300">{stopReason}</p>}
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <button
          type="button"
          onClick={() => void download()}
          disabled={downloading}
          className="inline-flex items-center rounded-md bg-green-700 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-green-800"
        >
          Download {result.fileName}
        </button>
        <RerunButtons />
      </div>
      {downloading && <p role="status" className="mt-2 text-sm">Building the archive with your threshold and comparison…</p>}
      {downloadError && <p role="alert" className="mt-2 text-sm text-red-800 dark:text-red-200">{downloadError}</p>}
      <h3 className="mt-5 text-sm font-semibold">Run summary ({stats.pairs} pairs)</h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
        {figures.map(([label, value]) => (
          <div key={label} className="flex justify-between gap-2 border-b border-slate-100 py-1 dark:border-slate-800">
            <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd className="font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <EvaluationSection />
      <RobustnessSection />
      <CompareSection />
    </section>
  );
}

/** "Re-run failed (N)" and "Run remaining (M)", with the run's own settings. */
function RerunButtons() {
  const canRerun = useBulkStore((s) => s.canRerun);
  const { failed, remaining } = useBulkStore(useShallow((s) => {
    const sel = rerunSelection(s.records);
    return { failed: sel.failed.length, remaining: sel.remaining.length };
  }));
  const rerun = useBulkStore((s) => s.rerun);
  if (!canRerun) return null;
  const cls = 'inline-flex items-center rounded-md border px-4 py-2 text-sm font-semibold shadow-sm';
  return (
    <>
      {failed > 0 && (
        <button type="button" onClick={() => void rerun('failed')} className={`${cls} border-red-300 text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-200 dark:hover:bg-red-950/40`}>
          Re-run failed ({failed})
        </button>
      )}
      {remaining > 0 && (
        <button type="button" onClick={() => void rerun('remaining')} className={`${cls} border-amber-500 text-amber-900 hover:bg-amber-50 dark:text-amber-200 dark:hover:bg-amber-950/40`}>
          Run remaining ({remaining})
        </button>
      )}
    </>
  );
}

function RerunNote() {
  const total = useBulkStore((s) => s.records.filter((r) => r.previous_error !== undefined).length);
  return (
    <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
      {total} pair{total === 1 ? ' was' : 's were'} re-run with the run&apos;s own settings; their records were replaced in place (attempts keep counting, previous_error says what failed before).
    </p>
  );
}
