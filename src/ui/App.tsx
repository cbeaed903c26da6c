import { lazy, Suspense } from 'react';
import { useAppStore } from '../store/app.ts';
import { Header } from './Header.tsx';
// In the first bundle: a separate chunk would cost more (shared runtime split out) than it saves.
import { JournalBanner } from './journal/JournalBanner.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { SinglePanel } from './single/SinglePanel.tsx';

// Bulk mode (its table virtualiser and panels) loads when the user switches to it, not with the page.
const BulkPanel = lazy(() => import('./bulk/BulkPanel.tsx').then((m) => ({ default: m.BulkPanel })));

export function App() {
  const mode = useAppStore((s) => s.mode);
  return (
    <div className="min-h-screen">
      <Header />
      <main className="mx-auto grid max-w-7xl gap-6 px-4 py-6 sm:px-6 lg:grid-cols-[22rem_1fr]">
        <SettingsPanel />
        <div className="min-w-0">
          <JournalBanner />
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
