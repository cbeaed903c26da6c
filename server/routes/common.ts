/** Helpers shared by the contract and emulator routes: bearer parsing, multipart, base64 and JSON reading, image checks. */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeTypeWithArticle, formatBytes, isAcceptedImage, sniff, SNIFF_BYTES, type SniffedType } from '../../src/core/zip/filetype.ts';
import { abortableSleep } from '../../src/core/request/request.ts';
import type { Engine } from '../engine/types.ts';

/** Response header telling the client which engine answered (the browser keeps it in CallResult.engine). */
export { ENGINE_HEADER } from '../../src/core/contracts/defaults.ts';

/** More parts than this in one request is refused before any image is looked at. */
export const MAX_PARTS = 10;

/** How long a face-match request waits for a loading engine before answering 503. */
export const ENGINE_READY_WAIT_MS = 20_000;
export const RETRY_AFTER_LOADING_S = 5;

/** The whole-body limit for a request carrying two images: 2 × the image limit + 1 MB of overhead. */
export function bodyLimitFor(maxImageBytes: number): number {
  return 2 * maxImageBytes + 1024 * 1024;
}

export type BearerResult = { kind: 'missing' } | { kind: 'malformed' } | { kind: 'ok'; token: string };

/** Reads `Authorization: Bearer <token>` (scheme is case-insensitive). */
export function readBearer(c: Context): BearerResult {
  const header = c.req.header('authorization');
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return { kind: 'malformed' };
  return { kind: 'ok', token: m[1]! };
}

/**
 * KwikID-style bearer auth, before anything of the body is read: 401 `{ msg }` when the header is
 * missing, malformed or carries another token. Used by POST /facematch and POST /faces.
 */
export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const bearer = readBearer(c);
    if (bearer.kind === 'missing') {
      return c.json({ msg: 'Missing Authorization header: send "Authorization: Bearer <token>".' }, 401);
    }
    if (bearer.kind === 'malformed') {
      return c.json({ msg: 'Malformed Authorization header: expected "Bearer <token>".' }, 401);
    }
    if (!safeEqual(bearer.token, token)) return c.json({ msg: 'Invalid token.' }, 401);
    await next();
  };
}

/** Constant-time string comparison for secrets. */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ba.length !== bb.length) return false;
  return timingSafeEqual(ba, bb);
}

export type FormResult =
  | { ok: true; form: FormData }
  | { ok: false; reason: 'not_multipart' | 'unreadable' | 'too_many_parts'; message: string };

/**
 * Parses a multipart body (already capped by the body-limit middleware); with `urlencoded`, an
 * application/x-www-form-urlencoded body too (for APIs that take base64 images as form fields).
 */
export async function readMultipart(c: Context, expected: readonly string[], opts: { urlencoded?: boolean } = {}): Promise<FormResult> {
  const type = c.req.header('content-type') ?? '';
  const multipart = /^multipart\/form-data\s*;/i.test(type) || /^multipart\/form-data$/i.test(type.trim());
  const urlencoded = opts.urlencoded === true && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type.trim());
  if (!multipart && !urlencoded) {
    const got = type.split(';')[0]?.trim() || 'no Content-Type';
    return {
      ok: false,
      reason: 'not_multipart',
      message: `The body must be multipart/form-data with the parts ${expected.join(' and ')}; got ${got}.`,
    };
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (err) {
    return {
      ok: false,
      reason: 'unreadable',
      message: `The multipart body could not be read (${err instanceof Error ? err.message : 'parse error'}). Send the parts ${expected.join(' and ')} as multipart/form-data.`,
    };
  }
  let count = 0;
  for (const _ of form.keys()) count++;
  if (count > MAX_PARTS) {
    return {
      ok: false,
      reason: 'too_many_parts',
      message: `The request has ${count} parts; at most ${MAX_PARTS} are accepted. Send only ${expected.join(' and ')}.`,
    };
  }
  return { ok: true, form };
}

export type ImageCheck =
  | { ok: true; bytes: Uint8Array; type: SniffedType }
  | { ok: false; status: 400 | 413; message: string };

/** Checks one image part: present once, a file, not empty, within the limit, and JPEG or PNG by its bytes. */
export async function readImagePart(form: FormData, field: string, maxImageBytes: number): Promise<ImageCheck> {
  const values = form.getAll(field);
  if (values.length === 0) {
    return { ok: false, status: 400, message: `${field} is missing: send it as a multipart file part named "${field}".` };
  }
  if (values.length > 1) {
    return { ok: false, status: 400, message: `${field} was sent ${values.length} times; send exactly one file.` };
  }
  const value = values[0]!;
  if (typeof value === 'string') {
    return { ok: false, status: 400, message: `${field} is a text field, not a file: send the image bytes as a file part (curl -F ${field}=@photo.jpg).` };
  }
  return checkImageBytes(field, new Uint8Array(await value.arrayBuffer()), maxImageBytes);
}

