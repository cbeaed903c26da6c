/**
 * The one request path to a face-match API, used by Single mode, the Bulk runner, the benchmarks
 * and the tests. It builds the multipart body from a contract, applies the timeout, retries
 * transient failures with exponential backoff and jitter (honouring Retry-After), and turns every
 * way a call can end into one plain CallResult — never a thrown error.
 */
import {
  buildHeaders, isNoFace, joinUrl, matchesRule, readErrorMessage, readPath,
  type CredentialKey, type ProviderContract,
} from './contracts.ts';
import { ENGINE_HEADER } from './defaults.ts';
import type { TemplateContext } from './providers/body.ts';
import { multipartBody, plainParts, type BuiltBody, type ImagePart } from './providers/parts.ts';
import type { RequestTemplate } from './providers/types.ts';
import { baseUrlCredentialProblem, redactUrlsDeep, redactUrlsIn } from './safe-url.ts';

export { bytesPart, type ImagePart } from './providers/parts.ts';

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

/** `no_face`: the API found no face in an image (a failure to acquire, never a non-match). */
export type ErrorType = 'http' | 'network' | 'timeout' | 'aborted' | 'invalid_json' | 'not_run' | 'no_face';

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

export const TEXT_EXCERPT_BYTES = 2048;
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 502, 503, 504]);
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

