/**
 * Azure AI Face emulator, two calls per pair as the service makes them:
 *   POST /emulate/azure-face/face/v1.0/detect?returnFaceId=true, body: the image (application/octet-stream)
 *     200 [{faceId, faceRectangle: {top, left, width, height}}], largest face first; [] when there is no face
 *   POST /emulate/azure-face/face/v1.0/verify, JSON {faceId1, faceId2}
 *     200 {isIdentical, confidence (0–1; isIdentical at 0.5 and above)}
 * Header `Ocp-Apim-Subscription-Key` on both; errors are {error: {code, message}} (401 for a missing or
 * wrong key, with the API gateway's wording).
 *
 * A faceId stands for the image it came from (the largest face) or a crop around its face (any
 * other face), kept server-side for FACE_ID_TTL_MS, at most FACE_ID_MAX_ENTRIES ids and
 * FACE_ID_MAX_BYTES bytes: the oldest go first.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import sharp from 'sharp';
import type { FaceBox } from '../../engine/types.ts';
import type { RouteDeps } from '../deps.ts';
import { formatBytes } from '../../../src/core/zip/filetype.ts';
import { checkImageBytes, latency, readJsonObject, safeEqual } from '../common.ts';
import { demoCredentials, detectFaces, emulatedPath, pixelRectangle, vendorScore, withEngine } from './shared.ts';

export const AZURE_DETECT_PATH = '/face/v1.0/detect';
export const AZURE_VERIFY_PATH = '/face/v1.0/verify';
export const AZURE_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

/** Azure keeps a detected faceId for 24 hours. */
export const FACE_ID_TTL_MS = 24 * 60 * 60 * 1000;
export const FACE_ID_MAX_ENTRIES = 512;
export const FACE_ID_MAX_BYTES = 128 * 1024 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface FaceIdStoreOptions {
  ttlMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  /** The clock (tests move it). */
  now?: () => number;
}

/** faceId → the bytes the engine compares for it; bounded in time, count and bytes, oldest out first. */
export class FaceIdStore {
  private readonly entries = new Map<string, { bytes: Uint8Array; expires: number }>();
  private bytes = 0;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;

  constructor(opts: FaceIdStoreOptions = {}) {
    this.ttlMs = opts.ttlMs ?? FACE_ID_TTL_MS;
    this.maxEntries = opts.maxEntries ?? FACE_ID_MAX_ENTRIES;
    this.maxBytes = opts.maxBytes ?? FACE_ID_MAX_BYTES;
    this.now = opts.now ?? Date.now;
  }

  get size(): number { return this.entries.size; }
  get totalBytes(): number { return this.bytes; }

  add(bytes: Uint8Array): string {
    const id = randomUUID();
    this.entries.set(id, { bytes, expires: this.now() + this.ttlMs });
    this.bytes += bytes.length;
    this.prune();
    return id;
  }

  get(id: string): Uint8Array | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.remove(id);
      return undefined;
    }
    return entry.bytes;
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.bytes -= entry.bytes.length;
    this.entries.delete(id);
  }

  /** Drops expired ids, then the oldest until within the count and byte bounds (insertion order is age order). */
  private prune(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (entry.expires <= now) this.remove(id);
    }
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(id);
    }
  }
}

type Status = 400 | 401 | 404 | 405 | 413 | 415 | 500 | 503;

export function azureError(c: Context, status: Status, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** A crop around one face (half its size again on each side), so the engine compares that face. */
async function cropAround(bytes: Uint8Array, face: FaceBox, width: number, height: number): Promise<Uint8Array> {
  const left = Math.max(0, Math.floor(face.x - face.width / 2));
  const top = Math.max(0, Math.floor(face.y - face.height / 2));
  const right = Math.min(width, Math.ceil(face.x + face.width * 1.5));
  const bottom = Math.min(height, Math.ceil(face.y + face.height * 1.5));
  const out = await sharp(bytes).autoOrient().extract({ left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) }).jpeg({ quality: 95 }).toBuffer();
  return new Uint8Array(out);
}

