import { useEffect } from 'react';
import { bannerSentence } from '../../core/run/journal.ts';
import { useJournalStore } from '../../store/journal.ts';
import { Button } from '../components/Button.tsx';

/**
 * On page load: "Unfinished run of regress.zip: 812 of 10,000 pairs done (3 failed).
 * Resume · Download results so far · Discard". Also the journal's own error sentences.
 */
export function JournalBanner() {
  const banner = useJournalStore((s) => s.banner);
  const error = useJournalStore((s) => s.error);
  const busy = useJournalStore((s) => s.busy);
  const resuming = useJournalStore((s) => s.resume !== null);
  const refresh = useJournalStore((s) => s.refresh);
  const startResume = useJournalStore((s) => s.startResume);
  const downloadSoFar = useJournalStore((s) => s.downloadSoFar);
  const discard = useJournalStore((s) => s.discard);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return (
    <>
      {error && (
        <p role="alert" className="mb-4 rounded-lg border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-100">
          {error}
        </p>
      )}
      {banner && !resuming && (
        <section aria-label="Unfinished run" className="mb-4 rounded-lg border border-sky-300 bg-sky-50 p-4 text-sm text-sky-950 dark:border-sky-800 dark:bg-sky-950/40 dark:text-sky-100">
          <p>{bannerSentence(banner)}</p>
          <div className="mt-3 flex flex-wrap items-center gap-2">
            {banner.status === 'running' && (
              <>
                <Button variant="primary" disabled={busy} onClick={() => void startResume()}>Resume</Button>
                <span aria-hidden="true">·</span>
              </>
            )}
            <Button disabled={busy} onClick={() => void downloadSoFar()}>
              {banner.status === 'running' ? 'Download results so far' : 'Download results'}
            </Button>
            <span aria-hidden="true">·</span>
            <Button variant="danger" disabled={busy} onClick={() => void discard()}>Discard</Button>
          </div>
        </section>
      )}
    </>
  );
}
