import { useEffect, useRef } from 'react';
import { useAppStore } from '../../store/app.ts';

export interface RunButtonProps {
  /** Why Run is inactive, as a sentence; null when it can run. */
  blocker: string | null;
  busy: boolean;
  run: () => void;
  /**
   * Whether a busy button spins (default true). A Bulk run lasts minutes and its progress bar shows
   * it working; a spinner animating all that time keeps the browser drawing a new frame 60 times a
   * second, which on a machine without a GPU took most of a core away from the run.
   */
  spinner?: boolean;
}

const HINT_ID = 'run-hint';

/** True on macOS and iOS, where the shortcut is Cmd+Enter. */
const isApple = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/**
 * The green Run button (#submit-btn). When it cannot run it stays focusable (aria-disabled, not
 * disabled) and says why next to it. Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the
 * page. While busy, the mode toggle is locked.
 */
export function RunButton({ blocker, busy, run, spinner = true }: RunButtonProps) {
  const inactive = blocker !== null;
  const setModeLocked = useAppStore((s) => s.setModeLocked);
  useEffect(() => {
    setModeLocked(busy);
    return () => setModeLocked(false);
  }, [busy, setModeLocked]);

  // The shortcut always calls the latest `run`, without re-binding on every render.
  const latest = useRef({ inactive, run });
  useEffect(() => { latest.current = { inactive, run }; });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || e.repeat || e.defaultPrevented) return;
      e.preventDefault();
      if (!latest.current.inactive) latest.current.run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <button
        id="submit-btn"
        type="button"
        onClick={() => { if (!inactive) run(); }}
        aria-disabled={inactive || undefined}
        aria-describedby={inactive ? HINT_ID : undefined}
        aria-keyshortcuts={isApple() ? 'Meta+Enter' : 'Control+Enter'}
        aria-busy={busy}
        title={inactive ? blocker : `Run (${isApple() ? '⌘' : 'Ctrl'}+Enter)`}
        className="inline-flex items-center gap-2 rounded-md bg-green-700 px-5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-green-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 aria-disabled:cursor-not-allowed aria-disabled:bg-slate-200 aria-disabled:text-slate-600 aria-disabled:shadow-none aria-disabled:hover:bg-slate-200 dark:aria-disabled:bg-slate-800 dark:aria-disabled:text-slate-400 dark:aria-disabled:hover:bg-slate-800"
      >
        {busy && spinner && <span aria-hidden className="h-3 w-3 animate-spin rounded-full border-2 border-current/40 border-t-current" />}
        Run
      </button>
      {inactive && (
        <p id={HINT_ID} className="order-last basis-full text-right text-xs text-slate-600 dark:text-slate-400">
          {blocker}
        </p>
      )}
    </>
  );
}
