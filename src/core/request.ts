/**
 * The one request path to a face-match API, used by Single mode, the Bulk runner, the benchmarks
 * and the tests. It builds the multipart body from a contract, applies the timeout, retries
 * transient failures with exponential backoff and jitter (honouring Retry-After), and turns every
 * way a call can end into one plain CallResult — never a thrown error.
 */
import {
  buildHeaders, joinUrl, readErrorMessage, readPath,
  type CredentialKey, type ProviderContract,
} from './contracts.ts';
import { ENGINE_HEADER } from './defaults.ts';
import { encodeMultipart } from './multipart.ts';
import { baseUrlCredentialProblem, redactUrlsDeep, redactUrlsIn } from './safe-url.ts';

export type Credentials = Partial<Record<CredentialKey, string>>;

export interface ImagePart {
  /** File name sent in the multipart part (the base name, never a path). */
  name: string;
  /** The image as a Blob (a File from the picker; for a ZIP entry, made only when first read). */
  data: Blob;
  /** The image's bytes when they are already in memory (a ZIP entry): sent without making a Blob. */
  bytes?: Uint8Array;
  /** The media type sent with `bytes`. */
  type?: string;
}

/** An image part over bytes in memory: its Blob is made only if something asks for `data`. */
export function bytesPart(name: string, bytes: Uint8Array, type: string): ImagePart {
  let blob: Blob | undefined;
  return {
    name,
    bytes,
    type,
    get data() {
      blob ??= new Blob([bytes as Uint8Array<ArrayBuffer>], { type });
      return blob;
    },
  };
}

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

export type ErrorType = 'http' | 'network' | 'timeout' | 'aborted' | 'invalid_json' | 'not_run';

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

export const TEXT_EXCERPT_BYTES = 2048;
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const BACKOFF_BASE_MS = 400;
const BACKOFF_CAP_MS = 8000;
const RETRY_AFTER_CAP_MS = 60_000;

type FormPart = { name: string; image: ImagePart } | { name: string; value: string };

/** The fields of one pair's multipart body, in order: the contract's two image fields, then unique_id. */
function formParts(settings: Pick<CallSettings, 'contract' | 'uniqueId'>, images: readonly [ImagePart, ImagePart]): FormPart[] {
  const [f1, f2] = settings.contract.imageFields;
  const parts: FormPart[] = [{ name: f1, image: images[0] }, { name: f2, image: images[1] }];
  const uid = settings.uniqueId?.trim();
  if (uid && settings.contract.uniqueIdField) parts.push({ name: settings.contract.uniqueIdField, value: uid });
  return parts;
}

/** Builds the multipart body for one pair. */
export function buildFormData(settings: Pick<CallSettings, 'contract' | 'uniqueId'>, images: readonly [ImagePart, ImagePart]): FormData {
  const fd = new FormData();
  for (const p of formParts(settings, images)) {
    if ('image' in p) fd.append(p.name, p.image.data, p.image.name);
    else fd.append(p.name, p.value);
  }
  return fd;
}

/**
 * The request body for one pair and the Content-Type it needs (none for FormData: fetch sets it):
 * bytes already in memory are encoded once, without a Blob per image (see multipart.ts).
 */
export function buildBody(
  settings: Pick<CallSettings, 'contract' | 'uniqueId'>,
  images: readonly [ImagePart, ImagePart],
): { body: FormData | Uint8Array<ArrayBuffer>; contentType?: string } {
  if (!images.every((i) => i.bytes)) return { body: buildFormData(settings, images) };
  const { body, contentType } = encodeMultipart(formParts(settings, images).map((p) => (
    'image' in p ? { name: p.name, filename: p.image.name, type: p.image.type ?? '', bytes: p.image.bytes! } : p
  )));
  return { body, contentType };
}

export function endpointUrl(contract: ProviderContract, baseUrl: string): string {
  return joinUrl(baseUrl, contract.path);
}

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

