/**
 * A warning for a run whose failures are mostly timeouts while several calls were in flight: a
 * server that serves fewer calls at once than Concurrency queues the rest, and with a short
 * Timeout the queue turns into timeouts. The browser's run view and the CLI show the same sentence.
 */
import type { PairRecord } from './records.ts';
import { formatSeconds } from '../request/request.ts';

/** Fewer timeouts than this are not read as a queue (one slow answer is not a pattern). */
export const MIN_QUEUE_TIMEOUTS = 2;

/**
 * "14 of 20 failures are timeouts at Concurrency 16: …", or null. Failures are calls that did not
 * succeed; pairs never sent (not_run) and calls cancelled by Stop (aborted) are not failures here.
 * It warns when Concurrency is above 1 and more than half of the failures (at least
 * MIN_QUEUE_TIMEOUTS) are timeouts.
 */
export function queueTimeoutWarning(
  records: readonly PairRecord[],
  settings: { concurrency: number; timeoutMs: number },
  /** How the two settings are named where the sentence is shown (the CLI: its flags). */
  names: { concurrency: string; timeout: string } = { concurrency: 'Concurrency', timeout: 'Timeout' },
): string | null {
  if (settings.concurrency <= 1) return null;
  let failures = 0;
  let timeouts = 0;
  for (const r of records) {
    if (r.success || r.error.type === 'not_run' || r.error.type === 'aborted') continue;
    failures++;
    if (r.error.type === 'timeout') timeouts++;
  }
  if (timeouts < MIN_QUEUE_TIMEOUTS || timeouts * 2 <= failures) return null;
  return `${timeouts} of ${failures} failures are timeouts at ${names.concurrency} ${settings.concurrency}: the server may serve fewer calls at once, so the rest wait in its queue past the ${names.timeout} (${formatSeconds(settings.timeoutMs)}). Lower ${names.concurrency} or raise ${names.timeout}.`;
}
