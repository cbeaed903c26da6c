import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent, type TouchEvent } from 'react';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { correctness, hasExpected, type Correctness } from '../../core/evaluation/correctness.ts';
import { outcomeGroup, type OutcomeGroup } from '../../core/request/outcome.ts';
import { recordVerdict, type PairRecord } from '../../core/run/records.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { labelView, OUTCOME_WORDS, rowView, type LabelView, type RowView } from './format.ts';
import { RowDetail } from './RowDetail.tsx';

const ROW_HEIGHT = 36;
/**
 * Pair, Verdict, Confidence, [Expected, Outcome,] HTTP, ms. On a phone (below `sm`) only the first
 * three, sized to fit: the rest is in the row detail, so the table never scrolls sideways there.
 */
const GRID = 'grid gap-x-3 px-3';
const PHONE_COLS = 'grid-cols-[minmax(0,1fr)_minmax(0,1.25fr)_6rem]';
const COLUMNS = {
  plain: { cols: `${PHONE_COLS} sm:grid-cols-[minmax(8rem,2fr)_minmax(10rem,1.6fr)_minmax(5rem,1fr)_4.5rem_5rem]`, min: 'sm:min-w-[36rem]' },
  labelled: { cols: `${PHONE_COLS} sm:grid-cols-[minmax(8rem,2fr)_minmax(10rem,1.6fr)_minmax(5rem,1fr)_5.5rem_4rem_4.5rem_5rem]`, min: 'sm:min-w-[46rem]' },
};
/** A column a phone leaves to the row detail. */
const WIDE_ONLY = 'hidden sm:block';
const TONE: Record<RowView['tone'], string> = {
  match: 'text-green-700 dark:text-green-400 font-semibold',
  nomatch: 'text-slate-800 dark:text-slate-200 font-semibold',
  error: 'text-red-700 dark:text-red-400',
  neutral: 'text-slate-600 dark:text-slate-400',
};

type Filter = 'all' | OutcomeGroup | Correctness;
type Sort = 'input' | 'confidence-desc' | 'confidence-asc' | 'time-desc' | 'time-asc';

/** The filters; `labelled` ones are offered once some pair has an expected label. */
const FILTERS: { id: Filter; label: string; labelled?: true }[] = [
  { id: 'all', label: 'All' },
  { id: 'succeeded', label: 'Succeeded' },
  { id: 'failed', label: 'Failed' },
  { id: 'not_run', label: 'Not run' },
  { id: 'correct', label: 'Correct', labelled: true },
  { id: 'wrong', label: 'Wrong', labelled: true },
];

const SORTS: { id: Sort; label: string }[] = [
  { id: 'input', label: 'Input order' },
  { id: 'confidence-desc', label: 'Confidence, highest first' },
  { id: 'confidence-asc', label: 'Confidence, lowest first' },
  { id: 'time-desc', label: 'Time, slowest first' },
  { id: 'time-asc', label: 'Time, fastest first' },
];

/** A row's cells that are shown (a phone hides the wide-only ones), in column order. */
function shownCells(row: HTMLElement): HTMLElement[] {
  return Array.from(row.querySelectorAll<HTMLElement>('[role="gridcell"]')).filter((c) => c.getClientRects().length > 0);
}

/**
 * The finished pairs, virtualised so 10,000 rows scroll smoothly: verdicts in words, filters by
 * outcome (and Correct / Wrong against the labels, when the run has some), a search by pair id,
 * sorting by confidence or time, and a detail panel per row (click, or Enter on a row). When some
 * pair has a label, Expected and Outcome (TP/FP/TN/FN, core's rule) columns appear.
 *
 * It is a grid with one Tab stop (roving tabindex, as the WAI-ARIA grid pattern describes): the
 * active row is the only one in the Tab order; Up/Down, PageUp/PageDown and Home/End move it (and
 * focus), scrolling it into view. Right/Left move focus between the cells of the focused row (Left
 * from its first cell goes back to the row); Up/Down from a cell keep the column, and that cell is
 * then the Tab stop. Cells a phone hides are skipped. The active row is always rendered, whatever the virtualiser's
 * window, so it keeps focus while rows around it come and go. While a run is in flight, "Follow
 * new rows" keeps the newest row in view until the user scrolls up. The table scrolls inside its
 * card; on a phone it shows pair, verdict and confidence only, and the row detail has the rest.
 */
