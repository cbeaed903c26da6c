import { lazy, Suspense, useEffect, useState } from 'react';
import { journalMayExist } from '../lib/journal-exists.ts';
import { useAppStore } from '../store/app.ts';
import { selectContract, useSettingsStore } from '../store/settings.ts';
import { useMediaQuery } from './components/useMediaQuery.ts';
import { Header } from './Header.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { SinglePanel } from './single/SinglePanel.tsx';

// Bulk mode (its table virtualiser and panels) loads when the user switches to it, not with the page.
const BulkPanel = lazy(() => import('./bulk/BulkPanel.tsx').then((m) => ({ default: m.BulkPanel })));
// The unfinished-run banner, its store and the IndexedDB wrapper load only when a journal exists.
const JournalBanner = lazy(() => import('./journal/JournalBanner.tsx').then((m) => ({ default: m.JournalBanner })));

export function App() {
  const mode = useAppStore((s) => s.mode);
  const [journal, setJournal] = useState(false);
  useEffect(() => {
    void journalMayExist().then(setJournal);
  }, []);
  return (
    <div className="min-h-screen">
      <Header />
      <main className="mx-auto grid max-w-7xl gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[22rem_1fr]">
        <Settings />
        <div className="min-w-0">
          {journal && (
            <Suspense fallback={null}>
              <JournalBanner />
            </Suspense>
          )}
          {mode === 'single' ? (
            <SinglePanel />
          ) : (
            <Suspense fallback={<p role="status" className="text-sm text-slate-500 dark:text-slate-400">Loading Bulk mode…</p>}>
              <BulkPanel />
            </Suspense>
          )}
        </div>
      </main>
    </div>
  );
}

/**
 * The connection settings: a column beside the work area on a wide screen; on a phone or tablet
 * (one column) a fold, closed at first, so Single's images and Bulk's card come first on the screen.
 */
function Settings() {
  const wide = useMediaQuery('(min-width: 64rem)');
  const provider = useSettingsStore((s) => selectContract(s).label);
  const [open, setOpen] = useState(false);
  if (wide) return <SettingsPanel />;
  return (
    <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="min-w-0">
      <summary className="cursor-pointer rounded-xl border border-slate-200 bg-white px-5 py-3 text-sm font-semibold text-slate-900 shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-100">
        Connection settings <span className="font-normal text-slate-600 dark:text-slate-400">· {provider}</span>
      </summary>
      {/* Mounted while closed too: the panel loads the server's health and keeps its state. */}
      <div className="mt-3"><SettingsPanel /></div>
    </details>
  );
}
