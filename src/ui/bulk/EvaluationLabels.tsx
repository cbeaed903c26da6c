import { FilePickButton } from '../components/FilePickButton.tsx';
import { labelsChoiceSentence } from '../../core/pairing/labels.ts';
import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { useEvaluationStore } from '../../store/evaluation.ts';


/** "Choose labels CSV" beside the ZIP: a pair_id,expected file that wins over the ZIP's labels.csv. */
export function LabelsPicker() {
  const busy = useBulkStore(selectBulkBusy);
  const choose = useEvaluationStore((s) => s.chooseLabels);
  return (
    <FilePickButton accept=".csv,text/csv,text/plain" disabled={busy} onFile={(file) => void choose(file)} title="A CSV with columns pair_id,expected (same or different)">
      Choose labels CSV
    </FilePickButton>
  );
}

/** Which labels the run uses when a CSV was chosen beside the ZIP, with a way back to the ZIP's own. */
export function LabelsChoice() {
  const file = useEvaluationStore((s) => s.labelsFile?.name ?? null);
  const zipLabels = useEvaluationStore((s) => s.zipLabels?.source ?? null);
  const error = useEvaluationStore((s) => s.labelsError);
  const clear = useEvaluationStore((s) => s.clearLabels);
  const zipLoaded = useBulkStore((s) => s.zip !== null);
  const busy = useBulkStore(selectBulkBusy);
  if (error) return <p role="alert" className="mt-3 text-sm text-red-800 dark:text-red-200">{error}</p>;
  if (!file) return null;
  return (
    <p className="mt-3 flex flex-wrap items-center gap-2 text-sm text-slate-700 dark:text-slate-300">
      <span>{labelsChoiceSentence(file, zipLabels, zipLoaded)}</span>
      <button type="button" disabled={busy} onClick={clear} className="rounded border border-slate-300 px-2 py-0.5 text-xs font-medium hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800">
        Remove {file}
      </button>
    </p>
  );
}
