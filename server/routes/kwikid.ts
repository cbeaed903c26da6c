/** KwikID contract: POST /facematch, Bearer token, multipart image1 / image2, optional unique_id. */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { kwikid } from '../../src/core/contracts/contracts.ts';
import type { FaultShape } from '../faults.ts';
import {
  awaitEngine, bearerAuth, bodyCap, clamp01, ENGINE_HEADER, latency, readImageParts, readMultipart, round,
} from './common.ts';
import type { RouteDeps } from './deps.ts';

const CREDITS_PER_CALL = 1;

const shape: FaultShape = {
  error: (message) => ({ message }),
  success: () => ({ confidence_score: 0.9731, facematch_result: 'True', credits_consumed: CREDITS_PER_CALL }),
};

function fieldError(c: Context, status: 400 | 413 | 422, field: string, message: string) {
  return c.json({ detail: { image: field }, message }, status);
}

export function kwikidRoutes({ config, engine, faults }: RouteDeps): Hono {
  const app = new Hono();
  const [field1, field2] = kwikid.imageFields;

  app.post(
    kwikid.path,
    // 1. Auth first: nothing of the body is read for an unauthenticated caller.
    bearerAuth(config.token),
    // 2. Configured latency on every authenticated answer.
    latency(config.latencyMs),
    // 3. Whole-body cap, enforced while streaming.
    bodyCap(config.maxImageBytes, 'image', (message) => ({ detail: { body: 'too_large' }, message })),
    async (c) => {
      const parsed = await readMultipart(c, kwikid.imageFields);
      if (!parsed.ok) {
        return c.json({ detail: { body: parsed.reason }, message: parsed.message }, parsed.reason === 'not_multipart' ? 415 : 400);
      }
      const fault = await faults.apply(c, shape);
      if (fault) return fault;

      const form = parsed.form;
      const uniqueIdRaw = kwikid.uniqueIdField ? form.get(kwikid.uniqueIdField) : null;
      const uniqueId = typeof uniqueIdRaw === 'string' && uniqueIdRaw.trim() !== '' ? uniqueIdRaw : undefined;

      const parts = await readImageParts(form, kwikid.imageFields, config.maxImageBytes);
      if (!parts.ok) return fieldError(c, parts.status, parts.field, parts.message);
      const { images } = parts;

      const ready = await awaitEngine(engine, c.req.raw.signal);
      if (!ready.ok) {
        if (ready.retryAfter) c.header('Retry-After', String(ready.retryAfter));
        return c.json({ message: ready.message }, ready.status);
      }
      c.header(ENGINE_HEADER, engine.info().mode);

      const outcome = await engine.match(images[0]!, images[1]!);
      if (outcome.kind === 'no_face') {
        const field = kwikid.imageFields[outcome.image];
        return fieldError(c, 422, field, `No face found in ${field}`);
      }
      if (outcome.kind === 'undecodable') {
        const field = kwikid.imageFields[outcome.image];
        return fieldError(c, 400, field, `${field} could not be decoded: ${outcome.message}`);
      }
      return c.json({
        confidence_score: round(clamp01(outcome.confidence), 4),
        facematch_result: outcome.match ? 'True' : 'False',
        credits_consumed: CREDITS_PER_CALL,
        ...(uniqueId !== undefined ? { unique_id: uniqueId } : {}),
      });
    },
  );

  app.all(kwikid.path, (c) => {
    c.header('Allow', 'POST, OPTIONS');
    return c.json({ message: `Use POST ${kwikid.path} with multipart parts ${field1} and ${field2}.` }, 405);
  });

  return app;
}