export function ResultsTable() {
  const records = useBulkStore((s) => s.records);
  const contract = useBulkStore((s) => s.runContract);
  const running = useBulkStore((s) => s.phase === 'running');
  // A live run's labels come from its ZIP; a reopened archive's records carry their own.
  const labels = useBulkStore((s) => (s.reopened ? null : s.labels?.labels ?? null));
  const [filter, setFilter] = useState<Filter>('all');
  const [follow, setFollow] = useState(true);
  /** Where a drag of the scrollbar started (null when none), to tell a drag upwards. */
  const dragTop = useRef<number | null>(null);
  const touchY = useRef<number | null>(null);
  const [sort, setSort] = useState<Sort>('input');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  /** The active row's record (the grid's one Tab stop); null: the first shown row. */
  const [active, setActive] = useState<number | null>(null);
  /** The focused cell of the active row, among its shown cells; null: the row itself. */
  const [col, setCol] = useState<number | null>(null);
  /** Set by a key that moved the active row: focus follows it once it is rendered. */
  const focusActive = useRef(false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const labelled = useMemo(() => hasExpected(records, labels), [records, labels]);
  // Each record's label and outcome (labelled runs only), from core's rule.
  const labelViews = useMemo<(LabelView | null)[]>(
    () => records.map((r) => (labelled && contract ? labelView(contract, r, labels) : null)),
    [records, labelled, contract, labels],
  );
  // Each record's groups: its outcome group, and whether the API was right (labelled pairs only).
  const groups = useMemo(() => records.map((r, i) => ({
    outcome: outcomeGroup(r),
    correct: correctness(labelViews[i]?.outcome),
  })), [records, labelViews]);
  const counts = useMemo(() => {
    const c: Record<Filter, number> = { all: records.length, succeeded: 0, failed: 0, not_run: 0, correct: 0, wrong: 0 };
    for (const g of groups) {
      c[g.outcome]++;
      if (g.correct) c[g.correct]++;
    }
    return c;
  }, [records, groups]);
  const shownFilter: Filter = !labelled && (filter === 'correct' || filter === 'wrong') ? 'all' : filter;

  const needle = query.trim().toLowerCase();
  // Indices into `records`, filtered (by group and pair id) and sorted.
  const rows = useMemo(() => {
    const idx: number[] = [];
    groups.forEach((g, i) => {
      if (shownFilter !== 'all' && g.outcome !== shownFilter && g.correct !== shownFilter) return;
      if (needle && !records[i]!.pair_id.toLowerCase().includes(needle)) return;
      idx.push(i);
    });
    if (sort === 'input' || !contract) return idx;
    const key = (r: PairRecord): number | null => (sort.startsWith('confidence')
      ? recordVerdict(contract, r)?.confidence ?? null
      : r.response_time_ms);
    const keys = new Map(idx.map((i) => [i, key(records[i]!)]));
    const dir = sort.endsWith('desc') ? -1 : 1;
    // Records without a value go last, whatever the direction; ties keep input order.
    return idx.sort((a, b) => {
      const ka = keys.get(a) ?? null;
      const kb = keys.get(b) ?? null;
      if (ka === null || kb === null) return ka === kb ? a - b : ka === null ? 1 : -1;
      return ka === kb ? a - b : (ka - kb) * dir;
    });
  }, [records, groups, shownFilter, needle, sort, contract]);

  // Where the active row is among the shown rows (the first row when it is not shown).
  const activePos = useMemo(() => {
    const pos = active === null ? -1 : rows.indexOf(active);
    return pos < 0 ? 0 : pos;
  }, [rows, active]);
  // The virtualiser's window plus the active row, so the Tab stop (and a focused row) never unmounts.
  const rangeExtractor = useCallback((range: Range) => {
    const shown = defaultRangeExtractor(range);
    if (activePos >= range.count || shown.includes(activePos)) return shown;
    return [...shown, activePos].sort((a, b) => a - b);
  }, [activePos]);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns functions that must not be memoised.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    rangeExtractor,
  });

  // After a key moved the active row: focus it (it is rendered, see rangeExtractor).
  useEffect(() => {
    if (!focusActive.current) return;
    focusActive.current = false;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-pos="${activePos}"]`);
    if (!row) return;
    const cells = shownCells(row);
    (col === null ? row : cells[Math.min(col, cells.length - 1)] ?? row).focus();
  }, [activePos, active, col]);

  // Follow new rows: after each batch, the newest record's row (wherever sort and filter put it)
  // is scrolled into view. The user scrolling up (wheel, touch, keys, a scrollbar drag) turns it
  // off; scrolls made here never do, whichever way they go. Rows have one height, so the offset is
  // computed from the virtualiser's last measures and written once, not read back frame by frame.
  const newest = records.length - 1;
  const newestRow = useMemo(() => rows.indexOf(newest), [rows, newest]);
  useEffect(() => {
    const el = scrollRef.current;
    if (!running || !follow || newestRow < 0 || !el) return;
    const view = virtualizer.scrollRect?.height ?? 0;
    const at = virtualizer.scrollOffset ?? 0;
    const top = newestRow * ROW_HEIGHT;
    if (top + ROW_HEIGHT > at + view) el.scrollTop = top + ROW_HEIGHT - view;
    else if (top < at) el.scrollTop = top;
  }, [running, follow, newestRow, virtualizer]);
  const following = running && follow;
  const unfollow = () => { if (following) setFollow(false); };
  const scrollHandlers = {
    onWheel: (e: { deltaY: number }) => { if (e.deltaY < 0) unfollow(); },
    onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => { if (['ArrowUp', 'PageUp', 'Home'].includes(e.key)) unfollow(); },
    onTouchStart: (e: TouchEvent<HTMLDivElement>) => { touchY.current = e.touches[0]?.clientY ?? null; },
    // A finger moving down scrolls the content up.
    onTouchMove: (e: TouchEvent<HTMLDivElement>) => {
      const y = e.touches[0]?.clientY;
      if (y !== undefined && touchY.current !== null && y > touchY.current) unfollow();
    },
    onPointerDown: (e: PointerEvent<HTMLDivElement>) => { if (e.target === e.currentTarget) dragTop.current = e.currentTarget.scrollTop; },
    onPointerUp: () => { dragTop.current = null; },
    onScroll: () => {
      const el = scrollRef.current;
      if (el && dragTop.current !== null && el.scrollTop < dragTop.current) unfollow();
    },
  };
  if (!contract || records.length === 0) return null;

  const layout = labelled ? COLUMNS.labelled : COLUMNS.plain;
  const openRow = (index: number, el: HTMLElement) => {
    returnFocus.current = el;
    setOpen(index);
  };
  /** Rows one PageUp/PageDown moves: what the scroll box shows, less one for context. */
  const pageRows = () => Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
  const moveTo = (pos: number) => {
    const next = Math.min(Math.max(pos, 0), rows.length - 1);
    if (next < 0) return;
    focusActive.current = true;
    setActive(rows[next]!);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onRowKey = (e: KeyboardEvent<HTMLDivElement>, index: number, pos: number) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const last = shownCells(e.currentTarget).length - 1;
      const next = e.key === 'ArrowRight' ? Math.min(col === null ? 0 : col + 1, last) : col === null || col === 0 ? null : col - 1;
      if (next === col) return;
      focusActive.current = true;
      setActive(index);
      setCol(next);
      return;
    }
    const moves: Record<string, () => number> = {
      ArrowDown: () => pos + 1,
      ArrowUp: () => pos - 1,
      PageDown: () => pos + pageRows(),
      PageUp: () => pos - pageRows(),
      Home: () => 0,
      End: () => rows.length - 1,
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      moveTo(move());
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openRow(index, e.currentTarget);
    }
  };

  /** A cell's tabIndex: the active row's focused cell is the Tab stop (one in the grid). */
  const cellTab = (pos: number, c: number) => (pos === activePos && col === c ? 0 : -1);

  return (
    <section aria-labelledby="bulk-results-title" className="min-w-0 rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-center justify-between gap-3 px-4 pt-4">
        <h2 id="bulk-results-title" className="text-base font-semibold">Finished pairs</h2>
        <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
          Sort by
          <select
            value={sort}
            onChange={(e) => setSort(e.target.value as Sort)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
          >
            {SORTS.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
          </select>
        </label>
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3 px-4">
        <div role="group" aria-label="Show" className="flex flex-wrap gap-2">
          {FILTERS.filter((f) => labelled || !f.labelled).map((f) => (
            <button
              key={f.id}
              type="button"
              aria-pressed={shownFilter === f.id}
              onClick={() => setFilter(f.id)}
              className={`rounded-full border px-3 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 ${shownFilter === f.id
                ? 'border-slate-900 bg-slate-900 text-white dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900'
                : 'border-slate-300 text-slate-700 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800'}`}
            >
              {f.label} <span className="tabular-nums">({counts[f.id]})</span>
            </button>
          ))}
        </div>
        <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
          Search pair id
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            spellCheck={false}
            className="w-40 rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
      </div>
      <div className="mt-3 flex flex-wrap items-center justify-end gap-3 px-4 empty:hidden">
        {running && (
          <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
            <input
              type="checkbox"
              checked={follow}
              onChange={(e) => setFollow(e.target.checked)}
              className="h-4 w-4 accent-sky-600"
            />
            Follow new rows
          </label>
        )}
      </div>
      <p className="sr-only" role="status">{`${rows.length} of ${records.length} pairs shown.`}</p>
      <p className="mt-3 px-4 text-xs text-slate-600 sm:hidden dark:text-slate-400">
        Tap a row for its HTTP status, time{labelled ? ', label and outcome' : ''}, request and response.
      </p>
      <div className="mt-3 overflow-x-auto">
        <div role="grid" aria-labelledby="bulk-results-title" aria-rowcount={rows.length + 1} aria-colcount={labelled ? 7 : 5} aria-readonly="true" className={`${layout.min} text-sm`}>
          <div role="rowgroup">
            <div role="row" aria-rowindex={1} className={`${GRID} ${layout.cols} border-y border-slate-200 bg-slate-50 py-2 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-300`}>
              <span role="columnheader">Pair</span>
              <span role="columnheader">Verdict</span>
              <span role="columnheader">Confidence</span>
              {labelled && <span role="columnheader" className={WIDE_ONLY}>Expected</span>}
              {labelled && <span role="columnheader" className={WIDE_ONLY}>Outcome</span>}
              <span role="columnheader" className={`${WIDE_ONLY} text-right`}>HTTP</span>
              <span role="columnheader" className={`${WIDE_ONLY} text-right`}>ms</span>
            </div>
          </div>
          <div
            ref={scrollRef}
            role="rowgroup"
            aria-label="Finished pairs, scrollable"
            {...scrollHandlers}
            className="max-h-96 overflow-y-auto"
          >
            {rows.length === 0 && (
              <p className="px-3 py-4 text-sm text-slate-600 dark:text-slate-400">
                {needle ? `No pair id contains “${query.trim()}”${shownFilter === 'all' ? '' : ' in this filter'}` : 'No pair matches this filter'}{running ? ' yet' : ''}.
              </p>
            )}
            <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
              {virtualizer.getVirtualItems().map((item) => {
                const pos = item.index;
                const index = rows[pos]!;
                const rec = records[index];
                if (!rec) return null;
                const row = rowView(contract, rec);
                const label = labelViews[index];
                // Status and ms follow Expected and Outcome when the run has labels.
                const k = label ? 2 : 0;
                return (
                  <div
                    key={index}
                    role="row"
                    data-pos={pos}
                    tabIndex={pos === activePos && col === null ? 0 : -1}
                    aria-rowindex={pos + 2}
                    aria-haspopup="dialog"
                    aria-label={`${row.pair}: ${row.verdict}. Press Enter for details.`}
                    onClick={(e) => openRow(index, e.currentTarget)}
                    onKeyDown={(e) => onRowKey(e, index, pos)}
                    onFocus={(e) => {
                      if (active !== index) setActive(index);
                      // Focus that lands on the row or one of its cells (a click, Tab) makes it the Tab stop.
                      const at = e.target === e.currentTarget ? null : shownCells(e.currentTarget).indexOf(e.target as HTMLElement);
                      if (at === null || at >= 0) setCol(at);
                    }}
                    className={`${GRID} ${layout.cols} absolute left-0 top-0 w-full cursor-pointer items-center border-b border-slate-100 hover:bg-slate-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-500 dark:border-slate-800 dark:hover:bg-slate-800/60`}
                    style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  >
                    <span role="gridcell" tabIndex={cellTab(pos, 0)} className="truncate font-mono text-xs" title={row.pair}>{row.pair}</span>
                    <span role="gridcell" tabIndex={cellTab(pos, 1)} className={`truncate ${TONE[row.tone]}`} title={row.verdict}>{row.verdict}</span>
                    <span role="gridcell" tabIndex={cellTab(pos, 2)} className="tabular-nums">{row.confidence}</span>
                    {label && <span role="gridcell" tabIndex={cellTab(pos, 3)} className={WIDE_ONLY}>{label.expected ?? '—'}</span>}
                    {label && <span role="gridcell" tabIndex={cellTab(pos, 4)} className={`${WIDE_ONLY} font-semibold`} title={label.outcome ? OUTCOME_WORDS[label.outcome] : undefined}>{label.outcome ?? '—'}</span>}
                    <span role="gridcell" tabIndex={cellTab(pos, 3 + k)} className={`${WIDE_ONLY} text-right tabular-nums`}>{row.status}</span>
                    <span role="gridcell" tabIndex={cellTab(pos, 4 + k)} className={`${WIDE_ONLY} text-right tabular-nums`}>{row.ms}</span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
      {open !== null && records[open] && (
        <RowDetail
          index={open}
          record={records[open]}
          contract={contract}
          label={labelViews[open] ?? null}
          onClose={() => {
            setOpen(null);
            returnFocus.current?.focus();
          }}
        />
      )}
    </section>
  );
}