/** The checks of readImagePart on bytes already in hand (a base64 field, a raw body): not empty, within the limit, JPEG or PNG. */
export function checkImageBytes(field: string, bytes: Uint8Array, maxImageBytes: number): ImageCheck {
  if (bytes.length === 0) return { ok: false, status: 400, message: `${field} is an empty file.` };
  if (bytes.length > maxImageBytes) {
    return { ok: false, status: 413, message: `${field} is ${formatBytes(bytes.length)}; the limit is ${formatBytes(maxImageBytes)} per image.` };
  }
  const type = sniff(bytes.subarray(0, Math.max(SNIFF_BYTES, 512)));
  if (!isAcceptedImage(type)) {
    return { ok: false, status: 400, message: `${field} is ${describeTypeWithArticle(type)}; only JPEG and PNG are accepted.` };
  }
  return { ok: true, bytes, type };
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const DATA_URL = /^data:([^,]*?);base64,/i;

/**
 * An image sent as base64 text (a JSON or form field): plain base64 or a `data:image/...;base64,` URL,
 * whitespace ignored. Then the same checks as a file part.
 */
export function decodeBase64Image(field: string, value: unknown, maxImageBytes: number): ImageCheck {
  if (value === undefined || value === null || value === '') {
    return { ok: false, status: 400, message: `${field} is missing: send the image as base64 text in "${field}".` };
  }
  if (typeof value !== 'string') {
    return { ok: false, status: 400, message: `${field} must be a string of base64 text (or a data: URL), not ${Array.isArray(value) ? 'a list' : typeof value}.` };
  }
  const text = value.replace(DATA_URL, '').replace(/\s+/g, '');
  if (text === '') return { ok: false, status: 400, message: `${field} is empty: send the image as base64 text.` };
  if (!BASE64.test(text)) {
    return { ok: false, status: 400, message: `${field} is not base64 text: encode the image bytes as base64 (a data: URL is accepted too).` };
  }
  // Refuse an over-limit image before decoding it.
  if (Math.floor((text.length * 3) / 4) - 2 > maxImageBytes) {
    return { ok: false, status: 413, message: `${field} is over ${formatBytes(maxImageBytes)}, the limit per image.` };
  }
  return checkImageBytes(field, new Uint8Array(Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64')), maxImageBytes);
}

export type JsonObjectResult = { ok: true; body: Record<string, unknown>; text: string } | { ok: false; message: string };

/** Reads a JSON object body (already capped by the body-limit middleware); keeps the raw text for signature checks. */
export async function readJsonObject(c: Context): Promise<JsonObjectResult> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return { ok: false, message: 'The request body could not be read; send a JSON object.' };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The body is not valid JSON; send a JSON object with Content-Type: application/json.' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, message: 'The body must be a JSON object.' };
  }
  return { ok: true, body: body as Record<string, unknown>, text };
}

export type ReadyResult = { ok: true } | { ok: false; status: 503 | 500; message: string; retryAfter?: number };

/**
 * Waits for the engine when it is still loading (up to ENGINE_READY_WAIT_MS), so a first call right
 * after start-up simply takes longer instead of failing; answers 503 + Retry-After past that.
 */
export async function awaitEngine(engine: Engine, signal: AbortSignal, waitMs = ENGINE_READY_WAIT_MS): Promise<ReadyResult> {
  const state = engine.info().state;
  if (state === 'ready') return { ok: true };
  if (state === 'failed') return failed(engine);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    engine.ready().then(() => 'ready' as const, () => 'failed' as const),
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
      signal.addEventListener('abort', () => resolve('timeout'), { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'ready') return { ok: true };
  if (outcome === 'failed') return failed(engine);
  return { ok: false, status: 503, message: 'The face engine is still loading; retry in a few seconds.', retryAfter: RETRY_AFTER_LOADING_S };
}

function failed(engine: Engine): ReadyResult {
  const why = engine.info().error;
  return { ok: false, status: 500, message: `The face engine failed to load${why ? `: ${why}` : ''}. Restart the server, or run it with FACEMATCH_ENGINE=instant.` };
}

/** Adds the configured latency after the answer is ready (FACEMATCH_LATENCY_MS); a client that leaves ends the wait. */
export function latency(ms: number): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (ms > 0) await abortableSleep(ms, c.req.raw.signal).catch(() => {});
  };
}

/**
 * The whole-body cap, enforced while the body streams in. `noun` is what the contract calls its parts
 * ("image", "file"); `toBody` puts the 413's sentence in the contract's error shape.
 */
export function bodyCap(maxImageBytes: number, noun: string, toBody: (message: string) => object, encoding: 'binary' | 'base64' = 'binary'): MiddlewareHandler {
  // Base64 text is 4/3 of the bytes it carries.
  const limit = bodyLimitFor(encoding === 'base64' ? Math.ceil(maxImageBytes / 3) * 4 : maxImageBytes);
  return bodyLimit({
    maxSize: limit,
    onError: (c) => c.json(toBody(`The request body is larger than ${formatBytes(limit)}; each ${noun} may be at most ${formatBytes(maxImageBytes)}.`), 413),
  });
}

export type ImagesCheck = { ok: true; images: [Uint8Array, Uint8Array] } | { ok: false; field: string; status: 400 | 413; message: string };

/** Checks the two image parts in order; the first failure names its field. */
export async function readImageParts(form: FormData, fields: readonly [string, string], maxImageBytes: number): Promise<ImagesCheck> {
  const images: Uint8Array[] = [];
  for (const field of fields) {
    const check = await readImagePart(form, field, maxImageBytes);
    if (!check.ok) return { ok: false, field, status: check.status, message: check.message };
    images.push(check.bytes);
  }
  return { ok: true, images: [images[0]!, images[1]!] };
}

export function round(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

export function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}
