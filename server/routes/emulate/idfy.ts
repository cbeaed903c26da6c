/**
 * IDfy face compare emulator: POST /emulate/idfy/v3/tasks/sync/compare/face, JSON
 * {task_id, group_id, data: {document1, document2}} (base64 or data: URLs), headers `account-id`, `api-key`.
 *
 *   200 {action: "compare", type: "face", status: "completed", task_id, group_id, request_id, created_at,
 *        completed_at, result: {is_a_match, match_score (0–100), review_needed}}
 *   no face in an image: 422, the same envelope with status "failed", error "NO_FACE_DETECTED" and a message
 *   other errors: {error: CODE, message, request_id}; 401 UNAUTHORIZED for a missing or wrong account-id / api-key
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { RouteDeps } from '../deps.ts';
import { bodyCap, decodeBase64Image, latency, readJsonObject, safeEqual } from '../common.ts';
import { demoCredentials, emulatedPath, requestId, vendorScore, withEngine } from './shared.ts';

export const IDFY_PATH = '/v3/tasks/sync/compare/face';
export const IDFY_HEADERS = { accountId: 'account-id', apiKey: 'api-key' } as const;
const FIELDS = ['document1', 'document2'] as const;

type Status = 400 | 401 | 405 | 413 | 422 | 500 | 503;
const CODES: Record<Status, string> = {
  400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 405: 'METHOD_NOT_ALLOWED', 413: 'PAYLOAD_TOO_LARGE', 422: 'UNPROCESSABLE_ENTITY', 500: 'INTERNAL_SERVER_ERROR', 503: 'SERVICE_UNAVAILABLE',
};

function error(c: Context, status: Status, message: string) {
  return c.json({ error: CODES[status], message, request_id: requestId() }, status);
}

export function idfyRoutes({ config, engine }: RouteDeps): Hono {
  const app = new Hono();
  const path = emulatedPath('idfy', IDFY_PATH);
  const demo = demoCredentials('idfy');

  app.post(
    path,
    async (c, next) => {
      const account = c.req.header(IDFY_HEADERS.accountId);
      const key = c.req.header(IDFY_HEADERS.apiKey);
      if (!account || !key) return error(c, 401, `Send your credentials in the ${IDFY_HEADERS.accountId} and ${IDFY_HEADERS.apiKey} headers.`);
      if (!safeEqual(account, demo.account_id!) || !safeEqual(key, demo.api_key!)) return error(c, 401, `The ${IDFY_HEADERS.accountId} or ${IDFY_HEADERS.apiKey} is not valid.`);
      await next();
    },
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'document', (message) => ({ error: CODES[413], message, request_id: requestId() }), 'base64'),
    async (c) => {
      const createdAt = new Date().toISOString();
      const parsed = await readJsonObject(c);
      if (!parsed.ok) return error(c, 400, parsed.message);
      const { task_id: taskId, group_id: groupId, data } = parsed.body;
      if (typeof taskId !== 'string' || taskId === '') return error(c, 400, 'task_id is required: send a string that identifies this task.');
      if (typeof groupId !== 'string' || groupId === '') return error(c, 400, 'group_id is required: send a string that groups related tasks.');
      if (data === null || typeof data !== 'object' || Array.isArray(data)) return error(c, 400, 'data is required: send {"document1": …, "document2": …}.');
      const images: Uint8Array[] = [];
      for (const field of FIELDS) {
        const check = decodeBase64Image(`data.${field}`, (data as Record<string, unknown>)[field], config.maxImageBytes);
        if (!check.ok) return error(c, check.status, check.message);
        images.push(check.bytes);
      }
      const call = await withEngine(c, engine, () => engine.match(images[0]!, images[1]!));
      if (!call.ok) return error(c, call.status, call.message);
      const outcome = call.value;
      if (outcome.kind === 'undecodable') return error(c, 400, `data.${FIELDS[outcome.image]} could not be decoded: ${outcome.message}`);
      const envelope = {
        action: 'compare', type: 'face', task_id: taskId, group_id: groupId, request_id: requestId(),
        created_at: createdAt, completed_at: new Date().toISOString(),
      };
      if (outcome.kind === 'no_face') {
        return c.json({ ...envelope, status: 'failed', error: 'NO_FACE_DETECTED', message: `No face detected in data.${FIELDS[outcome.image]}.`, result: null }, 422);
      }
      return c.json({
        ...envelope,
        status: 'completed',
        result: { is_a_match: outcome.match, match_score: vendorScore(outcome, 50, 100, 2), review_needed: false },
      });
    },
  );

  app.all(path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return error(c, 405, `Use POST ${path} with a JSON body {"task_id", "group_id", "data": {"document1", "document2"}}.`);
  });
  return app;
}