export function azureFaceRoutes({ config, engine }: RouteDeps, store = new FaceIdStore()): Hono {
  const app = new Hono();
  const detectPath = emulatedPath('azure-face', AZURE_DETECT_PATH);
  const verifyPath = emulatedPath('azure-face', AZURE_VERIFY_PATH);
  const demo = demoCredentials('azure-face');

  const auth = async (c: Context, next: () => Promise<void>) => {
    const key = c.req.header(AZURE_KEY_HEADER);
    if (!key) {
      return azureError(c, 401, '401', `Access denied due to missing subscription key. Make sure to include the subscription key (${AZURE_KEY_HEADER} header) when making requests to an API.`);
    }
    if (!safeEqual(key, demo.api_key!)) {
      return azureError(c, 401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.');
    }
    await next();
  };

  app.post(
    detectPath,
    auth,
    latency(config.latencyMs),
    bodyLimit({
      maxSize: config.maxImageBytes + 1024,
      onError: (c) => azureError(c, 400, 'InvalidImageSize', `Image size is too big: the limit is ${formatBytes(config.maxImageBytes)}.`),
    }),
    async (c) => {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/octet-stream') {
        return azureError(c, 415, 'BadArgument', `Send the image bytes as the body with Content-Type: application/octet-stream (got ${type || 'no Content-Type'}); image URLs are not fetched.`);
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const check = checkImageBytes('The image', bytes, config.maxImageBytes);
      if (!check.ok) {
        const code = check.status === 413 || bytes.length === 0 ? 'InvalidImageSize' : 'InvalidImage';
        return azureError(c, 400, code, check.message);
      }
      const call = await withEngine(c, engine, () => detectFaces(engine, bytes));
      if (!call.ok) return azureError(c, call.status, call.status === 503 ? 'ServiceUnavailable' : 'InternalServerError', call.message);
      const found = call.value;
      if (found.kind === 'undecodable') return azureError(c, 400, 'InvalidImage', `Decoding error: the image could not be decoded (${found.message}).`);
      const returnFaceId = (c.req.query('returnFaceId') ?? 'true').toLowerCase() !== 'false';
      const faces = await Promise.all(found.faces.map(async (face, i) => {
        const rect = pixelRectangle(face);
        if (!returnFaceId) return { faceRectangle: rect };
        const forMatch = i === 0 ? bytes : await cropAround(bytes, face, found.width, found.height);
        return { faceId: store.add(forMatch), faceRectangle: rect };
      }));
      return c.json(faces);
    },
  );

  app.post(
    verifyPath,
    auth,
    latency(config.latencyMs),
    bodyLimit({ maxSize: 4096, onError: (c) => azureError(c, 400, 'BadArgument', 'The request body is too large: send only {"faceId1", "faceId2"}.') }),
    async (c) => {
      const parsed = await readJsonObject(c);
      if (!parsed.ok) return azureError(c, 400, 'BadArgument', parsed.message);
      const images: Uint8Array[] = [];
      for (const field of ['faceId1', 'faceId2'] as const) {
        const id = parsed.body[field];
        if (typeof id !== 'string' || id === '') return azureError(c, 400, 'BadArgument', `${field} is missing: send the faceId a detect call returned.`);
        if (!UUID.test(id)) return azureError(c, 400, 'BadArgument', `${field} is not a valid face ID.`);
        const bytes = store.get(id);
        if (!bytes) return azureError(c, 404, 'FaceNotFound', `${field} is not found: face IDs expire 24 hours after detection; detect the image again.`);
        images.push(bytes);
      }
      const call = await withEngine(c, engine, () => engine.match(images[0]!, images[1]!));
      if (!call.ok) return azureError(c, call.status, call.status === 503 ? 'ServiceUnavailable' : 'InternalServerError', call.message);
      const outcome = call.value;
      if (outcome.kind !== 'compared') {
        return azureError(c, 400, 'BadArgument', `faceId${outcome.image + 1} does not refer to a face that can be compared; detect the image again.`);
      }
      return c.json({ isIdentical: outcome.match, confidence: vendorScore(outcome, 0.5, 1, 5) });
    },
  );

  for (const path of [detectPath, verifyPath]) {
    app.all(path, (c) => {
      c.header('Allow', 'POST, OPTIONS');
      return azureError(c, 405, 'MethodNotAllowed', `Use POST ${path}.`);
    });
  }
  return app;
}
