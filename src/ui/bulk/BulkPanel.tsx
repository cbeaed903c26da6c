import { AuthPauseBanner } from './AuthPauseBanner.tsx';
import { FinishedPanel } from './FinishedPanel.tsx';
import { ResultsTable } from './ResultsTable.tsx';
import { RunProgress } from './RunProgress.tsx';
import { ZipCard } from './ZipCard.tsx';

/** Bulk mode: choose a ZIP of pairs, run them one at a time, get the results archive. */
export function BulkPanel() {
  return (
    <div className="space-y-6">
      <ZipCard />
      <AuthPauseBanner />
      <RunProgress />
      <FinishedPanel />
      <ResultsTable />
    </div>
  );
}