async function attemptOnce(
  settings: CallSettings,
  images: readonly [ImagePart, ImagePart],
  attempt: number,
  outer: AbortSignal | undefined,
  deps: CallDeps,
): Promise<AttemptResult> {
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  const now = deps.now ?? (() => performance.now());
  const url = endpointUrl(settings.contract, settings.baseUrl);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, settings.timeoutMs);
  const onOuterAbort = () => controller.abort();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const started = now();
  const base = { attempts: attempt };
  try {
    const { body, contentType } = buildBody(settings, images);
    const headers = buildHeaders(settings.contract, settings.credentials);
    if (contentType) headers['Content-Type'] = contentType;
    const res = await doFetch(url, {
      method: 'POST',
      headers,
      body,
      signal: controller.signal,
    });
    const text = await res.text();
    const timeMs = now() - started;
    const engine = res.headers.get(ENGINE_HEADER) ?? undefined;
    const parsed = parseJson(text);
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    if (res.ok) {
      if (parsed.ok) return { ...base, ok: true, status: res.status, timeMs, body: parsed.value, engine };
      return {
        ...base, ok: false, status: res.status, timeMs, engine,
        error: { type: 'invalid_json', message: `HTTP ${res.status} arrived but its body is not JSON (${describeText(text)}).` },
        errorBody: excerpt(text),
      };
    }
    const errorBody = parsed.ok ? parsed.value : excerpt(text);
    return {
      ...base, ok: false, status: res.status, timeMs, engine, retryAfterMs,
      error: { type: 'http', message: explainHttp(settings.contract, res.status, parsed.ok ? parsed.value : undefined, text) },
      errorBody,
    };
  } catch (err) {
    const timeMs = now() - started;
    if (timedOut) {
      return { ...base, ok: false, status: null, timeMs, error: { type: 'timeout', message: `No answer from ${url} within ${formatSeconds(settings.timeoutMs)}; the call was abandoned. Raise the timeout in the settings if the API is just slow.` } };
    }
    if (outer?.aborted) {
      return { ...base, ok: false, status: null, timeMs, error: { type: 'aborted', message: 'The call was cancelled before an answer arrived.' } };
    }
    return { ...base, ok: false, status: null, timeMs, error: { type: 'network', message: explainNetwork(url, err, deps.pageOrigin) } };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The first 2 KB of a text body (by UTF-8 bytes, never splitting a character). */
export function excerpt(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= TEXT_EXCERPT_BYTES) return text;
  return new TextDecoder().decode(bytes.slice(0, TEXT_EXCERPT_BYTES)).replace(/\uFFFD$/, '');
}

