/** App module: health, static app + CSP, CORS, upstream proxy, start/close and configuration. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { createServerApp, isApiPath } from './app.ts';
import { banner, resolveConfig, startServer, type RunningServer } from './main.ts';
import { upstreamTarget, parseUpstream } from './routes/upstream.ts';
import { face, fakeEngine, form, testConfig } from './testkit.ts';

vi.mock('./engine/index.ts', () => ({ createEngine: () => { throw new Error('app tests inject their engine'); } }));

const pkgVersion = (await import('../package.json', { with: { type: 'json' } })).default.version;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

let distDir: string;
beforeAll(() => {
  distDir = mkdtempSync(path.join(os.tmpdir(), 'fm-dist-'));
  mkdirSync(path.join(distDir, 'assets'));
  writeFileSync(path.join(distDir, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>');
  writeFileSync(path.join(distDir, 'assets', 'app-abc123.js'), 'console.log("app");');
  writeFileSync(path.join(distDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterAll(() => rmSync(distDir, { recursive: true, force: true }));

function app(overrides: Parameters<typeof testConfig>[0] = {}, engine = fakeEngine()) {
  const s = createServerApp(testConfig(overrides), { engine });
  cleanups.push(s.close);
  return s.app;
}

describe('isApiPath', () => {
  it('is true for the API and false for the app', () => {
    for (const p of ['/facematch', '/facematch?x=1', '/v1/facematch', '/v1/authorize', '/health', '/upstream/facematch', '/upstream']) expect(isApiPath(p)).toBe(true);
    for (const p of ['/', '/index.html', '/assets/app.js', '/bulk', '/facematchx', '/healthz', '/upstreamx', '/src/main.tsx']) expect(isApiPath(p)).toBe(false);
  });
});

describe('GET /health', () => {
  it('reports status, the engine, the package version and the upstream', async () => {
    const res = await app({ upstream: 'https://api.vendor.example/ml' }).request('/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      engine: { state: 'ready', mode: 'real', model: 'fake', version: '0', threshold: 0.6, workers: 1 },
      version: pkgVersion,
      upstream: 'https://api.vendor.example',
    });
    const none = await (await app().request('/health')).json() as { upstream: unknown };
    expect(none.upstream).toBeNull();
  });

  it('answers at once while a match is in flight and while the engine loads', async () => {
    const engine = fakeEngine({ hold: true });
    const a = app({}, engine);
    const [f1, f2] = kwikid.imageFields;
    const img = face('obama-4-240p.jpg');
    const inFlight = a.request(kwikid.path, { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: form({ [f1]: img, [f2]: img }) });
    await vi.waitFor(() => expect(engine.calls).toBe(1));
    // The engine is held until released: /health answering at all proves it does not wait for it.
    const res = await a.request('/health');
    expect(res.status).toBe(200);
    engine.release();
    expect((await inFlight).status).toBe(200);

    const loading = await (await app({}, fakeEngine({ state: 'loading' })).request('/health')).json() as { engine: { state: string } };
    expect(loading.engine.state).toBe('loading');
  });
});

describe('the built app at /', () => {
  it('serves index.html with the CSP and security headers', async () => {
    const res = await app({ staticDir: distDir }).request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('<div id="root">');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).toMatch(/img-src 'self' data: blob:/);
    expect(csp).toMatch(/connect-src 'self' http: https:/);
    for (const d of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('falls back to index.html for app routes, serves assets, 404s missing assets and refuses traversal', async () => {
    const a = app({ staticDir: distDir });
    const spa = await a.request('/bulk/run');
    expect(spa.status).toBe(200);
    expect(await spa.text()).toContain('<div id="root">');
    const js = await a.request('/assets/app-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await a.request('/assets/missing.js')).status).toBe(404);
    const trav = await a.request('/..%2f..%2fetc%2fpasswd');
    expect(await trav.text()).not.toMatch(/root:/);
    // API paths are never answered by the app.
    expect((await a.request('/v1/nothing')).headers.get('content-type')).toMatch(/json/);
  });

  it('says to run npm run build when dist/ is missing', async () => {
    const res = await app({ staticDir: path.join(distDir, 'nope') }).request('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('run npm run build first');
  });
});

describe('CORS', () => {
  it('lets other origins call the API with the contract headers', async () => {
    const a = app();
    const pre = await a.request(kwikid.path, {
      method: 'OPTIONS',
      headers: { Origin: 'http://elsewhere.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, x-api-key' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['authorization', 'x-api-key', 'content-type']) expect(allowed).toContain(h);
    const res = await a.request('/health', { headers: { Origin: 'http://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((res.headers.get('access-control-expose-headers') ?? '').toLowerCase()).toContain('x-facematch-engine');
  });
});

describe('upstream proxy', () => {
  let vendor: Server;
  let vendorUrl: string;
  let seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  beforeAll(async () => {
    vendor = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json', 'set-cookie': 'vendor=1', connection: 'keep-alive', 'x-vendor': 'yes' });
        res.end(JSON.stringify({ echoed: req.url }));
      });
    });
    await new Promise<void>((r) => vendor.listen(0, '127.0.0.1', r));
    vendorUrl = `http://127.0.0.1:${(vendor.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => vendor.close(() => r())));

  async function proxyServer(): Promise<RunningServer> {
    const s = await startServer({ port: 0, upstream: vendorUrl, staticDir: '/nonexistent' }, { engine: fakeEngine() });
    cleanups.push(s.close);
    return s;
  }

  it('forwards method, path, query, auth headers and body to the configured origin only', async () => {
    seen = [];
    const s = await proxyServer();
    const fd = form({ image1: face('obama-4-240p.jpg'), image2: 'x' });
    const res = await fetch(`${s.url}/upstream/facematch?trace=1`, {
      method: 'POST', body: fd, headers: { Authorization: 'Bearer vendor-token', 'x-api-key': 'k', Cookie: 'mine=1', Origin: 'http://localhost:5173' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echoed: '/facematch?trace=1' });
    expect(res.headers.get('x-vendor')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(seen).toHaveLength(1);
    const got = seen[0]!;
    expect(got.method).toBe('POST');
    expect(got.headers.authorization).toBe('Bearer vendor-token');
    expect(got.headers['x-api-key']).toBe('k');
    expect(got.headers.cookie).toBeUndefined();
    expect(got.headers.origin).toBeUndefined();
    expect(got.headers.host).toBe(new URL(vendorUrl).host);
    expect(got.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(got.body).toContain('name="image1"');
    const missing = await fetch(`${s.url}/upstream/missing`);
    expect(missing.status).toBe(404);
  });

  it('refuses anything that would change the host', async () => {
    const base = parseUpstream('https://api.vendor.example');
    expect(upstreamTarget(base, '/v1/facematch', '?a=1')?.href).toBe('https://api.vendor.example/v1/facematch?a=1');
    expect(upstreamTarget(base, '//evil.example/x', '')?.host).toBe('api.vendor.example');
    expect(upstreamTarget(base, '@evil.example/x', '')).toBeNull();
    expect(upstreamTarget(base, '.evil.example/x', '')).toBeNull();
    expect(upstreamTarget(base, ':8443/x', '')).toBeNull();
    const prefixed = parseUpstream('https://api.vendor.example/ml/');
    expect(upstreamTarget(prefixed, '/facematch', '')?.href).toBe('https://api.vendor.example/ml/facematch');
    expect(upstreamTarget(prefixed, '/../admin', '')).toBeNull();
    expect(() => parseUpstream('ftp://x')).toThrow(/http: or https:/);

    seen = [];
    const s = await proxyServer();
    const res = await fetch(`${s.url}/upstream@127.0.0.2/x`);
    expect(res.ok).toBe(false); // not an upstream path at all: nothing is forwarded
    expect(seen).toHaveLength(0);
    // A raw request path (no client-side normalisation) that tries to smuggle another host.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: '/upstream//evil.example/x', method: 'GET' }, (r) => { r.resume(); resolve(r.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(seen.at(-1)?.url).toBe('//evil.example/x');
    expect(seen.at(-1)?.headers.host).toBe(new URL(vendorUrl).host);
  });

  it('404 with a hint when no upstream is configured; 502 when the upstream is down', async () => {
    const res = await app().request('/upstream/facematch', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toMatch(/FACEMATCH_UPSTREAM/);
    const down = app({ upstream: 'http://127.0.0.1:1' });
    const bad = await down.request('/upstream/facematch');
    expect(bad.status).toBe(502);
    expect(((await bad.json()) as { message: string }).message).toMatch(/could not be reached/);
  });
});

describe('startServer', () => {
  it('listens on a random port, answers, and frees the port on close', async () => {
    const s = await startServer({ port: 0, staticDir: distDir }, { engine: fakeEngine() });
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    const res = await fetch(`${s.url}/`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    await s.close();
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it('does not read process.env once overrides are given', () => {
    vi.stubEnv('FACEMATCH_TOKEN', 'from-env');
    vi.stubEnv('FACEMATCH_ENGINE', 'instant');
    try {
      expect(resolveConfig({ port: 0 }).token).toBe('demo-token');
      expect(resolveConfig({ port: 0 }).engine).toBe('real');
      expect(resolveConfig().token).toBe('from-env');
      expect(resolveConfig({ deepvue: { tokenTtlSeconds: 5 } }).deepvue).toMatchObject({ clientId: 'demo-client', tokenTtlSeconds: 5 });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('the banner prints the public demo defaults but never a value the user set', () => {
    const base = { url: 'http://127.0.0.1:8080', port: 8080, engine: fakeEngine(), close: async () => {} };
    const demo = banner({ ...base, config: resolveConfig({ staticDir: '/nonexistent' }) }).join('\n');
    expect(demo).toContain('Bearer demo-token');
    expect(demo).toContain('client_secret=demo-secret');
    expect(demo).toContain('run npm run build first');
    const own = banner({ ...base, config: resolveConfig({ token: 's3cret-token', deepvue: { clientSecret: 'hidden-secret' } }) }).join('\n');
    expect(own).not.toContain('s3cret-token');
    expect(own).not.toContain('hidden-secret');
    expect(own).toContain('set from FACEMATCH_TOKEN');
  });
});
