import { lazy, Suspense, useEffect, useState } from 'react';
import { journalMayExist } from '../lib/journal-exists.ts';
import { useAppStore } from '../store/app.ts';
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
        <SettingsPanel />
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
