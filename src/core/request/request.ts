/**
 * The one request path to a face-match API, used by Single mode, the Bulk runner, the benchmarks
 * and the tests. It builds the multipart body from a contract, applies the timeout, retries
 * transient failures with exponential backoff and jitter (honouring Retry-After), and turns every
 * way a call can end into one plain CallResult — never a thrown error.
 */
import { buildHeaders, endpointUrl, type CredentialKey, type ProviderContract } from '../contracts/contracts.ts';
import { ENGINE_HEADER, RETRYABLE_STATUS } from '../contracts/defaults.ts';
import { multipartBody, plainParts, type BuiltBody, type ImagePart } from '../providers/parts.ts';
import { baseUrlCredentialProblem, redactUrlsDeep, redactUrlsIn } from '../secrets/safe-url.ts';

export { bytesPart, type ImagePart } from '../providers/parts.ts';

export type Credentials = Partial<Record<CredentialKey, string>>;

export interface CallSettings {
  contract: ProviderContract;
  baseUrl: string;
  credentials: Credentials;
  uniqueId?: string;
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  /** Extra attempts after the first for network errors, 429, 502, 503, 504. */
  retries: number;
}

import type { ErrorType } from './error-types.ts';

export type { ErrorType };

export interface CallResult {
  /** A 2xx response arrived and its body parsed as JSON. */
  ok: boolean;
  /** HTTP status, or null when no response came. */
  status: number | null;
  /** Round trip of the last attempt, from performance.now(). */
  timeMs: number;
  attempts: number;
  /** The parsed body, when ok. */
  body?: unknown;
  error?: { type: ErrorType; message: string };
  /** The parsed error body, or the first 2 KB of its text. */
  errorBody?: unknown;
  /** Response headers worth keeping (e.g. x-facematch-engine). */
  engine?: string;
  /** Each call of the last attempt when the definition makes several (preparatory steps, then the main call). */
  steps?: StepTiming[];
}

export interface StepTiming {
  step: string;
  http_status: number | null;
  response_time_ms: number;
}

export interface CallDeps {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Origin of the page making the call, to tell a likely CORS failure from an unreachable host. */
  pageOrigin?: string;
  /**
   * Awaited before every attempt (retries included), before its timeout starts: the bulk job's
   * rate limit. Rejects when the signal aborts while waiting.
   */
  beforeAttempt?: (signal?: AbortSignal) => Promise<void>;
}

export { RETRYABLE_STATUS };
const BACKOFF_BASE_MS = 400;
const BACKOFF_CAP_MS = 8000;
const RETRY_AFTER_CAP_MS = 60_000;

/** A definition without a request template (KwikID, Deepvue): its multipart fields, built at once. */
function plainBody(settings: Pick<CallSettings, 'contract' | 'uniqueId'> & { credentials?: Credentials }, images: readonly [ImagePart, ImagePart]) {
  if (settings.contract.request) throw new Error(`"${settings.contract.id}" has a request template; its body is built when it is called.`);
  return multipartBody(plainParts(settings.contract, images, settings.uniqueId, settings.credentials ?? {}));
}

/** Builds the multipart body for one pair of a definition without a request template (its image fields, unique id, credential fields). */
export function buildFormData(settings: Pick<CallSettings, 'contract' | 'uniqueId'> & { credentials?: Credentials }, images: readonly [ImagePart, ImagePart]): FormData {
  const fd = new FormData();
  for (const p of plainParts(settings.contract, images, settings.uniqueId, settings.credentials ?? {})) {
    if ('image' in p) fd.append(p.name, p.image.data, p.image.name);
    else fd.append(p.name, p.value);
  }
  return fd;
}

/**
 * The multipart body for one pair of a definition without a request template and the Content-Type
 * it needs (none for FormData: fetch sets it): bytes already in memory are encoded once, without a Blob per image.
 */
export function buildBody(
  settings: Pick<CallSettings, 'contract' | 'uniqueId'> & { credentials?: Credentials },
  images: readonly [ImagePart, ImagePart],
): { body: FormData | Uint8Array<ArrayBuffer>; contentType?: string } {
  return plainBody(settings, images);
}

/** How an answer or a failure reads (answer.ts): loaded when the first one arrives, after the call has left. */
let answers: Promise<typeof import('./answer.ts')> | undefined;
function loadAnswers() {
  answers ??= import('./answer.ts');
  return answers;
}

