import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { selectContentChecking, selectFlaggedCount, usePreflightStore } from '../../store/preflight.ts';
import { CheckFaces } from './CheckFaces.tsx';
import { SweepSettings } from './SweepSettings.tsx';
// Not lazy on its own: the Bulk panel is already a chunk loaded on demand, and a separate chunk
// here made the bundler split shared modules out of the first load (88.2 → 90.1 KB gzip measured).
import PreflightList from './PreflightList.tsx';

/**
 * "Before the run", in the ZIP card once pairs are loaded: the content check's progress, Check
 * faces (when the reference server's detector is at this origin), "Exclude flagged pairs" and the
 * list of every pair with both paths and its flags.
 */
export function Preflight() {
  const pairs = usePreflightStore((s) => s.zip?.pairs.length ?? 0);
  const hidden = useBulkStore((s) => s.reopened || s.zip === null);
  // Once a run starts, its own table takes over from the list of what will be sent.
  const beforeRun = useBulkStore((s) => s.phase === 'idle');
  if (hidden || pairs === 0) return null;
  return (
    <section aria-labelledby="preflight-title" className="mt-4 space-y-3 rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <h3 id="preflight-title" className="font-semibold text-slate-900 dark:text-slate-100">Before the run</h3>
      <ContentStatus />
      <CheckFaces />
      <ExcludeFlagged />
      <SweepSettings />
      {beforeRun && (
        <PreflightList />
      )}
    </section>
  );
}

function ContentStatus() {
  const checking = usePreflightStore(selectContentChecking);
  const done = usePreflightStore((s) => s.contentDone);
  const total = usePreflightStore((s) => s.zip?.pairs.length ?? 0);
  const flagged = usePreflightStore(selectFlaggedCount);
  const text = checking
    ? `Checking what each image really is: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} pairs…`
    : flagged === 0
      ? `Every image's content was checked: all ${total.toLocaleString('en')} pair${total === 1 ? ' has' : 's have'} JPEG or PNG images.`
      : `${flagged.toLocaleString('en')} pair${flagged === 1 ? '' : 's'} of ${total.toLocaleString('en')} ${flagged === 1 ? 'is' : 'are'} flagged. Flagged pairs are sent anyway unless you exclude them; to send one as it should be, replace its file and load the ZIP again.`;
  return <p role="status" className="text-slate-700 dark:text-slate-300">{text}</p>;
}

function ExcludeFlagged() {
  const flagged = usePreflightStore(selectFlaggedCount);
  const exclude = usePreflightStore((s) => s.exclude);
  const setExclude = usePreflightStore((s) => s.setExclude);
  const busy = useBulkStore(selectBulkBusy);
  if (flagged === 0) return null;
  return (
    <div>
      <label className="inline-flex items-center gap-2 font-medium text-slate-800 dark:text-slate-200">
        <input
          type="checkbox"
          checked={exclude}
          disabled={busy}
          onChange={(e) => setExclude(e.currentTarget.checked)}
          className="size-4 accent-sky-600 disabled:opacity-50"
          aria-describedby="preflight-exclude-help"
        />
        Exclude flagged pairs ({flagged.toLocaleString('en')})
      </label>
      <p id="preflight-exclude-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        Excluded pairs are not sent; each still gets its results/&lt;pair&gt;.json, marked not_run with the reason.
      </p>
    </div>
  );
}
