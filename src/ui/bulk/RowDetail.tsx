import { useEffect, useMemo, useRef, useState } from 'react';
import type { ProviderContract } from '../../core/contracts/contracts.ts';
import { outcomeText } from '../../core/request/outcome.ts';
import type { PairRecord } from '../../core/run/records.ts';
import { levelLabel } from '../../core/sweep/spec.ts';
import { sweepFieldsOf } from '../../core/sweep/variants.ts';
import { useBulkStore } from '../../store/bulk.ts';
import { Button } from '../components/Button.tsx';
import { OUTCOME_WORDS, requestView, type LabelView } from './format.ts';

interface RowDetailProps {
  index: number;
  record: PairRecord;
  contract: ProviderContract;
  /** The pair's label and outcome when the run has labels (null otherwise). */
  label: LabelView | null;
  onClose: () => void;
}

/**
 * One pair in full, in a modal dialog: both images read back from the ZIP, the request (endpoint,
 * multipart fields, unique_id, as the run sent them: from its snapshot, or a reopened archive's
 * run.json; never a credential), the pair's label and outcome (labelled runs), the response JSON, the error sentence and the attempts. Escape or
 * Close returns focus to the row.
 */
export function RowDetail({ index, record, contract, label, onClose }: RowDetailProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const zip = useBulkStore((s) => s.zip);
  const snapshot = useBulkStore((s) => s.snapshot);
  const archiveRun = useBulkStore((s) => s.archiveRun);
  const [images, setImages] = useState<{ urls: [string, string] } | { error: string } | null>(null);
  const outcome = outcomeText(contract, record);
  const [f1, f2] = contract.imageFields;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  // Thumbnails: read this pair's two entries from the ZIP; the object URLs are revoked on close.
  // A sweep's variant shows its pair as loaded (the variant itself was made for the call only).
  const swept = useMemo(() => sweepFieldsOf(record), [record]);
  const pair = useMemo(() => (swept ? zip?.pairs.find((p) => p.pair_id === swept.base_pair_id) : zip?.pairs[index]), [zip, swept, index]);
  const readable = Boolean(zip && pair && pair.pair_id === (swept?.base_pair_id ?? record.pair_id));
  useEffect(() => {
    if (!zip || !pair || !readable) return;
    let urls: string[] = [];
    let live = true;
    zip.readPair(pair).then(
      ([a, b]) => {
        urls = [URL.createObjectURL(a.data), URL.createObjectURL(b.data)];
        if (live) setImages({ urls: [urls[0]!, urls[1]!] });
        else urls.forEach((u) => URL.revokeObjectURL(u));
      },
      () => { if (live) setImages({ error: 'The images could not be read back from the ZIP.' }); },
    );
    return () => {
      live = false;
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
  }, [zip, pair, readable]);
  const shown = readable ? images : { error: 'The input ZIP is no longer loaded, so the images cannot be shown.' };

  const body = record.success ? record.body : record.error_body;
  const request = requestView(contract, snapshot, archiveRun);
  const fields: [string, string | null][] = [[f1, record.image1_path], [f2, record.image2_path], ...request.fields];

  return (
    <dialog
      ref={ref}
      aria-labelledby="row-detail-title"
      onClose={onClose}
      className="m-auto w-[min(48rem,calc(100vw-1.5rem))] max-h-[calc(100vh-2rem)] overflow-y-auto rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <div className="flex items-start justify-between gap-3 border-b border-slate-100 px-5 py-3 dark:border-slate-800">
        <h2 id="row-detail-title" className="min-w-0 break-words text-base font-semibold">
          <span className="font-mono">{record.pair_id}</span>: {outcome.text}
        </h2>
        <Button size="sm" onClick={() => ref.current?.close()} autoFocus>Close</Button>
      </div>
      <div className="space-y-5 p-5 text-sm">
        <div className="grid grid-cols-2 gap-3">
          {[0, 1].map((slot) => (
            <figure key={slot} className="min-w-0">
              <div className="flex aspect-square items-center justify-center overflow-hidden rounded-lg bg-slate-100 dark:bg-slate-800">
                {shown && 'urls' in shown
                  ? <img src={shown.urls[slot]} alt={`${fields[slot]![0]}: ${fields[slot]![1]}`} className="h-full w-full object-contain" />
                  : <span className="p-2 text-center text-xs text-slate-600 dark:text-slate-400">{shown && 'error' in shown ? shown.error : 'Reading…'}</span>}
              </div>
              <figcaption className="mt-1 break-all font-mono text-xs text-slate-600 dark:text-slate-400">{fields[slot]![1]}</figcaption>
            </figure>
          ))}
        </div>
        {swept?.perturbation && readable && (
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            The images of {swept.base_pair_id} as loaded; this call sent {swept.perturbation.side === 'both' ? 'both images' : swept.perturbation.side} at {levelLabel({ perturbation: swept.perturbation.name, level: swept.perturbation.level })}.
          </p>
        )}

        <section aria-labelledby="row-detail-request">
          <h3 id="row-detail-request" className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Request</h3>
          {request.endpoint
            ? <p className="mt-1 break-all font-mono text-xs">POST {request.endpoint}</p>
            : <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">The endpoint is not known: this archive has no run.json that names it.</p>}
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-xs">
            {fields.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="font-mono text-slate-600 dark:text-slate-400">{k}</dt>
                {v === null
                  ? <dd className="text-slate-600 dark:text-slate-400">not known (the archive does not record it)</dd>
                  : <dd className="break-all font-mono">{v}</dd>}
              </div>
            ))}
          </dl>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Credentials are sent as headers and are not shown.</p>
        </section>

        <dl className="grid grid-cols-3 gap-3">
          <div><dt className="text-xs text-slate-600 dark:text-slate-400">HTTP status</dt><dd className="font-medium tabular-nums">{record.http_status ?? (record.attempts ? 'no response' : 'not sent')}</dd></div>
          <div><dt className="text-xs text-slate-600 dark:text-slate-400">Round trip</dt><dd className="font-medium tabular-nums">{record.response_time_ms === null ? '—' : `${record.response_time_ms} ms`}</dd></div>
          <div><dt className="text-xs text-slate-600 dark:text-slate-400">Attempts</dt><dd className="font-medium tabular-nums">{record.attempts}</dd></div>
          {label && (
            <>
              <div><dt className="text-xs text-slate-600 dark:text-slate-400">Expected</dt><dd className="font-medium">{label.expected ?? 'no label'}</dd></div>
              <div className="col-span-2"><dt className="text-xs text-slate-600 dark:text-slate-400">Outcome</dt><dd className="font-medium">{label.outcome ? OUTCOME_WORDS[label.outcome] : 'none (no label)'}</dd></div>
            </>
          )}
        </dl>

        {!record.success && (
          <p role="note" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
            {record.error.message}
          </p>
        )}

        {body !== undefined && (
          <section aria-labelledby="row-detail-response">
            <h3 id="row-detail-response" className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
              {record.success ? 'Response JSON' : 'Error body'}
            </h3>
            <pre tabIndex={0} aria-labelledby="row-detail-response" className="mt-1 max-h-72 overflow-auto rounded-lg bg-slate-950 p-4 font-mono text-xs leading-relaxed text-slate-100">
              {typeof body === 'string' ? body : JSON.stringify(body, null, 2)}
            </pre>
          </section>
        )}
      </div>
    </dialog>
  );
}
