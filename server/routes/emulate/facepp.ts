/**
 * Face++ Compare emulator: POST /emulate/facepp/facepp/v3/compare, multipart or urlencoded form with
 * `api_key`, `api_secret` and each image as `image_file1`/`image_file2` (file) or
 * `image_base64_1`/`image_base64_2` (base64 text).
 *
 *   200 {request_id, time_used, confidence (0–100), thresholds {"1e-3","1e-4","1e-5"}, faces1, faces2, image_id1, image_id2}
 *   no face in an image: 200 without confidence and thresholds, that image's faces array empty
 *   errors: {request_id, time_used, error_message: "CODE: detail"}; 401 AUTHENTICATION_ERROR for a wrong key or secret
 */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.ts';
import {
  bodyCap, decodeBase64Image, latency, readImagePart, readMultipart, safeEqual,
} from '../common.ts';
import { demoCredentials, detectFaces, emulatedPath, hexToken, pixelRectangle, vendorScore, withEngine, type DetectedFaces } from './shared.ts';

export const FACEPP_PATH = '/facepp/v3/compare';

/**
 * Face++'s published false-accept-rate thresholds, on its 0–100 scale. The engine's decision
 * boundary maps to the 1e-4 one, the threshold the preset reads.
 */
export const FACEPP_THRESHOLDS = { '1e-3': 62.327, '1e-4': 69.101, '1e-5': 73.975 } as const;

const IMAGE_FIELDS = [['image_file1', 'image_base64_1'], ['image_file2', 'image_base64_2']] as const;

type Status = 400 | 401 | 413 | 500 | 503;

export function faceppRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('facepp', FACEPP_PATH);
  const demo = demoCredentials('facepp');

  app.post(
    path,
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'image', (message) => errorBody(`REQUEST_ENTITY_TOO_LARGE: ${message}`, 0), 'base64'),
    async (c) => {
      const started = performance.now();
      const fail = (status: Status, message: string) => c.json(errorBody(message, started), status);
      const parsed = await readMultipart(c, ['api_key', 'api_secret', 'image_file1', 'image_file2'], { urlencoded: true });
      if (!parsed.ok) return fail(400, `BAD_ARGUMENTS: ${parsed.message}`);
      const form = parsed.form;

      const key = form.get('api_key');
      const secret = form.get('api_secret');
      if (typeof key !== 'string' || key === '') return fail(400, 'MISSING_ARGUMENTS: api_key');
      if (typeof secret !== 'string' || secret === '') return fail(400, 'MISSING_ARGUMENTS: api_secret');
      if (!safeEqual(key, demo.api_key!) || !safeEqual(secret, demo.api_secret!)) return fail(401, 'AUTHENTICATION_ERROR');

      const images: Uint8Array[] = [];
      for (const [fileField, base64Field] of IMAGE_FIELDS) {
        const check = await readImage(form, fileField, base64Field, config.maxImageBytes);
        if (!check.ok) return fail(400, `${check.code}: ${check.message}`);
        images.push(check.bytes);
      }
      const [a, b] = images as [Uint8Array, Uint8Array];

      const call = await withEngine(c, engine, () => Promise.all([engine.match(a, b), detectFaces(engine, a), detectFaces(engine, b)]));
      if (!call.ok) return fail(call.status, call.status === 503 ? `CONCURRENCY_LIMIT_EXCEEDED: ${call.message}` : `INTERNAL_ERROR: ${call.message}`);
      const [outcome, faces1, faces2] = call.value;
      if (outcome.kind === 'undecodable') {
        return fail(400, `IMAGE_ERROR_UNSUPPORTED_FORMAT: ${IMAGE_FIELDS[outcome.image][0]} could not be decoded: ${outcome.message}`);
      }
      const body: Record<string, unknown> = {
        request_id: faceppRequestId(),
        time_used: timeUsed(started),
        faces1: outcome.kind === 'no_face' && outcome.image === 0 ? [] : faceList(faces1),
        faces2: outcome.kind === 'no_face' && outcome.image === 1 ? [] : faceList(faces2),
        image_id1: hexToken(16),
        image_id2: hexToken(16),
      };
      if (outcome.kind === 'compared') {
        body.confidence = vendorScore(outcome, FACEPP_THRESHOLDS['1e-4'], 100, 3);
        body.thresholds = { ...FACEPP_THRESHOLDS };
      }
      return c.json(body);
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return c.json(errorBody('API_NOT_FOUND', performance.now()), 404);
  });

  return app;
}

type FaceppImage = { ok: true; bytes: Uint8Array } | { ok: false; code: string; message: string };

async function readImage(form: FormData, fileField: string, base64Field: string, maxImageBytes: number): Promise<FaceppImage> {
  const hasFile = form.getAll(fileField).length > 0;
  const base64 = form.get(base64Field);
  if (!hasFile && (base64 === null || base64 === '')) {
    return { ok: false, code: 'MISSING_ARGUMENTS', message: `${fileField}, image_url${fileField.slice(-1)}, face_token${fileField.slice(-1)}, ${base64Field}` };
  }
  const check = hasFile ? await readImagePart(form, fileField, maxImageBytes) : decodeBase64Image(base64Field, base64, maxImageBytes);
  if (check.ok) return check;
  const code = check.status === 413 ? 'IMAGE_FILE_TOO_LARGE' : /only JPEG and PNG/.test(check.message) ? 'IMAGE_ERROR_UNSUPPORTED_FORMAT' : 'BAD_ARGUMENTS';
  return { ok: false, code, message: check.message };
}

function faceList(detected: DetectedFaces): Array<{ face_token: string; face_rectangle: ReturnType<typeof pixelRectangle> }> {
  if (detected.kind !== 'faces') return [];
  return detected.faces.map((f) => ({ face_token: hexToken(16), face_rectangle: pixelRectangle(f) }));
}

/** Face++'s request_id: seconds since the epoch, a comma, a UUID. */
function faceppRequestId(): string {
  return `${Math.floor(Date.now() / 1000)},${crypto.randomUUID()}`;
}

function timeUsed(started: number): number {
  return Math.max(1, Math.round(performance.now() - started));
}

function errorBody(message: string, started: number): Record<string, unknown> {
  return { request_id: faceppRequestId(), time_used: started > 0 ? timeUsed(started) : 0, error_message: message };
}
