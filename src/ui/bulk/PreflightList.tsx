import { useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { usePreflightStore } from '../../store/preflight.ts';

const ROW_ESTIMATE = 30;
const GRID = 'grid grid-cols-[3.5rem_minmax(6rem,1fr)_minmax(8rem,1.5fr)_minmax(8rem,1.5fr)_minmax(10rem,2fr)] gap-x-3 px-3';

type Show = 'all' | 'flagged';

/**
 * Every loaded pair, as it will be sent: its stem (pair_id), both paths in the ZIP and what the
 * pre-flight checks found. Virtualised, so a 10,000-pair ZIP renders only the rows in view.
 */
export default function PreflightList() {
  const zip = usePreflightStore((s) => s.zip);
  const flags = usePreflightStore((s) => s.flags);
  const contentDone = usePreflightStore((s) => s.contentDone);
  const unreadable = usePreflightStore((s) => s.unreadable);
  const [show, setShow] = useState<Show>('all');
  const scrollRef = useRef<HTMLDivElement>(null);
  const pairs = zip?.pairs;
  const total = pairs?.length ?? 0;

  const rows = useMemo(
    () => (show === 'flagged' ? [...flags.keys()].sort((a, b) => a - b) : null),
    [show, flags],
  );
  const count = rows ? rows.length : total;

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions that must not be memoised.
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 10,
  });
  if (!pairs || total === 0) return null;

  const options: { id: Show; label: string; n: number }[] = [
    { id: 'all', label: 'All pairs', n: total },
    { id: 'flagged', label: 'Flagged', n: flags.size },
  ];

  return (
    <div className="min-w-0">
      <div role="group" aria-label="Show in the list of pairs" className="flex flex-wrap gap-2">
        {options.map((o) => (
          <button
            key={o.id}
            type="button"
            aria-pressed={show === o.id}
            onClick={() => setShow(o.id)}
            className={`rounded-full border px-3 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 ${show === o.id
              ? 'border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900'
              : 'border-slate-300 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800'}`}
          >
            {o.label} <span className="tabular-nums">({o.n.toLocaleString('en')})</span>
          </button>
        ))}
      </div>
      <div className="mt-2 overflow-x-auto rounded-md border border-slate-200 dark:border-slate-700">
        <div role="table" aria-label="Pairs to send" aria-rowcount={count + 1} className="min-w-[44rem]">
          <div role="rowgroup">
            <div role="row" aria-rowindex={1} className={`${GRID} border-b border-slate-200 bg-slate-50 py-1.5 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300`}>
              <span role="columnheader">#</span>
              <span role="columnheader">Pair</span>
              <span role="columnheader">image1</span>
              <span role="columnheader">image2</span>
              <span role="columnheader">Check</span>
            </div>
          </div>
          <div ref={scrollRef} role="rowgroup" tabIndex={0} aria-label="Pairs to send, scrollable" className="max-h-72 overflow-y-auto">
            {count === 0 && <p className="px-3 py-3 text-slate-600 dark:text-slate-400">No pair is flagged.</p>}
            <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const index = rows ? rows[item.index]! : item.index;
                const pair = pairs[index];
                if (!pair) return null;
                const found = flags.get(index);
                return (
                  <div
                    key={index}
                    ref={virtualizer.measureElement}
                    data-index={item.index}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className={`${GRID} absolute left-0 top-0 w-full items-start border-b border-slate-100 py-1.5 dark:border-slate-800 ${found ? 'bg-amber-50/60 dark:bg-amber-950/30' : ''}`}
                    style={{ transform: `translateY(${item.start}px)` }}
                  >
                    <span role="cell" className="tabular-nums text-slate-500 dark:text-slate-400">{index + 1}</span>
                    <span role="cell" className="truncate font-medium" title={pair.pair_id}>{pair.pair_id}</span>
                    <span role="cell" className="truncate font-mono text-xs leading-5" title={pair.image1_path}>{pair.image1_path}</span>
                    <span role="cell" className="truncate font-mono text-xs leading-5" title={pair.image2_path}>{pair.image2_path}</span>
                    <span role="cell" className="min-w-0 text-xs leading-5">
                      {found ? (
                        found.map((f) => (
                          <span key={`${f.source}-${f.reason}`} className="block text-amber-900 dark:text-amber-200">
                            <span className="mr-1 rounded bg-amber-100 px-1.5 py-0.5 font-semibold dark:bg-amber-900/60">flagged</span>
                            {f.reason}
                          </span>
                        ))
                      ) : unreadable.has(index) ? (
                        <span className="text-slate-600 dark:text-slate-400">Could not be read from the ZIP; the run will say why.</span>
                      ) : index < contentDone ? (
                        <span className="text-slate-600 dark:text-slate-400">JPEG/PNG</span>
                      ) : (
                        <span className="text-slate-500 dark:text-slate-400">checking…</span>
                      )}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
