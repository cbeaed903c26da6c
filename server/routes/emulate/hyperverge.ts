/**
 * HyperVerge Face Match emulator: POST /emulate/hyperverge/v1/matchFace, multipart `selfie` and `id`,
 * headers `appId`, `appKey` and `transactionId` (all required).
 *
 *   200 {status: "success", statusCode: 200, metadata: {requestId, transactionId},
 *        result: {details: {match: {value: "yes"|"no", confidence: "high"|"low"}}, summary: {action, details: []}}}
 *   errors: {status: "failure", statusCode, error, requestId, transactionId}; 401 "Missing/Invalid credentials";
 *   no face in an image: 422 "Face not detected in <selfie|id> image"
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { Compared } from './shared.ts';
import type { RouteDeps } from '../deps.ts';
import { bodyCap, latency, readImageParts, readMultipart, safeEqual } from '../common.ts';
import { demoCredentials, emulatedPath, requestId, withEngine } from './shared.ts';

export const HYPERVERGE_PATH = '/v1/matchFace';
export const HYPERVERGE_FIELDS = ['selfie', 'id'] as const;
export const HYPERVERGE_HEADERS = { appId: 'appId', appKey: 'appKey', transactionId: 'transactionId' } as const;

/** A verdict is "high" confidence when the engine's confidence in it is at least this (0.75 ↔ 0.25 for a non-match). */
const HIGH_CONFIDENCE = 0.75;

type Status = 400 | 401 | 405 | 413 | 422 | 500 | 503;

function failure(c: Context, status: Status, message: string) {
  const transactionId = c.req.header(HYPERVERGE_HEADERS.transactionId) || null;
  return c.json({ status: 'failure', statusCode: status, error: message, requestId: requestId(), transactionId }, status);
}

/** HyperVerge's confidence in its yes/no: high when the engine is far from its decision boundary. */
export function hypervergeConfidence(outcome: Compared): 'high' | 'low' {
  const sure = outcome.match ? outcome.confidence : 1 - outcome.confidence;
  return sure >= HIGH_CONFIDENCE ? 'high' : 'low';
}

export function hypervergeRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('hyperverge', HYPERVERGE_PATH);
  const demo = demoCredentials('hyperverge');

  app.post(
    path,
    async (c, next) => {
      const appId = c.req.header(HYPERVERGE_HEADERS.appId);
      const appKey = c.req.header(HYPERVERGE_HEADERS.appKey);
      if (!appId || !appKey || !safeEqual(appId, demo.app_id!) || !safeEqual(appKey, demo.app_key!)) {
        return failure(c, 401, 'Missing/Invalid credentials');
      }
      if (!c.req.header(HYPERVERGE_HEADERS.transactionId)?.trim()) return failure(c, 400, '"transactionId" is required');
      await next();
    },
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'image', (message) => ({ status: 'failure', statusCode: 413, error: message, requestId: requestId() })),
    async (c) => {
      const parsed = await readMultipart(c, HYPERVERGE_FIELDS);
      if (!parsed.ok) return failure(c, 400, parsed.message);
      const parts = await readImageParts(parsed.form, HYPERVERGE_FIELDS, config.maxImageBytes);
      if (!parts.ok) return failure(c, parts.status, parts.message);
      const [selfie, id] = parts.images;
      const call = await withEngine(c, engine, () => engine.match(selfie, id));
      if (!call.ok) return failure(c, call.status, call.message);
      const outcome = call.value;
      if (outcome.kind === 'undecodable') return failure(c, 400, `${HYPERVERGE_FIELDS[outcome.image]} could not be decoded: ${outcome.message}`);
      if (outcome.kind === 'no_face') return failure(c, 422, `Face not detected in ${HYPERVERGE_FIELDS[outcome.image]} image`);
      return c.json({
        status: 'success',
        statusCode: 200,
        metadata: { requestId: requestId(), transactionId: c.req.header(HYPERVERGE_HEADERS.transactionId) },
        result: {
          details: { match: { value: outcome.match ? 'yes' : 'no', confidence: hypervergeConfidence(outcome) } },
          summary: { action: outcome.match ? 'pass' : 'fail', details: [] },
        },
      });
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return failure(c, 405, `Use POST ${path} with multipart parts selfie and id.`);
  });
  return app;
}
