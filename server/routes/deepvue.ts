/**
 * Deepvue contract: POST /v1/authorize (client_id + client_secret → HS256 JWT) and
 * POST /v1/facematch (Bearer JWT + x-api-key, multipart file_a / file_b).
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { jwtVerify, SignJWT } from 'jose';
import { deepvue } from '../../src/core/contracts/contracts.ts';
import type { FaultShape } from '../faults.ts';
import {
  awaitEngine, bodyCap, clamp01, ENGINE_HEADER, latency, readBearer, readImageParts, readMultipart, round, safeEqual,
} from './common.ts';
import type { RouteDeps } from './deps.ts';

const ISSUER = 'facematch-reference-server';
const AUTH_FORM_LIMIT = 64 * 1024;

const shape: FaultShape = {
  error: (detail) => ({ detail }),
  success: () => ({
    code: 200, timestamp: Date.now(), transaction_id: randomUUID(), sub_code: 'SUCCESS',
    message: 'Face match completed.', data: { match: true, confidence: 97.31 },
  }),
};

/** The header that carries the client secret on every face-match call (from the contract). */
function apiKeyHeader(): string {
  const rule = deepvue.headers.find((h) => h.from === 'clientSecret');
  if (!rule) throw new Error('The Deepvue contract has no header for the client secret.');
  return rule.name;
}

export function deepvueRoutes({ config, engine, faults }: RouteDeps): Hono {
  const app = new Hono();
  const te = deepvue.tokenEndpoint;
  if (!te) throw new Error('The Deepvue contract has no token endpoint.');
  const idField = te.fields.clientId ?? 'client_id';
  const secretField = te.fields.clientSecret ?? 'client_secret';
  const keyHeader = apiKeyHeader();
  const signingKey = new TextEncoder().encode(config.deepvue.jwtSecret);

  app.post(
    te.path,
    bodyLimit({ maxSize: AUTH_FORM_LIMIT, onError: (c) => c.json({ detail: 'The authorize request body is too large.' }, 413) }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type)) {
        return c.json({ detail: `Send ${idField} and ${secretField} as form fields (multipart/form-data or application/x-www-form-urlencoded).` }, 422);
      }
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        return c.json({ detail: `The form body could not be read; send ${idField} and ${secretField} as form fields.` }, 422);
      }
      const id = form.get(idField);
      const secret = form.get(secretField);
      const missing = [[idField, id], [secretField, secret]]
        .filter(([, v]) => typeof v !== 'string' || v === '')
        .map(([name]) => name as string);
      if (missing.length) return c.json({ detail: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required.` }, 422);
      if (!safeEqual(id as string, config.deepvue.clientId) || !safeEqual(secret as string, config.deepvue.clientSecret)) {
        return c.json({ detail: 'Invalid client_id or client_secret, access Denied' }, 401);
      }
      const now = Math.floor(Date.now() / 1000);
      const exp = now + Math.max(1, Math.floor(config.deepvue.tokenTtlSeconds));
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(config.deepvue.clientId)
        .setIssuer(ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(signingKey);
      return c.json({ access_token: token, token_type: 'bearer', expiry: new Date(exp * 1000).toISOString() });
    },
  );

  app.post(
    deepvue.path,
    async (c, next) => {
      const bearer = readBearer(c);
      if (bearer.kind === 'missing') return c.json({ detail: 'Not authenticated' }, 401, { 'WWW-Authenticate': 'Bearer' });
      if (bearer.kind === 'malformed') return c.json({ detail: 'Could not validate credentials' }, 401, { 'WWW-Authenticate': 'Bearer' });
      try {
        // Every token we issue expires; one without `exp` is not ours.
        await jwtVerify(bearer.token, signingKey, { algorithms: ['HS256'], issuer: ISSUER, subject: config.deepvue.clientId, requiredClaims: ['exp'] });
      } catch {
        return c.json({ detail: 'Could not validate credentials' }, 401, { 'WWW-Authenticate': 'Bearer' });
      }
      const key = c.req.header(keyHeader);
      if (!key) return c.json({ detail: `Missing API key: send the client secret in the ${keyHeader} header.` }, 401);
      if (!safeEqual(key, config.deepvue.clientSecret)) return c.json({ detail: 'Invalid API key' }, 401);
      await next();
    },
    latency(config.latencyMs),
    bodyCap(config.maxImageBytes, 'file', (detail) => ({ detail })),
    async (c) => {
      const parsed = await readMultipart(c, deepvue.imageFields);
      if (!parsed.ok) return c.json({ detail: parsed.message }, 422);
      const fault = await faults.apply(c, shape);
      if (fault) return fault;

      const parts = await readImageParts(parsed.form, deepvue.imageFields, config.maxImageBytes);
      if (!parts.ok) return c.json({ detail: parts.message }, parts.status === 413 ? 413 : 422);
      const { images } = parts;

      const ready = await awaitEngine(engine, c.req.raw.signal);
      if (!ready.ok) {
        if (ready.retryAfter) c.header('Retry-After', String(ready.retryAfter));
        return c.json({ detail: ready.status === 503 ? 'Source Unavailable: the face engine is still loading; retry in a few seconds.' : ready.message }, ready.status);
      }
      c.header(ENGINE_HEADER, engine.info().mode);

      const outcome = await engine.match(images[0]!, images[1]!);
      if (outcome.kind === 'no_face') return noFace(c, deepvue.imageFields[outcome.image]);
      if (outcome.kind === 'undecodable') {
        const field = deepvue.imageFields[outcome.image];
        return c.json({ detail: `${field} could not be decoded: ${outcome.message}` }, 422);
      }
      return c.json({
        code: 200,
        timestamp: Date.now(),
        transaction_id: randomUUID(),
        sub_code: 'SUCCESS',
        message: 'Face match completed.',
        data: { match: outcome.match, confidence: round(clamp01(outcome.confidence) * 100, 2) },
      });
    },
  );

  for (const path of [te.path, deepvue.path]) {
    app.all(path, (c) => {
      c.header('Allow', 'POST, OPTIONS');
      return c.json({ detail: 'Method Not Allowed' }, 405);
    });
  }

  return app;
}

function noFace(c: Context, field: string) {
  return c.json({ detail: `No face found in ${field}` }, 422);
}
