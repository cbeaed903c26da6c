import { lazy, Suspense, useEffect } from 'react';
import { selectContract, useSettingsStore } from '../../store/settings.ts';
import { useSingleStore } from '../../store/single.ts';
import { Card } from '../components/Card.tsx';
import { CurlCard } from './CurlCard.tsx';
import { ImageSlot } from './ImageSlot.tsx';
import { RunProgress } from './RunProgress.tsx';
import { SingleAnnouncer } from './SingleAnnouncer.tsx';

// Shown only after the user acted (an image's face check answered, a run ended): loaded then, not with the page.
const loadResultView = () => import('./ResultView.tsx');
const ResultView = lazy(() => loadResultView().then((m) => ({ default: m.ResultView })));
const FacesNotice = lazy(() => import('./FacesNotice.tsx').then((m) => ({ default: m.FacesNotice })));

/** Single mode: two images, one call, one verdict. */
export function SinglePanel() {
  const contract = useSettingsStore(selectContract);
  const hasFaces = useSingleStore((s) => s.faces[0] !== null || s.faces[1] !== null);
  const hasOutcome = useSingleStore((s) => s.outcome !== null);
  const running = useSingleStore((s) => s.status === 'running');
  // The result card loads while the call is in flight, so it shows as soon as the answer arrives.
  useEffect(() => {
    if (running) void loadResultView();
  }, [running]);
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
        {hasFaces && <Suspense fallback={null}><FacesNotice /></Suspense>}
      </Card>
      <RunProgress />
      {hasOutcome && <Suspense fallback={null}><ResultView /></Suspense>}
      <CurlCard />
      <SingleAnnouncer />
    </div>
  );
}
