/**
 * Demo credentials of the offline reference server. The server uses them when the environment
 * sets none; the browser pre-fills them only while the Base URL is the page's own origin.
 */
import type { CredentialKey } from './contracts.ts';

export const DEFAULT_TOKEN = 'demo-token';
export const DEFAULT_DEEPVUE_CLIENT_ID = 'demo-client';
export const DEFAULT_DEEPVUE_CLIENT_SECRET = 'demo-secret';

/** The reference server's demo value for each credential a contract may ask for. */
export const DEMO_CREDENTIALS: Readonly<Record<CredentialKey, string>> = {
  token: DEFAULT_TOKEN,
  clientId: DEFAULT_DEEPVUE_CLIENT_ID,
  clientSecret: DEFAULT_DEEPVUE_CLIENT_SECRET,
};

/** Response header the reference server sets to its engine mode ("real" or "instant"). */
export const ENGINE_HEADER = 'x-facematch-engine';

/** Per-attempt timeout and retries of a call, and their bounds (the settings panel and the CLI). */
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 2;
export const MIN_TIMEOUT_MS = 1_000;
export const MAX_TIMEOUT_MS = 600_000;
export const MAX_RETRIES = 10;

/** Pairs in flight at once during a bulk run: 1 (sequential, the default) to 16. */
export const DEFAULT_CONCURRENCY = 1;
export const MIN_CONCURRENCY = 1;
export const MAX_CONCURRENCY = 16;
/** "Max requests per second": a whole number up to this, or none. */
export const MAX_RATE_PER_SECOND = 1000;

/** HTTP statuses a call is retried on (with backoff, honouring Retry-After). */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);
