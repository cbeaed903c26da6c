import { useEffect, type ReactNode } from 'react';
import { verdictSource } from '../../core/contracts/contracts.ts';
import { formatConfidence, selectSingleStale, useSingleStore, type SingleOutcome } from '../../store/single.ts';
import { Button } from '../components/Button.tsx';
import { Card } from '../components/Card.tsx';
import { useCopy } from '../components/useCopy.ts';

/** Outcomes whose heading has already received focus (so a remount does not steal focus again). */
const focused = new WeakSet<SingleOutcome>();

/**
 * The last call's result: a verdict card with the raw JSON, or an error alert. It names the files
 * and the endpoint it belongs to, and is dimmed with "Inputs changed: run again" once a slot holds
 * another image. Focus moves to its heading when a run ends.
 */
export function ResultView() {
  const outcome = useSingleStore((s) => s.outcome);
  const stale = useSingleStore(selectSingleStale);
  useEffect(() => {
    if (!outcome || focused.has(outcome)) return;
    focused.add(outcome);
    document.getElementById('result-title')?.focus();
  }, [outcome]);
  if (!outcome) return null;
  const { result } = outcome;
  const card = result.ok
    ? <SuccessCard outcome={outcome} />
    : result.error?.type === 'aborted'
      ? (
        <Card title="Cancelled" titleId="result-title" focusableTitle>
          <Provenance outcome={outcome} />
          <p className="text-sm text-slate-700 dark:text-slate-300">{result.error.message}</p>
        </Card>
      )
      : <ErrorCard outcome={outcome} />;
  if (!stale) return card;
  return (
    <div className="relative">
      <p
        id="result-stale"
        role="status"
        className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100"
      >
        Inputs changed: run again. The result below belongs to the previous images.
      </p>
      <div data-stale="true" className="rounded-xl outline-2 outline-offset-4 outline-dashed outline-amber-400 grayscale dark:outline-amber-600">{card}</div>
    </div>
  );
}

/** Which files the result belongs to and where they were sent. */
function Provenance({ outcome }: { outcome: SingleOutcome }) {
  const [f1, f2] = outcome.contract.imageFields;
  return (
    <p data-testid="result-provenance" className="mb-4 break-words text-xs text-slate-600 dark:text-slate-400">
      <span className="font-mono">{f1}</span> <span className="font-medium text-slate-800 dark:text-slate-200">{outcome.files[0].name}</span>
      {' and '}
      <span className="font-mono">{f2}</span> <span className="font-medium text-slate-800 dark:text-slate-200">{outcome.files[1].name}</span>
      {' sent to '}
      <span className="font-mono">POST {outcome.endpoint}</span>
      {outcome.tokenFetched ? ' with a bearer token fetched for this call' : ''}.
    </p>
  );
}

function SuccessCard({ outcome }: { outcome: SingleOutcome }) {
  const { result, contract, verdict } = outcome;
  const confidence = verdict ? formatConfidence(contract, verdict) : null;
  return (
    <Card title="Result" titleId="result-title" focusableTitle actions={<CopyButton text={prettyJson(result.body)} label="Copy JSON" />}>
      <Provenance outcome={outcome} />
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
          The API answered HTTP {result.status} but the body has no verdict at <code className="font-mono">{verdictSource(contract)}</code>. The raw response is below.
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
    <Card title="Call failed" titleId="result-title" focusableTitle>
      <Provenance outcome={outcome} />
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
    ['HTTP status', result.status ?? (result.attempts ? 'no response' : 'not sent')],
    ...(result.attempts ? [['Round trip', `${Math.round(result.timeMs)} ms`] as [string, ReactNode]] : []),
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
