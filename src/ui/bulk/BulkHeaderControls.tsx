import { selectBulkBusy, selectBulkCanRun, useBulkStore } from '../../store/bulk.ts';
import { HeaderControls } from '../Header.tsx';

/** Run and the mode toggle while Bulk is showing: Run starts the bulk run; the toggle is locked during it. */
export function BulkHeaderControls() {
  const canRun = useBulkStore(selectBulkCanRun);
  const busy = useBulkStore(selectBulkBusy);
  const run = useBulkStore((s) => s.run);
  return <HeaderControls canRun={canRun} busy={busy} run={() => void run()} modeLocked={busy} />;
}
