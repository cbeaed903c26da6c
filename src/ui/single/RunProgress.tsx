import { useEffect, useState } from 'react';
import { useSingleStore } from '../../store/single.ts';
import { Button } from '../components/Button.tsx';
import { IndeterminateBar } from '../components/IndeterminateBar.tsx';

/** While a call is in flight: an indeterminate bar, the elapsed seconds and Cancel. */
export function RunProgress() {
  const startedAt = useSingleStore((s) => s.startedAt);
  const running = useSingleStore((s) => s.status === 'running');
  const cancel = useSingleStore((s) => s.cancel);
  if (!running || startedAt === null) return null;
  return (
    <section aria-label="Call in progress" className="rounded-xl border border-sky-200 bg-sky-50 p-5 dark:border-sky-900 dark:bg-sky-950/40">
      <div className="flex items-center justify-between gap-4">
        <p className="text-sm font-medium text-sky-900 dark:text-sky-100">
          Waiting for the API… <Elapsed since={startedAt} />
        </p>
        <Button variant="danger" onClick={cancel}>Cancel</Button>
      </div>
      <div className="mt-3"><IndeterminateBar label="Calling the API" /></div>
    </section>
  );
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(t);
  }, []);
  const seconds = Math.max(0, (now - since) / 1000);
  return <span className="tabular-nums text-sky-700 dark:text-sky-300">{seconds.toFixed(1)} s</span>;
}
