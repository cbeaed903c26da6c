import { lazy, Suspense } from 'react';
import { useAppStore, type Mode } from '../store/app.ts';
import { selectSingleBusy, selectSingleCanRun, useSingleStore } from '../store/single.ts';

// Bulk's store, runner and ZIP code load with Bulk mode, not with the page.
const BulkHeaderControls = lazy(() => import('./bulk/BulkHeaderControls.tsx').then((m) => ({ default: m.BulkHeaderControls })));

const MODES: { id: Mode; label: string }[] = [
  { id: 'single', label: 'Single' },
  { id: 'bulk', label: 'Bulk' },
];

export interface HeaderControlsProps {
  canRun: boolean;
  busy: boolean;
  run: () => void;
  /** True while a run is in flight: the mode cannot change under it. */
  modeLocked: boolean;
}

/** The green Run button (#submit-btn) and, to its right, the Single / Bulk toggle. */
export function HeaderControls({ canRun, busy, run, modeLocked }: HeaderControlsProps) {
  const mode = useAppStore((s) => s.mode);
  const setMode = useAppStore((s) => s.setMode);
  return (
    <>
      <button
        id="submit-btn"
        type="button"
        onClick={run}
        disabled={!canRun || busy}
        aria-busy={busy}
        className="inline-flex items-center gap-2 rounded-md bg-green-700 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-green-800 disabled:cursor-not-allowed disabled:bg-green-700/40 dark:disabled:bg-green-900/60"
      >
        {busy && <span aria-hidden className="h-3 w-3 animate-spin rounded-full border-2 border-white/40 border-t-white" />}
        Run
      </button>
      <div role="group" aria-label="Mode" className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700">
        {MODES.map((m) => (
          <button
            key={m.id}
            type="button"
            aria-pressed={mode === m.id}
            disabled={modeLocked && mode !== m.id}
            onClick={() => setMode(m.id)}
            className={`rounded px-3 py-1.5 text-sm font-medium ${mode === m.id ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'text-slate-700 hover:bg-slate-100 disabled:opacity-50 dark:text-slate-300 dark:hover:bg-slate-800'}`}
          >
            {m.label}
          </button>
        ))}
      </div>
    </>
  );
}

function SingleHeaderControls() {
  const canRun = useSingleStore(selectSingleCanRun);
  const busy = useSingleStore(selectSingleBusy);
  const run = useSingleStore((s) => s.run);
  return <HeaderControls canRun={canRun} busy={busy} run={() => void run()} modeLocked={busy} />;
}

const noop = () => {};

export function Header() {
  const mode = useAppStore((s) => s.mode);
  return (
    <header className="border-b border-slate-200 bg-white/80 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-3 sm:px-6">
        <div className="mr-auto flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <h1 className="text-lg font-semibold tracking-tight">Facematch Playground</h1>
        </div>
        {mode === 'single' ? (
          <SingleHeaderControls />
        ) : (
          <Suspense fallback={<HeaderControls canRun={false} busy={false} run={noop} modeLocked={false} />}>
            <BulkHeaderControls />
          </Suspense>
        )}
      </div>
    </header>
  );
}
