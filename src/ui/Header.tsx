import { lazy, Suspense } from 'react';
import { useAppStore, type Mode } from '../store/app.ts';
import { selectContract, settingsBlocker, useSettingsStore } from '../store/settings.ts';
import { singleRunBlocker, useSingleStore } from '../store/single.ts';
import { RunButton } from './components/RunButton.tsx';

// Bulk's store, runner and ZIP code load with Bulk mode, not with the page.
const BulkHeaderControls = lazy(() => import('./bulk/BulkHeaderControls.tsx').then((m) => ({ default: m.BulkHeaderControls })));

const MODES: { id: Mode; label: string }[] = [
  { id: 'single', label: 'Single' },
  { id: 'bulk', label: 'Bulk' },
];

/** The Single / Bulk toggle, right of Run. It stays mounted across modes, so focus stays on it. */
function ModeToggle() {
  const mode = useAppStore((s) => s.mode);
  const locked = useAppStore((s) => s.modeLocked);
  const setMode = useAppStore((s) => s.setMode);
  return (
    <div role="group" aria-label="Mode" className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700">
      {MODES.map((m) => (
        <button
          key={m.id}
          type="button"
          aria-pressed={mode === m.id}
          disabled={locked && mode !== m.id}
          onClick={() => setMode(m.id)}
          className={`rounded px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed ${mode === m.id ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'text-slate-700 hover:bg-slate-100 disabled:text-slate-400 disabled:hover:bg-transparent dark:text-slate-300 dark:hover:bg-slate-800 dark:disabled:text-slate-600'}`}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}

function SingleRunButton() {
  const contract = useSettingsStore(selectContract);
  const credentials = useSettingsStore((s) => s.credentials);
  const settingsProblem = useSettingsStore(settingsBlocker);
  const singleProblem = useSingleStore((s) => singleRunBlocker(s, { contract, credentials }));
  // A call in flight says so first; otherwise an unaccepted setting is named before anything else.
  const busy = useSingleStore((s) => s.status === 'running');
  const blocker = busy ? singleProblem : settingsProblem ?? singleProblem;
  const run = useSingleStore((s) => s.run);
  return <RunButton blocker={blocker} busy={busy} run={() => void run()} />;
}

const noop = () => {};

/** The sticky header: the title, Run (for the current mode) and the mode toggle. */
export function Header() {
  const mode = useAppStore((s) => s.mode);
  return (
    <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 sm:px-6 sm:py-3">
        <div className="mr-auto flex min-w-0 items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <h1 className="truncate text-lg font-semibold tracking-tight">Facematch Playground</h1>
        </div>
        <div className="flex max-w-full flex-wrap items-center justify-end gap-x-3 gap-y-1">
          {mode === 'single' ? (
            <SingleRunButton />
          ) : (
            <Suspense fallback={<RunButton blocker="Bulk mode is loading." busy={false} run={noop} />}>
              <BulkHeaderControls />
            </Suspense>
          )}
          <ModeToggle />
        </div>
      </div>
    </header>
  );
}
