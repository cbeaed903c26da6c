/**
 * A record's outcome in words, for the Bulk results table and its filters: MATCH, NO MATCH,
 * "HTTP 500: server error", "Timed out after 60 s", "Not sent". One rule for the browser and the CLI.
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import { recordVerdict, type PairRecord } from '../run/records.ts';

export type OutcomeKind = 'match' | 'nomatch' | 'noverdict' | 'failed' | 'notrun';

/** The groups the results table filters by. */
export type OutcomeGroup = 'succeeded' | 'failed' | 'not_run';

const STATUS_WORDS: Record<number, string> = {
  400: 'bad request', 401: 'credentials rejected', 403: 'forbidden', 404: 'not found', 408: 'request timeout',
  413: 'image too large', 415: 'unsupported format', 422: 'image not usable', 429: 'rate-limited',
  500: 'server error', 502: 'bad gateway', 503: 'unavailable', 504: 'gateway timeout',
};

export function statusWords(status: number): string {
  return STATUS_WORDS[status] ?? (status >= 500 ? 'server error' : status >= 400 ? 'client error' : 'unexpected answer');
}

export function outcomeGroup(rec: PairRecord): OutcomeGroup {
  if (rec.success) return 'succeeded';
  return rec.error.type === 'not_run' ? 'not_run' : 'failed';
}

export interface OutcomeText {
  kind: OutcomeKind;
  text: string;
}

export function outcomeText(contract: ProviderContract, rec: PairRecord): OutcomeText {
  if (rec.success) {
    const v = recordVerdict(contract, rec);
    if (!v) return { kind: 'noverdict', text: 'No verdict in the answer' };
    return v.match ? { kind: 'match', text: 'MATCH' } : { kind: 'nomatch', text: 'NO MATCH' };
  }
  const { type, message } = rec.error;
  switch (type) {
    case 'not_run':
      return { kind: 'notrun', text: 'Not sent' };
    case 'http':
      return { kind: 'failed', text: rec.http_status === null ? 'HTTP error' : `HTTP ${rec.http_status}: ${statusWords(rec.http_status)}` };
    case 'invalid_json':
      return { kind: 'failed', text: `HTTP ${rec.http_status ?? '?'}: not JSON` };
    case 'timeout': {
      const within = /within (\d+(?:\.\d+)? s)\b/.exec(message)?.[1];
      return { kind: 'failed', text: within ? `Timed out after ${within}` : 'Timed out' };
    }
    case 'aborted':
      return { kind: 'failed', text: 'Cancelled' };
    case 'network':
      return { kind: 'failed', text: 'Network error' };
    default:
      return { kind: 'failed', text: 'Failed' };
  }
}
