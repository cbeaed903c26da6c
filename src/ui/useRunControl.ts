import { useAppStore } from '../store/app.ts';
import { selectSingleCanRun, selectSingleBusy, useSingleStore } from '../store/single.ts';
import { selectBulkCanRun, selectBulkBusy, useBulkStore } from '../store/bulk.ts';

/** What the header's Run button does in the current mode. */
export function useRunControl() {
  const mode = useAppStore((s) => s.mode);
  const singleCanRun = useSingleStore(selectSingleCanRun);
  const singleBusy = useSingleStore(selectSingleBusy);
  const singleRun = useSingleStore((s) => s.run);
  const bulkCanRun = useBulkStore(selectBulkCanRun);
  const bulkBusy = useBulkStore(selectBulkBusy);
  const bulkRun = useBulkStore((s) => s.run);
  return mode === 'single'
    ? { canRun: singleCanRun, busy: singleBusy, run: singleRun, modeLocked: singleBusy || bulkBusy }
    : { canRun: bulkCanRun, busy: bulkBusy, run: bulkRun, modeLocked: singleBusy || bulkBusy };
}
