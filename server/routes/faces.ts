/**
 * POST /faces: the reference engine's face detector on one image (multipart part `image`), with
 * the same token and the same 400 / 413 / 415 errors as POST /facematch. Not a vendor contract:
 * the playground calls it on its own origin to draw face boxes and warn before a run.
 *
 *   200 {"width", "height", "faces": [{"box": {"x", "y", "width", "height"}, "score"}], "used": index | null}
 *
 * Boxes are in pixels of the upright image (EXIF orientation applied) at its original size, left
 * to right; `used` is the face POST /facematch compares (the largest), null when there is none.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { FaceBox } from '../engine/types.ts';
import { awaitEngine, bearerAuth, bodyCap, ENGINE_HEADER, readImagePart, readMultipart, round } from './common.ts';
import type { RouteDeps } from './deps.ts';

export const FACES_PATH = '/faces';
export const FACES_FIELD = 'image';

export interface FacesBody {
  width: number;
  height: number;
  faces: { box: { x: number; y: number; width: number; height: number }; score: number }[];
  used: number | null;
}

function fieldError(c: Context, status: 400 | 413, message: string) {
  return c.json({ detail: { image: FACES_FIELD }, message }, status);
}

function face(f: FaceBox): FacesBody['faces'][number] {
  const x = Math.round(f.x);
  const y = Math.round(f.y);
  return {
    box: { x, y, width: Math.round(f.x + f.width) - x, height: Math.round(f.y + f.height) - y },
    score: round(f.score, 4),
  };
}

export function facesRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();

  app.post(
    FACES_PATH,
    bearerAuth(config.token),
    bodyCap(config.maxImageBytes, 'image', (message) => ({ detail: { body: 'too_large' }, message })),
    async (c) => {
      const parsed = await readMultipart(c, [FACES_FIELD]);
      if (!parsed.ok) {
        return c.json({ detail: { body: parsed.reason }, message: parsed.message }, parsed.reason === 'not_multipart' ? 415 : 400);
      }
      const part = await readImagePart(parsed.form, FACES_FIELD, config.maxImageBytes);
      if (!part.ok) return fieldError(c, part.status, part.message);

      const ready = await awaitEngine(engine, c.req.raw.signal);
      if (!ready.ok) {
        if (ready.retryAfter) c.header('Retry-After', String(ready.retryAfter));
        return c.json({ message: ready.message }, ready.status);
      }
      c.header(ENGINE_HEADER, engine.info().mode);

      const found = await engine.faces(part.bytes);
      if (found.kind === 'undecodable') return fieldError(c, 400, `${FACES_FIELD} could not be decoded: ${found.message}`);
      if (found.kind === 'unsupported') return c.json({ message: found.message }, 501);
      const body: FacesBody = { width: found.width, height: found.height, faces: found.faces.map(face), used: found.used };
      return c.json(body);
    },
  );

  app.all(FACES_PATH, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return c.json({ message: `Use POST ${FACES_PATH} with one multipart file part named ${FACES_FIELD}.` }, 405);
  });

  return app;
}
