/** Deepvue route logic (/v1/authorize, /v1/facematch) against a controllable engine. */
import { decodeJwt, SignJWT } from 'jose';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deepvue } from '../../src/core/contracts/contracts.ts';
import { fetchToken } from '../../src/core/request/request.ts';
import { createServerApp } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import { face, fakeEngine, form, testConfig, type FakeEngine } from '../testkit.ts';

vi.mock('../engine/index.ts', () => ({ createEngine: () => { throw new Error('route tests inject their engine'); } }));

const [FA, FB] = deepvue.imageFields;
const TOKEN_PATH = deepvue.tokenEndpoint!.path;
const FIELDS = deepvue.tokenEndpoint!.fields;
const obama = face('obama-1.jpg');
const biden = face('biden-1.jpg');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => { await Promise.all(closers.splice(0).map((c) => c())); });

function setup(engine: FakeEngine = fakeEngine(), config: Partial<ServerConfig> = {}) {
  const cfg = testConfig(config);
  const s = createServerApp(cfg, { engine });
  closers.push(s.close);
  return { ...s, engine, cfg };
}
type App = ReturnType<typeof setup>['app'];

async function authorize(app: App, id = 'dv-client', secret = 'dv-secret'): Promise<Response> {
  const body = new URLSearchParams({ [FIELDS.clientId!]: id, [FIELDS.clientSecret!]: secret });
  return app.request(TOKEN_PATH, { method: 'POST', body });
}

async function token(app: App): Promise<string> {
  const res = await authorize(app);
  return ((await res.json()) as { access_token: string }).access_token;
}

function match(app: App, body: BodyInit, headers: Record<string, string>) {
  return app.request(deepvue.path, { method: 'POST', body, headers });
}

describe('POST /v1/authorize', () => {
  it('issues an HS256 JWT with bearer type and an ISO expiry after the configured TTL (url-encoded)', async () => {
    const { app } = setup(undefined, { deepvue: { ...testConfig().deepvue, tokenTtlSeconds: 600 } });
    const before = Date.now();
    const res = await authorize(app);
    expect(res.status).toBe(200);
    const body = await res.json() as { access_token: string; token_type: string; expiry: string };
    expect(body.token_type).toBe('bearer');
    const claims = decodeJwt(body.access_token);
    expect(JSON.parse(Buffer.from(body.access_token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    expect(claims.sub).toBe('dv-client');
    const expiry = Date.parse(body.expiry);
    expect(expiry).toBe(claims.exp! * 1000);
    expect(expiry - before).toBeGreaterThan(595_000);
    expect(expiry - before).toBeLessThan(605_000);
  });

  it('accepts multipart too, and the browser token client reads it', async () => {
    const { app } = setup();
    const fd = new FormData();
    fd.append(FIELDS.clientId!, 'dv-client');
    fd.append(FIELDS.clientSecret!, 'dv-secret');
    const res = await app.request(TOKEN_PATH, { method: 'POST', body: fd });
    expect(res.status).toBe(200);
    const got = await fetchToken(deepvue, 'http://127.0.0.1:8080', { clientId: 'dv-client', clientSecret: 'dv-secret' }, undefined, {
      fetch: async (input, init) => app.request(String(input), init),
    });
    expect(got.ok).toBe(true);
    expect(got.token?.split('.')).toHaveLength(3);
  });

  it('401 with the Deepvue message for wrong credentials, 422 when a field is missing', async () => {
    const { app } = setup();
    for (const [id, secret] of [['dv-client', 'wrong'], ['other', 'dv-secret']] as const) {
      const res = await authorize(app, id, secret);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: 'Invalid client_id or client_secret, access Denied' });
    }
    const missing = await app.request(TOKEN_PATH, { method: 'POST', body: new URLSearchParams({ client_id: 'dv-client' }) });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/client_secret is required/);
  });
});

