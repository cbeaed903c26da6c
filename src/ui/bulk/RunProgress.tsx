import { useEffect, useMemo, useState } from 'react';
import { etaMs, useBulkStore } from '../../store/bulk.ts';
import { stoppedAt } from '../../core/run/journal-run.ts';
import { summarise } from '../../core/run/stats.ts';
import { queueTimeoutWarning } from '../../core/run/queue-warning.ts';
import { formatDuration } from './format.ts';

/** Progress bar ("k of N"), elapsed time, ETA, the Stop button, and while it runs the live counts and the pair in flight. */
export function RunProgress() {
  const phase = useBulkStore((s) => s.phase);
  const done = useBulkStore((s) => s.done);
  const records = useBulkStore((s) => s.records);
  const stopped = useBulkStore((s) => s.phase === 'finished' && s.result?.stopped === true);
  const reopened = useBulkStore((s) => s.reopened);
  const runKind = useBulkStore((s) => s.runKind);
  const total = useBulkStore((s) => s.total);
  const startedAt = useBulkStore((s) => s.startedAt);
  const endedAt = useBulkStore((s) => s.endedAt);
  const stopRequested = useBulkStore((s) => s.stopRequested);
  const paused = useBulkStore((s) => s.authPause !== null);
  const stop = useBulkStore((s) => s.stop);
  const running = phase === 'running';
  const now = useNow(running);

  if (phase === 'idle' || startedAt === null || reopened) return null;
  const elapsed = Math.max(0, (endedAt ?? now) - startedAt);
  // A stopped run shows where it really stopped: pairs answered, and how many were never run.
  const at = stopped ? stoppedAt(records) : null;
  const shown = at ? at.done : Math.min(done, total);
  const eta = running ? etaMs(shown, total, elapsed) : 0;
  const state = phase === 'building'
    ? 'Building the results archive…'
    : at
      ? `Stopped at ${at.done} of ${at.total} · ${at.notRun} not run`
      : phase === 'finished'
        ? 'Run finished.'
        : paused ? 'Paused: the API rejected the token.' : stopRequested ? 'Stopping…'
          : runKind === 'rerun-failed' ? 'Re-running the failed pairs…'
            : runKind === 'rerun-remaining' ? 'Running the remaining pairs…'
              : runKind === 'resume' ? 'Resumed: running…' : 'Running…';

  return (
    <section aria-label="Bulk run progress" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <p role="status" className={`font-medium ${at ? 'text-amber-700 dark:text-amber-300' : ''}`}>{state}</p>
        <p><span className="font-semibold tabular-nums">{shown} of {total}</span> pairs</p>
        <p>Elapsed <span className="tabular-nums">{formatDuration(elapsed)}</span></p>
        {running && <p>ETA <span className="tabular-nums">{formatDuration(eta)}</span></p>}
        {running && !paused && (
          <button
            type="button"
            onClick={stop}
            disabled={stopRequested}
            className="ml-auto rounded-md border border-red-300 bg-white px-4 py-1.5 text-sm font-semibold text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300 dark:hover:bg-red-950/40"
          >
            Stop
          </button>
        )}
      </div>
      <div
        role="progressbar"
        aria-label="Pairs processed"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={shown}
        aria-valuetext={`${shown} of ${total}`}
        className="mt-3 h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
      >
        <div className={`h-full w-full origin-left rounded-full ${at ? 'bg-amber-500' : 'bg-green-600'}`} style={{ transform: `scaleX(${total > 0 ? shown / total : 0})` }} />
      </div>
      {(running || phase === 'building') && <LiveCounts />}
      <QueueWarning />
    </section>
  );
}

/** Most failures are timeouts at Concurrency > 1: the server is likely queueing (core's rule). */
function QueueWarning() {
  const records = useBulkStore((s) => s.records);
  const snapshot = useBulkStore((s) => s.snapshot);
  const warning = useMemo(() => (snapshot ? queueTimeoutWarning(records, snapshot) : null), [records, snapshot]);
  if (!warning) return null;
  return (
    <p role="note" className="mt-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
      {warning}
    </p>
  );
}

/** Date.now(), refreshed every half second while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [active]);
  return now;
}

/**
 * While the run is in flight: succeeded, failed, matches and non-matches so far (core's summarise
 * over the records published so far, so they update with each batch, not each record), and the
 * pair being sent (with Concurrency > 1, how many are in flight and the one sent first).
 */
function LiveCounts() {
  const records = useBulkStore((s) => s.records);
  const contract = useBulkStore((s) => s.runContract);
  const inFlight = useBulkStore((s) => s.inFlight);
  const stats = useMemo(() => (contract ? summarise(records, contract) : null), [records, contract]);
  if (!stats) return null;
  const figures: [string, number, string][] = [
    ['Succeeded', stats.succeeded, ''],
    ['Failed', stats.failed, stats.failed > 0 ? 'text-red-700 dark:text-red-400' : ''],
    ['Matches', stats.matches, ''],
    ['Non-matches', stats.nonMatches, ''],
  ];
  return (
    <div className="mt-3 flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
      <dl className="flex flex-wrap gap-x-5 gap-y-1">
        {figures.map(([label, value, tone]) => (
          <div key={label} className="flex gap-1.5">
            <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
            <dd className={`font-semibold tabular-nums ${tone}`}>{value}</dd>
          </div>
        ))}
      </dl>
      {inFlight !== null && (
        <p className="min-w-0 truncate text-slate-700 dark:text-slate-300">
          {inFlight.count === 1 ? 'Sending ' : `${inFlight.count} in flight · oldest `}
          <span className="font-mono">{inFlight.oldest}</span>
        </p>
      )}
    </div>
  );
}
