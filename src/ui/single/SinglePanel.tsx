import { selectContract, useSettingsStore } from '../../store/settings.ts';
import { Card } from '../components/Card.tsx';
import { CurlCard } from './CurlCard.tsx';
import { FacesNotice } from './FacesNotice.tsx';
import { ImageSlot } from './ImageSlot.tsx';
import { ResultView } from './ResultView.tsx';
import { RunProgress } from './RunProgress.tsx';
import { SingleAnnouncer } from './SingleAnnouncer.tsx';

/** Single mode: two images, one call, one verdict. */
export function SinglePanel() {
  const contract = useSettingsStore(selectContract);
  return (
    <div className="space-y-6">
      <Card
        title="Single comparison"
        titleId="single-title"
        actions={<span className="font-mono text-xs text-slate-500 dark:text-slate-400">POST {contract.path}</span>}
      >
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Choose or drop two face photos, then press <strong className="font-semibold">Run</strong> in the header.
        </p>
        <div className="grid gap-6 sm:grid-cols-2">
          <ImageSlot index={0} />
          <ImageSlot index={1} />
        </div>
        <FacesNotice />
      </Card>
      <RunProgress />
      <ResultView />
      <CurlCard />
      <SingleAnnouncer />
    </div>
  );
}
