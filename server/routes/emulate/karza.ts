/**
 * Karza Face Similarity emulator: POST /emulate/karza/v3/facesimilarity, JSON {image1B64, image2B64}
 * (base64 or data: URLs), header `x-karza-key`.
 *
 *   200 {requestId, statusCode: "101", result: {matchScore (0–100), match}}
 *   no face in an image: 200 {requestId, statusCode: "102", result: {}, error: "No face detected in image2B64."}
 *   errors: HTTP 4xx/5xx {requestId, statusCode: <http status>, error}; 401 for a missing or wrong key
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { RouteDeps } from '../deps.ts';
import { bodyCap, decodeBase64Image, latency, readJsonObject, safeEqual } from '../common.ts';
import { demoCredentials, emulatedPath, requestId, vendorScore, withEngine } from './shared.ts';

export const KARZA_PATH = '/v3/facesimilarity';
export const KARZA_KEY_HEADER = 'x-karza-key';
const FIELDS = ['image1B64', 'image2B64'] as const;

/** Karza's in-body status: 101 = done, 102 = the inputs could not be processed (here: no face). */
export const KARZA_OK = '101';
export const KARZA_NO_FACE = '102';

function error(c: Context, status: 400 | 401 | 405 | 413 | 500 | 503, message: string) {
  return c.json({ requestId: requestId(), statusCode: status, error: message }, status);
}

export function karzaRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('karza', KARZA_PATH);
  const demo = demoCredentials('karza');

  app.post(
    path,
    async (c, next) => {
      const key = c.req.header(KARZA_KEY_HEADER);
      if (!key) return error(c, 401, `Authorization failure: send your API key in the ${KARZA_KEY_HEADER} header.`);
      if (!safeEqual(key, demo.api_key!)) return error(c, 401, `Authorization failure: the ${KARZA_KEY_HEADER} is not valid.`);
      await next();
    },
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'image', (message) => ({ requestId: requestId(), statusCode: 413, error: message }), 'base64'),
    async (c) => {
      const parsed = await readJsonObject(c);
      if (!parsed.ok) return error(c, 400, parsed.message);
      const images: Uint8Array[] = [];
      for (const field of FIELDS) {
        const check = decodeBase64Image(field, parsed.body[field], config.maxImageBytes);
        if (!check.ok) return error(c, check.status, check.message);
        images.push(check.bytes);
      }
      const call = await withEngine(c, engine, () => engine.match(images[0]!, images[1]!));
      if (!call.ok) return error(c, call.status, call.message);
      const outcome = call.value;
      if (outcome.kind === 'undecodable') return error(c, 400, `${FIELDS[outcome.image]} could not be decoded: ${outcome.message}`);
      if (outcome.kind === 'no_face') {
        return c.json({ requestId: requestId(), statusCode: KARZA_NO_FACE, result: {}, error: `No face detected in ${FIELDS[outcome.image]}.` });
      }
      return c.json({
        requestId: requestId(),
        statusCode: KARZA_OK,
        result: { matchScore: vendorScore(outcome, 50, 100, 2), match: outcome.match },
      });
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return error(c, 405, `Use POST ${path} with a JSON body {"image1B64", "image2B64"}.`);
  });
  return app;
}
