import { useAppStore, type Mode } from '../store/app.ts';
import { useRunControl } from './useRunControl.ts';

const MODES: { id: Mode; label: string }[] = [
  { id: 'single', label: 'Single' },
  { id: 'bulk', label: 'Bulk' },
];

export function Header() {
  const mode = useAppStore((s) => s.mode);
  const setMode = useAppStore((s) => s.setMode);
  const { canRun, busy, run, modeLocked } = useRunControl();
  return (
    <header className="border-b border-slate-200 bg-white/80 backdrop-blur dark:border-slate-800 dark:bg-slate-900/80">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-3 sm:px-6">
        <div className="mr-auto flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <h1 className="text-lg font-semibold tracking-tight">Facematch Playground</h1>
        </div>
        <button
          id="submit-btn"
          type="button"
          onClick={() => void run()}
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
      </div>
    </header>
  );
}
