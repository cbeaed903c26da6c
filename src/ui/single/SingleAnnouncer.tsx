import { useSingleStore } from '../../store/single.ts';

/** One persistent live region that tells screen-reader users when a call starts and ends. */
export function SingleAnnouncer() {
  const status = useSingleStore((s) => s.status);
  const outcome = useSingleStore((s) => s.outcome);
  let text = '';
  if (status === 'running') text = 'Calling the API.';
  else if (outcome) {
    const { result, verdict } = outcome;
    if (result.ok && verdict) text = `Result: ${verdict.match ? 'match' : 'no match'}.`;
    else if (result.ok) text = 'The API answered without a verdict.';
    else if (result.error?.type === 'aborted') text = 'The call was cancelled.';
    else text = 'The call failed.';
  }
  return <div role="status" aria-live="polite" className="sr-only">{text}</div>;
}
