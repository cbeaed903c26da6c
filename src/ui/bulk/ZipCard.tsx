import { FilePickButton, ZIP_ACCEPT } from '../components/FilePickButton.tsx';
import { useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../core/zip/filetype.ts';
import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { useSettingsStore } from '../../store/settings.ts';
import { LoadReport } from './LoadReport.tsx';
import { Preflight } from './Preflight.tsx';
import { LabelsChoice, LabelsPicker } from './EvaluationLabels.tsx';

/** The "Bulk testing (ZIP)" card: the naming rule, the ZIP picker, the drop target and what the parse found. */
export function ZipCard() {
  const busy = useBulkStore(selectBulkBusy);
  const loadFile = useBulkStore((s) => s.loadFile);
  const openResults = useBulkStore((s) => s.openResults);
  const [dragging, setDragging] = useState(false);
  const concurrency = useSettingsStore((s) => s.concurrency);

  const onDrop = (e: DragEvent<HTMLElement>) => {
    e.preventDefault();
    setDragging(false);
    if (busy) return;
    const file = e.dataTransfer.files[0];
    if (file) void loadFile(file);
  };

  return (
    <section
      aria-labelledby="bulk-card-title"
      onDragOver={(e) => { e.preventDefault(); if (!busy) setDragging(true); }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`rounded-lg border bg-white p-5 shadow-sm dark:bg-slate-900 ${dragging ? 'border-sky-500 ring-2 ring-sky-500/40' : 'border-slate-200 dark:border-slate-800'}`}
    >
      <h2 id="bulk-card-title" className="text-base font-semibold">Bulk testing (ZIP)</h2>
      <div className="mt-2 space-y-2 text-sm text-slate-700 dark:text-slate-300">
        <p>
          Put every pair in one <code>.zip</code>: a shared name stem, then <code>_image1</code>, a dot and any extension,
          and the matching <code>_image2</code> file with the same stem. The two extensions may differ, for
          example <code>customer01_image1.jpg</code> and <code>customer01_image2.png</code>.
        </p>
        <p>
          {concurrency === 1 ? 'The pairs are sent one at a time.' : `Up to ${concurrency} pairs are sent at once (Concurrency ${concurrency}).`} Each result is saved in this browser as the run goes: if the page is
          reloaded or closed, the run can be resumed or its results so far downloaded. A results archive
          (<code>facematch-bulk-*.zip</code>) dropped here, or chosen with Open results, is shown again without calling the API.
        </p>
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <FilePickButton accept={ZIP_ACCEPT} disabled={busy} onFile={(file) => void loadFile(file)}>
          Choose ZIP
        </FilePickButton>
        <span className="text-sm text-slate-500 dark:text-slate-400">or drop a .zip file on this card</span>
        <FilePickButton accept={ZIP_ACCEPT} disabled={busy} onFile={(file) => void openResults(file)} title="Show a downloaded facematch-bulk-*.zip again, without calling any API">
          Open results
        </FilePickButton>
        <LabelsPicker />
        <FileName />
      </div>
      <LabelsChoice />
      <LoadReport />
      <Preflight />
    </section>
  );
}

function FileName() {
  const { name, size } = useBulkStore(useShallow((s) => ({ name: s.file?.name, size: s.file?.size })));
  if (!name) return null;
  return (
    <span className="text-sm text-slate-600 dark:text-slate-400">
      <span className="font-medium text-slate-800 dark:text-slate-200">{name}</span>
      {size !== undefined && ` (${formatBytes(size)})`}
    </span>
  );
}