function describeText(text: string): string {
  if (text.trim() === '') return 'the body is empty';
  if (/^\s*</.test(text)) return 'it looks like an HTML page, often a gateway or proxy error';
  return 'the first characters are shown in error_body';
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A sentence for an HTTP error: what happened, the server's own message, and what to do. */
export function explainHttp(contract: ProviderContract, status: number, body: unknown, text = ''): string {
  const server = body !== undefined ? readErrorMessage(contract, body) : undefined;
  const quoted = server ?? (text && !/^\s*</.test(text) ? excerpt(text).slice(0, 200) : '');
  const said = quoted ? ` The server said: ${quoteSentence(quoted)}` : '';
  const secrets = contract.credentials.filter((c) => c.secret).map((c) => c.label.toLowerCase());
  switch (status) {
    case 400:
      return `The API rejected the request as invalid (HTTP 400).${said} Check that both images are readable JPEG or PNG files.`;
    case 401:
      return secrets.length > 1
        ? `The ${joinAnd(secrets)} were rejected (HTTP 401).${said} Update them in the connection settings and run again.`
        : `The ${secrets[0] ?? 'credentials'} was rejected (HTTP 401).${said} Update it in the connection settings and run again.`;
    case 403:
      return `Access was refused (HTTP 403).${said} The credentials are valid but not allowed to call this endpoint.`;
    case 404:
      return `Nothing answers at ${contract.path} on this host (HTTP 404). Check the Base URL and the provider.`;
    case 413:
      return `An image is larger than the API accepts (HTTP 413).${said} Use a smaller file.`;
    case 415:
      return `The API did not accept the request format (HTTP 415).${said}`;
    case 422:
      return `The API could not use an image (HTTP 422).${said}`;
    case 429:
      return `The API is rate-limiting requests (HTTP 429).${said} Wait a little, or lower the pace, and run again.`;
    default:
      if (status >= 500) return `The API failed on its side (HTTP ${status}).${said} Try again later.`;
      return `The API answered HTTP ${status}.${said}`;
  }
}

/**
 * A server's message quoted as the end of a sentence: `"Invalid token."` keeps its own final
 * punctuation, `"nope"` gets a period after the quote. Never `"Invalid token.".`
 */
export function quoteSentence(message: string): string {
  const m = message.trim();
  return /[.!?…]$/.test(m) ? `"${m}"` : `"${m}".`;
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function explainNetwork(url: string, err: unknown, pageOrigin?: string): string {
  let targetOrigin: string | undefined;
  try {
    targetOrigin = new URL(url, pageOrigin).origin;
  } catch {
    return `The Base URL "${url}" is not a valid URL. Enter one like https://api.example.com.`;
  }
  const crossOrigin = pageOrigin !== undefined && targetOrigin !== pageOrigin;
  const detail = err instanceof Error && err.message ? ` (${err.message})` : '';
  if (crossOrigin) {
    return `Could not reach ${url}${detail}. The browser gives no reason for a failed cross-origin call; if the same call works with curl, the host most likely does not allow CORS from this page. Start the playground with FACEMATCH_UPSTREAM=${targetOrigin} and pick "Upstream proxy" as the Base URL.`;
  }
  return `Could not reach ${url}${detail}. Check that the server is running and the Base URL is right.`;
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

/** Exchanges client credentials for a bearer token at the contract's token endpoint. */
export async function fetchToken(
  contract: ProviderContract,
  baseUrl: string,
  credentials: Credentials,
  signal?: AbortSignal,
  deps: Pick<CallDeps, 'fetch' | 'pageOrigin'> = {},
): Promise<TokenResult> {
  const refused = baseUrlCredentialProblem(baseUrl);
  if (refused) return { ok: false, status: null, message: refused };
  const te = contract.tokenEndpoint;
  if (!te) return { ok: false, status: null, message: `${contract.label} has no token endpoint: paste the token instead.` };
  const missing = Object.keys(te.fields).filter((k) => !credentials[k as CredentialKey]?.trim());
  if (missing.length) {
    const labels = missing.map((k) => contract.credentials.find((c) => c.key === k)?.label ?? k);
    return { ok: false, status: null, message: `Enter the ${labels.join(' and ')} first.` };
  }
  const form = new URLSearchParams();
  for (const [key, field] of Object.entries(te.fields)) form.set(field, credentials[key as CredentialKey]!.trim());
  const url = joinUrl(baseUrl, te.path);
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    const res = await doFetch(url, { method: 'POST', body: form, signal });
    const text = await res.text();
    const parsed = parseJson(text);
    const body = parsed.ok ? parsed.value : undefined;
    if (!res.ok) {
      const msg = body !== undefined ? readErrorMessage(contract, body) : undefined;
      const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
      return { ok: false, status: res.status, message: res.status === 401
        ? `The client ID or client secret was rejected (HTTP 401).${said} Check both and try again.`
        : `Getting a token failed (HTTP ${res.status}).${said}` };
    }
    const token = readPath(body, te.tokenPath);
    if (typeof token !== 'string' || !token) {
      return { ok: false, status: res.status, message: `The token endpoint answered HTTP ${res.status} without an access token.` };
    }
    const expiry = te.expiryPath ? readPath(body, te.expiryPath) : undefined;
    return { ok: true, status: res.status, token, expiry: typeof expiry === 'string' ? expiry : undefined, message: 'Token received.' };
  } catch (err) {
    if (signal?.aborted) return { ok: false, status: null, message: 'Getting a token was cancelled.' };
    return { ok: false, status: null, message: redactUrlsIn(explainNetwork(url, err, deps.pageOrigin)) };
  }
}