/** The calls of a definition with a request template or steps (defined-call.ts): loaded the first time one is called. */
let defined: Promise<typeof import('../providers/defined-call.ts')> | undefined;
function loadDefined() {
  defined ??= import('../providers/defined-call.ts');
  return defined;
}

export { endpointUrl };

/** Sends one pair, with retries. Resolves with a CallResult whatever happens. */
export async function callFacematch(
  settings: CallSettings,
  images: readonly [ImagePart, ImagePart],
  signal?: AbortSignal,
  deps: CallDeps = {},
): Promise<CallResult> {
  const refused = baseUrlCredentialProblem(settings.baseUrl);
  if (refused) return { ok: false, status: null, timeMs: 0, attempts: 0, error: { type: 'not_run', message: `Not sent. ${refused}` } };
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const maxAttempts = 1 + Math.max(0, Math.floor(settings.retries));
  let last: AttemptResult | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (deps.beforeAttempt) {
      try {
        await deps.beforeAttempt(signal);
      } catch {
        // Cancelled while waiting for the rate limit: this attempt was never sent.
        return {
          ...(last ? strip(last) : { status: null, timeMs: 0 }),
          ok: false, attempts: attempt - 1,
          error: { type: 'aborted', message: 'The call was cancelled while waiting for its turn under the rate limit.' },
        };
      }
    }
    last = await attemptOnce(settings, images, attempt, signal, deps);
    if (!shouldRetry(last) || attempt === maxAttempts) break;
    const wait = last.retryAfterMs ?? backoffDelay(attempt, random);
    try {
      await sleep(wait, signal);
    } catch {
      return { ...strip(last), ok: false, error: { type: 'aborted', message: 'The call was cancelled while waiting to retry.' } };
    }
  }
  return strip(last!);
}

type AttemptResult = CallResult & { retryAfterMs?: number };

/** The result as handed out: no retry hint, and no credential of a URL in its message or error body. */
function strip(r: AttemptResult): CallResult {
  const { retryAfterMs: _ignored, ...rest } = r;
  if (rest.error) rest.error = { ...rest.error, message: redactUrlsIn(rest.error.message) };
  if (rest.errorBody !== undefined) rest.errorBody = redactUrlsDeep(rest.errorBody);
  return rest;
}

function shouldRetry(r: AttemptResult): boolean {
  if (r.ok) return false;
  if (r.error?.type === 'network') return true;
  return r.error?.type === 'http' && r.status !== null && RETRYABLE_STATUS.has(r.status)
    || (r.error?.type === 'invalid_json' && r.status !== null && RETRYABLE_STATUS.has(r.status));
}

/** Full-jitter exponential backoff: uniform in [0, min(cap, base·2^(attempt-1))], at least 50 ms. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.max(50, Math.round(random() * ceiling));
}

/** Parses Retry-After (seconds or an HTTP date) into ms, capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.min(RETRY_AFTER_CAP_MS, Math.round(Number(s) * 1000));
  const date = Date.parse(s);
  if (Number.isNaN(date)) return undefined;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, date - nowMs));
}

/** One request and its answer, read as text. */
export interface Exchange {
  res: Response;
  text: string;
}

/** A failed attempt as found before its end (a step's answer): everything but the attempt count and time. */
export type AttemptFailure = Pick<CallResult, 'status' | 'errorBody' | 'engine'> & { ok: false; error: NonNullable<CallResult['error']> };

/** What one attempt hands to defined-call.ts: the settings, and the parts of a call it shares with the plain path. */
export interface ExchangeContext {
  settings: CallSettings;
  images: readonly [ImagePart, ImagePart];
  /** The main request's URL. */
  url: string;
  now: () => number;
  /** Records the URL being called, for the sentence of a timeout or a network failure. */
  target: (url: string) => void;
  /** The definition's credential headers. */
  headers: () => Record<string, string>;
  withContentType: typeof withContentType;
  /** Sends a built request (timed as the step `name`, started at t0) and reads its answer. */
  fetchTimed: (to: string, headers: Record<string, string>, body: BuiltBody, name: string, t0: number) => Promise<Exchange>;
  /** Sends a request without a template (KwikID's multipart) to `to`. */
  sendPlain: (to: string, name: string) => Promise<Exchange>;
  engineOf: (res: Response) => string | undefined;
}

