import { lazy, Suspense } from 'react';
import { useAppStore } from '../store/app.ts';
import { Header } from './Header.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { SinglePanel } from './single/SinglePanel.tsx';

// Bulk mode (its table virtualiser and panels) loads when the user switches to it, not with the page.
// The run journal's banner (IndexedDB, read after the first paint) is its own small chunk.
const JournalBanner = lazy(() => import('./journal/JournalBanner.tsx').then((m) => ({ default: m.JournalBanner })));
const BulkPanel = lazy(() => import('./bulk/BulkPanel.tsx').then((m) => ({ default: m.BulkPanel })));

export function App() {
  const mode = useAppStore((s) => s.mode);
  return (
    <div className="min-h-screen">
      <Header />
      <main className="mx-auto grid max-w-7xl gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[22rem_1fr]">
        <SettingsPanel />
        <div className="min-w-0">
          <Suspense fallback={null}>
            <JournalBanner />
          </Suspense>
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
