import { useBulkStore } from '../../store/bulk.ts';

/** Shown when a 401 cannot be fixed by refreshing the token: the run waits for Resume or Stop. */
export function AuthPauseBanner() {
  const pause = useBulkStore((s) => s.authPause);
  const resume = useBulkStore((s) => s.resume);
  const stop = useBulkStore((s) => s.stop);
  if (!pause) return null;
  return (
    <div role="alert" className="rounded-lg border border-amber-400 bg-amber-50 p-4 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100">
      <p>
        The API rejected the token (HTTP 401) at pair {pause.pairNumber} of {pause.total}. Update the token in the
        settings and Resume, or Stop to get the archive of what was done.
      </p>
      <div className="mt-3 flex gap-3">
        <button type="button" onClick={resume} className="rounded-md bg-amber-600 px-4 py-1.5 font-semibold text-white hover:bg-amber-700">
          Resume
        </button>
        <button type="button" onClick={stop} className="rounded-md border border-amber-600 px-4 py-1.5 font-semibold hover:bg-amber-100 dark:hover:bg-amber-900/40">
          Stop
        </button>
      </div>
    </div>
  );
}
