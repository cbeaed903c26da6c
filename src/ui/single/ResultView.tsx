import type { ReactNode } from 'react';
import { formatConfidence, useSingleStore, type SingleOutcome } from '../../store/single.ts';
import { Button } from '../components/Button.tsx';
import { Card } from '../components/Card.tsx';
import { useCopy } from '../components/useCopy.ts';

/** The last call's result: a verdict card with the raw JSON, or an error alert. */
export function ResultView() {
  const outcome = useSingleStore((s) => s.outcome);
  if (!outcome) return null;
  const { result } = outcome;
  if (result.ok) return <SuccessCard outcome={outcome} />;
  if (result.error?.type === 'aborted') {
    return (
      <Card title="Cancelled" titleId="result-title">
        <p className="text-sm text-slate-700 dark:text-slate-300">{result.error.message}</p>
      </Card>
    );
  }
  return <ErrorCard outcome={outcome} />;
}

function SuccessCard({ outcome }: { outcome: SingleOutcome }) {
  const { result, contract, verdict } = outcome;
  const confidence = verdict ? formatConfidence(contract, verdict) : null;
  return (
    <Card title="Result" titleId="result-title" actions={<CopyButton text={prettyJson(result.body)} label="Copy JSON" />}>
      {verdict ? (
        <div
          className={`mb-5 flex flex-wrap items-center gap-x-6 gap-y-2 rounded-lg border px-5 py-4 ${
            verdict.match
              ? 'border-green-300 bg-green-50 dark:border-green-800 dark:bg-green-950/40'
              : 'border-rose-300 bg-rose-50 dark:border-rose-800 dark:bg-rose-950/40'
          }`}
        >
          <p
            data-testid="verdict"
            className={`text-4xl font-extrabold tracking-tight ${verdict.match ? 'text-green-700 dark:text-green-300' : 'text-rose-700 dark:text-rose-300'}`}
          >
            {verdict.match ? 'MATCH' : 'NO MATCH'}
          </p>
          {confidence && (
            <p className="text-sm text-slate-700 dark:text-slate-300">
              <span className="block text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">Confidence</span>
              <span className="font-mono text-lg tabular-nums">{confidence}</span>
            </p>
          )}
        </div>
      ) : (
        <p className="mb-5 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-200">
          The API answered HTTP {result.status} but the body has no verdict at <code className="font-mono">{contract.verdict.path.join('.')}</code>. The raw response is below.
        </p>
      )}
      <Facts outcome={outcome} />
      <JsonBlock label="Raw JSON response" value={result.body} />
    </Card>
  );
}

function ErrorCard({ outcome }: { outcome: SingleOutcome }) {
  const { result } = outcome;
  return (
    <Card title="Call failed" titleId="result-title">
      <div role="alert" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/50 dark:text-red-100">
        {result.error?.message ?? 'The call failed.'}
      </div>
      <div className="mt-5"><Facts outcome={outcome} /></div>
      {result.errorBody !== undefined && <JsonBlock label="Raw error body" value={result.errorBody} />}
    </Card>
  );
}

function Facts({ outcome }: { outcome: SingleOutcome }) {
  const { result, contract, uniqueId, verdict } = outcome;
  const items: [string, ReactNode][] = [
    ['HTTP status', result.status ?? 'no response'],
    ['Round trip', `${Math.round(result.timeMs)} ms`],
    ['Attempts', result.attempts],
  ];
  if (uniqueId && contract.uniqueIdField) items.push([contract.uniqueIdField, <span className="font-mono">{uniqueId}</span>]);
  if (verdict?.credits !== null && verdict?.credits !== undefined) items.push(['Credits', verdict.credits]);
  if (result.engine) items.push(['Engine', result.engine]);
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-3 lg:grid-cols-4">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt className="text-xs text-slate-500 dark:text-slate-400">{k}</dt>
          <dd className="font-medium tabular-nums text-slate-900 dark:text-slate-100">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  const text = prettyJson(value);
  return (
    <div className="mt-5">
      <div className="mb-1.5 flex items-center justify-between">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</h3>
      </div>
      <pre
        tabIndex={0}
        aria-label={label}
        className="max-h-80 overflow-auto rounded-lg bg-slate-950 p-4 font-mono text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 dark:border dark:border-slate-800"
      >
        {text}
      </pre>
    </div>
  );
}

function prettyJson(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const { state, copy } = useCopy();
  return (
    <>
      <span role="status" className="text-xs text-slate-600 dark:text-slate-400">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Could not copy: the browser refused clipboard access.' : ''}
      </span>
      <Button size="sm" onClick={() => void copy(text)}>{label}</Button>
    </>
  );
}
