import { useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useBulkStore } from '../../store/bulk.ts';
import { rowView, type RowView } from './format.ts';

const ROW_HEIGHT = 36;
const GRID = 'grid grid-cols-[minmax(8rem,2fr)_minmax(6rem,1fr)_minmax(5rem,1fr)_4.5rem_5rem] gap-x-3 px-3';
const TONE: Record<RowView['tone'], string> = {
  match: 'text-green-700 dark:text-green-400 font-semibold',
  nomatch: 'text-slate-800 dark:text-slate-200 font-semibold',
  error: 'text-red-700 dark:text-red-400',
  neutral: 'text-slate-500 dark:text-slate-400',
};

/** The finished pairs, virtualised so 10,000 rows scroll smoothly. */
export function ResultsTable() {
  const records = useBulkStore((s) => s.records);
  const contract = useBulkStore((s) => s.runContract);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions that must not be memoised.
  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  if (!contract || records.length === 0) return null;

  return (
    <section aria-labelledby="bulk-results-title" className="rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id="bulk-results-title" className="px-4 pt-4 text-base font-semibold">Finished pairs</h2>
      <div role="table" aria-labelledby="bulk-results-title" aria-rowcount={records.length + 1} className="mt-3 text-sm">
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className={`${GRID} border-y border-slate-200 bg-slate-50 py-2 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300`}>
            <span role="columnheader">Pair</span>
            <span role="columnheader">Verdict</span>
            <span role="columnheader">Confidence</span>
            <span role="columnheader" className="text-right">HTTP</span>
            <span role="columnheader" className="text-right">ms</span>
          </div>
        </div>
        <div
          ref={scrollRef}
          role="rowgroup"
          tabIndex={0}
          aria-label="Finished pairs, scrollable"
          className="max-h-96 overflow-y-auto"
        >
          <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const rec = records[item.index];
              if (!rec) return null;
              const row = rowView(contract, rec);
              return (
                <div
                  key={item.key}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className={`${GRID} absolute left-0 top-0 w-full items-center border-b border-slate-100 dark:border-slate-800`}
                  style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                >
                  <span role="cell" className="truncate font-mono text-xs" title={row.pair}>{row.pair}</span>
                  <span role="cell" className={TONE[row.tone]}>{row.verdict}</span>
                  <span role="cell" className="tabular-nums">{row.confidence}</span>
                  <span role="cell" className="text-right tabular-nums">{row.status}</span>
                  <span role="cell" className="text-right tabular-nums">{row.ms}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