async function attemptOnce(
  settings: CallSettings,
  images: readonly [ImagePart, ImagePart],
  attempt: number,
  outer: AbortSignal | undefined,
  deps: CallDeps,
): Promise<AttemptResult> {
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const now = deps.now ?? (() => performance.now());
  const { contract } = settings;
  const url = endpointUrl(contract, settings.baseUrl);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, settings.timeoutMs);
  const onOuterAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const started = now();
  const base = { attempts: attempt };
  const timings: StepTiming[] = [];
  const withSteps = <T extends AttemptResult>(r: T): T => (contract.steps?.length ? { ...r, steps: timings } : r);
  let target = url;
  const engineOf = (res: Response) => res.headers.get(ENGINE_HEADER) ?? undefined;
  const fetchTimed = async (to: string, headers: Record<string, string>, body: BuiltBody, name: string, t0: number): Promise<Exchange> => {
    controller.signal.throwIfAborted();
    const res = await doFetch(to, { method: 'POST', headers, body: sendable(body), signal: controller.signal });
    const text = await res.text();
    timings.push({ step: name, http_status: res.status, response_time_ms: now() - t0 });
    return { res, text };
  };
  // No request template (KwikID, Deepvue): the body is built at once and the call leaves in the same tick.
  const sendPlain = (to: string, name: string): Promise<Exchange> => {
    target = to;
    const t0 = now();
    const built = plainBody(settings, images);
    return fetchTimed(to, withContentType(buildHeaders(contract, settings.credentials), built), built.body, name, t0);
  };
  try {
    const exchanged = contract.request || contract.steps?.length
      ? await (await loadDefined()).definedExchange({
        settings, images, url, now, target: (to) => { target = to; },
        headers: () => buildHeaders(contract, settings.credentials), withContentType, fetchTimed, sendPlain, engineOf,
      })
      : await sendPlain(url, 'main');
    if (!('res' in exchanged)) return withSteps({ ...base, ...exchanged, timeMs: now() - started });
    const { res, text } = exchanged;
    const timeMs = now() - started;
    const engine = engineOf(res);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const { answerProblem, parseJson } = await loadAnswers();
    const parsed = parseJson(text);
    const failed = answerProblem(contract, res, text, parsed);
    if (failed) return withSteps({ ...base, ...failed, timeMs, engine, ...(failed.error.type === 'http' ? { retryAfterMs } : {}) });
    return withSteps({ ...base, ok: true, status: res.status, timeMs, body: parsed.ok ? parsed.value : undefined, engine });
  } catch (err) {
    const timeMs = now() - started;
    if (timedOut) {
      return withSteps({ ...base, ok: false, status: null, timeMs, error: { type: 'timeout', message: `No answer from ${target} within ${formatSeconds(settings.timeoutMs)}; the call was abandoned. Raise the timeout in the settings if the API is just slow.` } });
    }
    if (outer?.aborted) {
      return withSteps({ ...base, ok: false, status: null, timeMs, error: { type: 'aborted', message: 'The call was cancelled before an answer arrived.' } });
    }
    const { explainNetwork } = await loadAnswers();
    return withSteps({ ...base, ok: false, status: null, timeMs, error: { type: 'network', message: explainNetwork(target, err, deps.pageOrigin) } });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/**
 * A body as fetch takes it: bytes go as a Blob. A browser copies a typed-array body on the calling
 * thread (tens of ms for a pair of photos, longer with developer tools open) and a Blob by reference.
 */
function sendable(body: BuiltBody): BodyInit {
  return body instanceof Uint8Array ? new Blob([body]) : body;
}

/** The headers with the body's Content-Type, unless they already name one. */
export function withContentType(headers: Record<string, string>, built: { contentType?: string }): Record<string, string> {
  if (built.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = built.contentType;
  return headers;
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Sleeps for ms; rejects at once when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(new Error('aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface TokenResult {
  ok: boolean;
  token?: string;
  expiry?: string;
  status: number | null;
  message: string;
}

/**
 * Exchanges client credentials for a bearer token at the contract's token endpoint (token.ts,
 * loaded the first time a token is needed).
 */
export async function fetchToken(...args: Parameters<typeof import('./token.ts').exchangeToken>): Promise<TokenResult> {
  const { exchangeToken } = await import('./token.ts');
  return exchangeToken(...args);
}
