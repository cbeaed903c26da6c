import { useBulkStore } from '../../store/bulk.ts';
import { formatMs } from './format.ts';

/** After the run: the download-again panel and the run summary. */
export function FinishedPanel() {
  const phase = useBulkStore((s) => s.phase);
  const result = useBulkStore((s) => s.result);
  const runError = useBulkStore((s) => s.runError);
  const stopReason = useBulkStore((s) => s.stopReason);
  const downloadAgain = useBulkStore((s) => s.downloadAgain);
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
  return (
    <section aria-label="Bulk run result" className="rounded-lg border-2 border-green-600 bg-white p-5 shadow-sm dark:border-green-500 dark:bg-slate-900">
      <p role="status" className="text-sm font-medium">
        Bulk run finished. The ZIP was downloaded automatically; you can download it again below.
      </p>
      {stopReason && <p className="mt-2 text-sm text-amber-800 dark:text-amber-300">{stopReason}</p>}
      <button
        type="button"
        onClick={downloadAgain}
        className="mt-4 inline-flex items-center rounded-md bg-green-700 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-green-800"
      >
        Download {result.fileName}
      </button>
      <h3 className="mt-5 text-sm font-semibold">Run summary ({stats.pairs} pairs)</h3>
      <dl className="mt-2 grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
        {figures.map(([label, value]) => (
          <div key={label} className="flex justify-between gap-2 border-b border-slate-100 py-1 dark:border-slate-800">
            <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd className="font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
