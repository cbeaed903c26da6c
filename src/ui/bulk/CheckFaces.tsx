import { useShallow } from 'zustand/react/shallow';
import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { usePreflightStore } from '../../store/preflight.ts';
import { Button } from '../components/Button.tsx';

/**
 * Bulk "Check faces": the reference server's detector on every image of the loaded ZIP, with
 * progress and Stop. Shown only when that detector answers at this page's own origin; nothing
 * is sent to the API set in the connection settings.
 */
export function CheckFaces() {
  const available = usePreflightStore((s) => s.facesAvailable);
  const { status, done, total, unknown } = usePreflightStore(useShallow((s) => s.faceCheck));
  const faceFlags = usePreflightStore((s) => {
    let n = 0;
    for (const list of s.flags.values()) if (list.some((f) => f.source === 'faces')) n++;
    return n;
  });
  const checkFaces = usePreflightStore((s) => s.checkFaces);
  const stopFaces = usePreflightStore((s) => s.stopFaces);
  const busy = useBulkStore(selectBulkBusy);
  if (!available) return null;

  const pairs = (n: number) => `${n.toLocaleString('en')} pair${n === 1 ? '' : 's'}`;
  const outcome = status === 'done' || status === 'stopped'
    ? [
      status === 'stopped'
        ? `Check faces stopped after ${pairs(done)} of ${total.toLocaleString('en')}; the flags found so far are kept.`
        : `Check faces looked at ${pairs(total)}.`,
      faceFlags === 0 ? 'No image without a face or with several.' : `${pairs(faceFlags)} flagged: an image with no face or with several.`,
      unknown > 0 ? `${pairs(unknown)} could not be checked (an image could not be read or the detector did not answer); ${unknown === 1 ? 'it is' : 'they are'} not flagged.` : '',
    ].filter(Boolean).join(' ')
    : null;

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3">
        {status === 'checking' ? (
          <Button variant="danger" size="sm" onClick={stopFaces}>Stop</Button>
        ) : (
          <Button size="sm" onClick={() => void checkFaces()} disabled={busy}>
            {status === 'idle' ? 'Check faces' : 'Check faces again'}
          </Button>
        )}
        <span className="text-xs text-slate-600 dark:text-slate-400">
          Asks this server&apos;s face detector whether each image has exactly one face. Nothing is sent to the API.
        </span>
      </div>
      {status === 'checking' && (
        <div className="space-y-1">
          <progress
            max={Math.max(1, total)}
            value={done}
            aria-label="Faces checked"
            aria-valuetext={`${done} of ${total} pairs`}
            className="h-2 w-full accent-sky-600"
          />
          <p className="text-xs text-slate-700 tabular-nums dark:text-slate-300">Checking faces: {done.toLocaleString('en')} of {total.toLocaleString('en')} pairs…</p>
        </div>
      )}
      {outcome && <p role="status" className="text-slate-700 dark:text-slate-300">{outcome}</p>}
    </div>
  );
}
