import { AuthPauseBanner } from './AuthPauseBanner.tsx';
import { FinishedPanel } from './FinishedPanel.tsx';
import { ResultsTable } from './ResultsTable.tsx';
import { RunProgress } from './RunProgress.tsx';
import { ZipCard } from './ZipCard.tsx';
import { ResumeCard } from '../journal/ResumeCard.tsx';
import { useBulkStore } from '../../store/bulk.ts';
import { useJournalStore } from '../../store/journal.ts';

/** Bulk mode: choose a ZIP of pairs, run them one at a time, get the results archive. */
export function BulkPanel() {
  return (
    <div className="space-y-6">
      <ResumeCard
        onResume={({ credentials }) => {
          const r = useJournalStore.getState().resume;
          if (r?.file && r.zip) void useBulkStore.getState().resumeRun({ run: r.run, entries: r.entries, sent: r.sent, file: r.file, zip: r.zip, labels: r.labels, credentials });
        }}
      />
      <ZipCard />
      <JournalError />
      <AuthPauseBanner />
      <RunProgress />
      <FinishedPanel />
      <ResultsTable />
    </div>
  );
}

/** The journal could not write (storage full or unavailable): said once, the run goes on. */
function JournalError() {
  const error = useBulkStore((s) => s.journalError);
  if (!error) return null;
  return (
    <p role="alert" className="rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100">
      {error}
    </p>
  );
}