describe('POST /v1/facematch', () => {
  it('200 with the Deepvue body: code, timestamp, uuid, SUCCESS, match and a 0–100 confidence', async () => {
    const { app } = setup();
    const jwt = await token(app);
    const res = await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' });
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ code: 200, sub_code: 'SUCCESS', message: 'Face match completed.', data: { match: true, confidence: 98.77 } });
    expect(body.transaction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs((body.timestamp as number) - Date.now())).toBeLessThan(5000);
    const diff = await match(app, form({ [FA]: obama, [FB]: biden }), { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' });
    expect(((await diff.json()) as { data: unknown }).data).toEqual({ match: false, confidence: 12.35 });
  });

  it('401 "Not authenticated" without a token, "Could not validate credentials" for a forged or expired one', async () => {
    const { app, cfg } = setup();
    const noToken = await match(app, form({ [FA]: obama, [FB]: obama }), { 'x-api-key': 'dv-secret' });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ detail: 'Not authenticated' });

    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dv-client').setIssuer('facematch-reference-server')
      .setExpirationTime('1h').sign(new TextEncoder().encode('some-other-key'));
    const expired = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dv-client').setIssuer('facematch-reference-server')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(cfg.deepvue.jwtSecret));
    for (const t of [forged, expired, 'not-a-jwt']) {
      const res = await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${t}`, 'x-api-key': 'dv-secret' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ detail: 'Could not validate credentials' });
    }
  });

  it('401 in the documented shape for a correctly signed token without exp: every token we issue expires', async () => {
    const { app, cfg } = setup();
    const key = new TextEncoder().encode(cfg.deepvue.jwtSecret);
    const claims = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('dv-client').setIssuer('facematch-reference-server').setIssuedAt();
    const forever = await claims().sign(key);
    const res = await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${forever}`, 'x-api-key': 'dv-secret' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toEqual({ detail: 'Could not validate credentials' });
    // The same token with an expiry is accepted: only the missing exp was refused.
    const dated = await claims().setExpirationTime('1h').sign(key);
    expect((await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${dated}`, 'x-api-key': 'dv-secret' })).status).toBe(200);
  });

  it('a token issued with a 1 s lifetime stops working once it expires', async () => {
    // The clock is moved by hand (only Date is faked), so a slow machine cannot expire the token early.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { app } = setup(undefined, { deepvue: { ...testConfig().deepvue, tokenTtlSeconds: 1 } });
      vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000);
      const jwt = await token(app);
      const headers = { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' };
      expect((await match(app, form({ [FA]: obama, [FB]: obama }), headers)).status).toBe(200);
      vi.setSystemTime(Date.now() + 2100);
      const late = await match(app, form({ [FA]: obama, [FB]: obama }), headers);
      expect(late.status).toBe(401);
      expect(await late.json()).toEqual({ detail: 'Could not validate credentials' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('401 for a wrong or missing x-api-key', async () => {
    const { app, engine } = setup();
    const jwt = await token(app);
    const wrong = await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${jwt}`, 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Invalid API key' });
    const missing = await match(app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${jwt}` });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/x-api-key/);
    expect(engine.calls).toBe(0);
  });

  it('422 naming the field for a missing file, a WebP, an empty file and a no-face outcome', async () => {
    const { app } = setup();
    const jwt = await token(app);
    const h = { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' };
    const missing = await match(app, form({ [FA]: obama }), h);
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/^file_b is missing/);

    const webp = new Uint8Array(await sharp(Buffer.from(obama)).resize(64).webp().toBuffer());
    const wp = await match(app, form({ [FA]: { bytes: webp, name: 'a.jpg' }, [FB]: obama }), h);
    expect(wp.status).toBe(422);
    expect(await wp.json()).toEqual({ detail: 'file_a is a WebP image; only JPEG and PNG are accepted.' });

    const empty = await match(app, form({ [FA]: obama, [FB]: new Uint8Array(0) }), h);
    expect(empty.status).toBe(422);
    expect(await empty.json()).toEqual({ detail: 'file_b is an empty file.' });

    const s2 = setup(fakeEngine({ decide: () => ({ kind: 'no_face', image: 0 }) }));
    const jwt2 = await token(s2.app);
    const noFace = await match(s2.app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${jwt2}`, 'x-api-key': 'dv-secret' });
    expect(noFace.status).toBe(422);
    expect(await noFace.json()).toEqual({ detail: 'No face found in file_a' });
  });

  it('a JWT from one server is refused by another with a different signing key', async () => {
    const a = setup();
    const b = setup(undefined, { deepvue: { ...testConfig().deepvue, jwtSecret: 'another-key-entirely-0123456789' } });
    const jwt = await token(a.app);
    const res = await match(b.app, form({ [FA]: obama, [FB]: obama }), { Authorization: `Bearer ${jwt}`, 'x-api-key': 'dv-secret' });
    expect(res.status).toBe(401);
  });
});
