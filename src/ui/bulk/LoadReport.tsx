import type { ReactNode } from 'react';
import { labelledLine, labelsUsedSentence } from '../../core/pairing/labels.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { useEvaluationStore } from '../../store/evaluation.ts';

const OPEN_LIMIT = 5;

/** What parsing the ZIP found: the pair count, flagged pairs, skipped files and notices. */
export function LoadReport() {
  const loading = useBulkStore((s) => s.loading);
  const loadError = useBulkStore((s) => s.loadError);
  const zip = useBulkStore((s) => s.zip);
  const fileName = useBulkStore((s) => s.file?.name);
  const labels = useBulkStore((s) => s.labels);
  // A CSV chosen beside the ZIP wins; LabelsChoice says so instead.
  const chosenLabels = useEvaluationStore((s) => s.labelsFile !== null);

  if (loading) {
    return <p role="status" className="mt-4 text-sm text-slate-600 dark:text-slate-400">Reading {fileName}…</p>;
  }
  const flagged = zip?.pairs.filter((p) => p.flag) ?? [];
  return (
    <div className="mt-4 space-y-3 text-sm">
      {loadError && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-red-800 dark:border-red-800 dark:bg-red-950/50 dark:text-red-200">
          {loadError}
        </p>
      )}
      {zip && zip.pairs.length > 0 && (
        <p role="status" className="font-semibold text-green-700 dark:text-green-400">{labelledLine(zip.pairs.length, labels)}</p>
      )}
      {zip && zip.pairs.length > 0 && labels && !chosenLabels && <p className="text-slate-700 dark:text-slate-300">{labelsUsedSentence(labels)}</p>}
      {labels && labels.problems.length > 0 && (
        <Collapsible summary={`${labels.problems.length} problem(s) in ${labels.source}`} open={labels.problems.length <= OPEN_LIMIT}>
          {labels.problems.map((p, i) => <li key={i}>{p}</li>)}
        </Collapsible>
      )}
      {flagged.length > 0 && (
        <Collapsible summary={`${flagged.length} pair(s) flagged`} open={flagged.length <= OPEN_LIMIT}>
          {flagged.map((p) => (
            <li key={p.pair_id}>
              <span className="mr-1 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">flagged</span>
              <span className="font-medium">{p.pair_id}</span>: {p.flag}
            </li>
          ))}
        </Collapsible>
      )}
      {zip && zip.skipped.length > 0 && (
        <Collapsible summary={`${zip.skipped.length} file(s) skipped`} open={zip.skipped.length <= OPEN_LIMIT}>
          {zip.skipped.map((s, i) => (
            <li key={`${s.path}-${i}`}>
              <span className="font-mono text-xs">{s.path}</span>: {s.reason}
            </li>
          ))}
        </Collapsible>
      )}
      {zip && zip.notices.length > 0 && (
        <Collapsible summary={`${zip.notices.length} notice(s)`} open={zip.notices.length <= OPEN_LIMIT}>
          {zip.notices.map((n, i) => <li key={i}>{n}</li>)}
        </Collapsible>
      )}
    </div>
  );
}

function Collapsible({ summary, open, children }: { summary: string; open: boolean; children: ReactNode }) {
  return (
    <details open={open} className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-700">
      <summary className="cursor-pointer font-medium text-slate-800 dark:text-slate-200">{summary}</summary>
      <ul className="mt-2 max-h-60 list-none space-y-1 overflow-y-auto text-slate-700 dark:text-slate-300">{children}</ul>
    </details>
  );
}