/** The template engine (body.ts, template.ts): loaded the first time a definition with a request template is called. */
let templates: Promise<typeof import('./providers/body.ts')> | undefined;
function loadTemplates() {
  templates ??= import('./providers/body.ts');
  return templates;
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
  try {
    const steps: Record<string, Record<string, string>> = {};
    const ctx: TemplateContext = { images, uniqueId: settings.uniqueId, credentials: settings.credentials, steps };
    const send = async (template: RequestTemplate | null, to: string, name: string) => {
      target = to;
      const t0 = now();
      let built: { body: BuiltBody; contentType?: string };
      let headers: Record<string, string>;
      if (!template) {
        // No request template (KwikID, Deepvue): the body is built at once and the call leaves in the same tick.
        built = plainBody(settings, images);
        headers = withContentType(buildHeaders(contract, settings.credentials), built);
      } else {
        const t = await loadTemplates();
        ctx.uuid ??= t.uuidV4(); // one {{uuid}} per call, steps included
        built = await t.buildTemplateBody(template, contract.authFields, ctx);
        headers = withContentType({ ...buildHeaders(contract, settings.credentials), ...t.templateHeaders(template, ctx) }, built);
        if (contract.signing) headers = await signed(settings, to, headers, built.body);
      }
      controller.signal.throwIfAborted();
      const res = await doFetch(to, { method: 'POST', headers, body: built.body, signal: controller.signal });
      const text = await res.text();
      timings.push({ step: name, http_status: res.status, response_time_ms: now() - t0 });
      return { res, text, parsed: parseJson(text) };
    };
    for (const step of contract.steps ?? []) {
      const { res, text, parsed } = await send(step.request, joinUrl(settings.baseUrl, step.path), step.id);
      const slot = imageSlotOf(step.request);
      const failed = answerProblem(contract, res, text, parsed, slot === null ? undefined : images[slot]!.name);
      if (failed) return withSteps({ ...base, ...failed, timeMs: now() - started, engine: res.headers.get(ENGINE_HEADER) ?? undefined });
      const captured: Record<string, string> = {};
      for (const [key, path] of Object.entries(step.capture)) {
        const v = readPath(parsed.ok ? parsed.value : undefined, path);
        if (v === undefined || v === null || v === '') {
          const which = slot === null ? 'one of the images' : images[slot]!.name;
          return withSteps({
            ...base, ok: false, status: res.status, timeMs: now() - started,
            error: { type: 'no_face', message: `The API found no face in ${which} (its ${step.id} answer has no ${path.join('.')}).` },
            errorBody: parsed.ok ? parsed.value : excerpt(text),
          });
        }
        captured[key] = String(v);
      }
      steps[step.id] = captured;
    }
    const { res, text, parsed } = await send(contract.request ?? null, url, 'main');
    const timeMs = now() - started;
    const engine = res.headers.get(ENGINE_HEADER) ?? undefined;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
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
    return withSteps({ ...base, ok: false, status: null, timeMs, error: { type: 'network', message: explainNetwork(target, err, deps.pageOrigin) } });
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

/** The headers with the body's Content-Type, unless they already name one. */
function withContentType(headers: Record<string, string>, built: { contentType?: string }): Record<string, string> {
  if (built.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = built.contentType;
  return headers;
}

/** The headers of a signed definition, with the signature (the signer loads on demand). */
async function signed(settings: CallSettings, url: string, headers: Record<string, string>, body: BuiltBody): Promise<Record<string, string>> {
  const signing = settings.contract.signing!;
  if (body instanceof FormData) throw new Error('A signed request needs a json, urlencoded or octet body.');
  const { signSigV4 } = await import('./providers/sigv4.ts');
  return signSigV4(signing, settings.credentials, url, headers, body);
}

/** The image a step sends (its octet body, or a lone image field), to name it in a no-face sentence. */
function imageSlotOf(t: RequestTemplate): 0 | 1 | null {
  const texts = [t.octet ?? '', ...(t.fields ?? []).map((f) => f.value)];
  const slots = new Set(texts.flatMap((x) => [...x.matchAll(/\{\{\s*image([12])/g)].map((m) => Number(m[1]) - 1)));
  return slots.size === 1 ? ([...slots][0] as 0 | 1) : null;
}

/**
 * What is wrong with an answer, or null when it is a success: no face (the definition's rules),
 * an HTTP error, a 2xx that is not JSON, or a 2xx whose body does not meet the success rule.
 */
function answerProblem(
  contract: ProviderContract, res: Response, text: string, parsed: { ok: true; value: unknown } | { ok: false }, imageName?: string,
): { ok: false; status: number; error: { type: ErrorType; message: string }; errorBody: unknown } | null {
  const body = parsed.ok ? parsed.value : text;
  const errorBody = parsed.ok ? parsed.value : excerpt(text);
  const status = res.status;
  if (isNoFace(contract, status, body)) {
    const msg = parsed.ok ? readErrorMessage(contract, parsed.value) : undefined;
    const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
    return { ok: false, status, errorBody, error: { type: 'no_face', message: `The API found no face in ${imageName ?? 'one of the images'} (HTTP ${status}).${said}` } };
  }
  if (res.ok) {
    if (!parsed.ok) {
      return { ok: false, status, errorBody, error: { type: 'invalid_json', message: `HTTP ${status} arrived but its body is not JSON (${describeText(text)}).` } };
    }
    const rule = contract.success;
    if (rule && !matchesRule(rule, status, parsed.value)) {
      const where = rule.path?.join('.') ?? 'the body';
      const got = rule.path ? readPath(parsed.value, rule.path) : undefined;
      const want = rule.equals !== undefined ? ` "${String(rule.equals)}"` : ' the success value';
      const msg = readErrorMessage(contract, parsed.value);
      const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
      return {
        ok: false, status, errorBody,
        error: { type: 'http', message: `The API answered HTTP ${status} but ${where} is ${got === undefined ? 'missing' : `"${String(got)}"`}, not${want}, so the call did not succeed.${said}` },
      };
    }
    return null;
  }
  return { ok: false, status, errorBody, error: { type: 'http', message: explainHttp(contract, status, parsed.ok ? parsed.value : undefined, text) } };
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

/** "a", "a or b", "a, b or c". */
function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** "Client ID" → "client ID" (an acronym after the first word stays). */
function lowerFirst(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1);
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
  const missing = Object.keys(te.fields).filter((k) => !credentials[k]?.trim());
  if (missing.length) {
    const labels = missing.map((k) => contract.credentials.find((c) => c.key === k)?.label ?? k);
    return { ok: false, status: null, message: `Enter the ${labels.join(' and ')} first.` };
  }
  const labels = Object.keys(te.fields).map((k) => contract.credentials.find((c) => c.key === k)?.label ?? k);
  const values = Object.entries(te.fields).map(([key, field]) => [field, credentials[key]!.trim()] as const);
  const init: RequestInit = te.encoding === 'json'
    ? { body: JSON.stringify(Object.fromEntries(values)), headers: { 'Content-Type': 'application/json' } }
    : { body: new URLSearchParams(values.map(([k, v]) => [k, v])) };
  const url = joinUrl(baseUrl, te.path);
  const doFetch = deps.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    const res = await doFetch(url, { method: 'POST', ...init, signal });
    const text = await res.text();
    const parsed = parseJson(text);
    const body = parsed.ok ? parsed.value : undefined;
    if (!res.ok) {
      const msg = body !== undefined ? readErrorMessage(contract, body) : undefined;
      const said = msg ? ` The server said: ${quoteSentence(msg)}` : '';
      return { ok: false, status: res.status, message: res.status === 401
        ? `The ${joinOr(labels.map(lowerFirst))} was rejected (HTTP 401).${said} Check ${labels.length > 1 ? 'both' : 'it'} and try again.`
        : `Getting a token failed (HTTP ${res.status}).${said}` };
    }
    const token = readPath(body, te.tokenPath);
    if (typeof token !== 'string' || !token) {
      return { ok: false, status: res.status, message: `The token endpoint answered HTTP ${res.status} without an access token.` };
    }
    const read = te.expiryPath ? readPath(body, te.expiryPath) : undefined;
    const expiry = typeof read === 'string' ? read
      : te.lifetimeSeconds ? new Date(Date.now() + te.lifetimeSeconds * 1000).toISOString() : undefined;
    return { ok: true, status: res.status, token, expiry, message: 'Token received.' };
  } catch (err) {
    if (signal?.aborted) return { ok: false, status: null, message: 'Getting a token was cancelled.' };
    return { ok: false, status: null, message: redactUrlsIn(explainNetwork(url, err, deps.pageOrigin)) };
  }
}
