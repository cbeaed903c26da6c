/**
 * KwikID Advanced Facematch emulator: POST /emulate/kwikid-advanced/advanced_facematch, Bearer token
 * (the KwikID one), multipart `image1` (required), `image2` (optional), optional `unique_id`.
 *
 *   200 {image1: {face_detected, result: "real", confidence}, image2: {…} (when sent),
 *        image1_image2_facematch: {performed, result: "True"|"False"|null, confidence 0–1 | null},
 *        overall_result: "True"|"False", credits_consumed, unique_id (when sent)}
 *   no face in an image: 422 {detail: {image}, message: "No face found in <image>"} (KwikID's own no-face answer)
 *   errors: KwikID's shapes ({msg} for auth, {detail, message} otherwise)
 *
 * The per-image blocks carry the face detector's score; the emulator has no liveness model, so
 * every image with a face is reported "real".
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { RouteDeps } from '../deps.ts';
import {
  bearerAuth, bodyCap, clamp01, latency, readImagePart, readMultipart, round,
} from '../common.ts';
import { detectFaces, emulatedPath, withEngine, type DetectedFaces } from './shared.ts';

export const KWIKID_ADVANCED_PATH = '/advanced_facematch';
const FIELDS = ['image1', 'image2'] as const;
const CREDITS_PER_CALL = 1;

function fieldError(c: Context, status: 400 | 413 | 422, field: string, message: string) {
  return c.json({ detail: { image: field }, message }, status);
}

function imageBlock(found: DetectedFaces & { kind: 'faces' }) {
  const face = found.faces[0];
  return { face_detected: true, result: 'real', confidence: round(clamp01(face?.score ?? 0), 4) };
}

export function kwikidAdvancedRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('kwikid-advanced', KWIKID_ADVANCED_PATH);

  app.post(
    path,
    bearerAuth(config.token),
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'image', (message) => ({ detail: { body: 'too_large' }, message })),
    async (c) => {
      const parsed = await readMultipart(c, FIELDS);
      if (!parsed.ok) return c.json({ detail: { body: parsed.reason }, message: parsed.message }, parsed.reason === 'not_multipart' ? 415 : 400);
      const form = parsed.form;
      const uniqueIdRaw = form.get('unique_id');
      const uniqueId = typeof uniqueIdRaw === 'string' && uniqueIdRaw.trim() !== '' ? uniqueIdRaw : undefined;

      const first = await readImagePart(form, 'image1', config.maxImageBytes);
      if (!first.ok) return fieldError(c, first.status, 'image1', first.message);
      const second = form.getAll('image2').length > 0 ? await readImagePart(form, 'image2', config.maxImageBytes) : null;
      if (second && !second.ok) return fieldError(c, second.status, 'image2', second.message);
      const a = first.bytes;
      const b = second?.ok ? second.bytes : null;

      const call = await withEngine(c, engine, () => Promise.all([
        detectFaces(engine, a),
        b ? detectFaces(engine, b) : Promise.resolve(null),
        b ? engine.match(a, b) : Promise.resolve(null),
      ]));
      if (!call.ok) return c.json({ message: call.message }, call.status);
      const [faces1, faces2, outcome] = call.value;

      const detected = [faces1, faces2] as const;
      for (const i of [0, 1] as const) {
        const found = detected[i];
        if (found?.kind === 'undecodable') return fieldError(c, 400, FIELDS[i], `${FIELDS[i]} could not be decoded: ${found.message}`);
        if (found && found.faces.length === 0) return fieldError(c, 422, FIELDS[i], `No face found in ${FIELDS[i]}`);
      }
      if (outcome?.kind === 'undecodable') return fieldError(c, 400, FIELDS[outcome.image], `${FIELDS[outcome.image]} could not be decoded: ${outcome.message}`);
      if (outcome?.kind === 'no_face') return fieldError(c, 422, FIELDS[outcome.image], `No face found in ${FIELDS[outcome.image]}`);

      const compared = outcome?.kind === 'compared' ? outcome : null;
      const body: Record<string, unknown> = { image1: imageBlock(faces1 as DetectedFaces & { kind: 'faces' }) };
      if (faces2) body.image2 = imageBlock(faces2 as DetectedFaces & { kind: 'faces' });
      body.image1_image2_facematch = compared
        ? { performed: true, result: compared.match ? 'True' : 'False', confidence: round(clamp01(compared.confidence), 4) }
        : { performed: false, result: null, confidence: null };
      body.overall_result = compared && !compared.match ? 'False' : 'True';
      body.credits_consumed = CREDITS_PER_CALL;
      if (uniqueId !== undefined) body.unique_id = uniqueId;
      return c.json(body);
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return c.json({ message: `Use POST ${path} with multipart part image1 (and optionally image2).` }, 405);
  });
  return app;
}
