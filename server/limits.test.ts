/** Body limits on a real socket, and the engine-loading 503. */
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { startServer, type RunningServer } from './main.ts';
import { awaitEngine, bodyLimitFor } from './routes/common.ts';
import { fakeEngine } from './testkit.ts';

vi.mock('./engine/index.ts', () => ({ createEngine: () => { throw new Error('limit tests inject their engine'); } }));

const servers: RunningServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

const MAX = 64 * 1024;

async function start() {
  const s = await startServer({ port: 0, token: 'tok', maxImageBytes: MAX, staticDir: '/nonexistent' }, { engine: fakeEngine() });
  servers.push(s);
  return s;
}

/** Streams `total` bytes of a fake multipart body (chunked unless a length is declared) and reports what came back and how much was written by then. */
function upload(s: RunningServer, total: number, declaredLength?: number): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const headers: Record<string, string> = { Authorization: 'Bearer tok', 'Content-Type': 'multipart/form-data; boundary=xyz' };
    if (declaredLength !== undefined) headers['Content-Length'] = String(declaredLength);
    const req = request({ host: '127.0.0.1', port: s.port, path: kwikid.path, method: 'POST', headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, written }); req.destroy(); });
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) { req.once('drain', pump); return; }
      }
      if (!answered && written >= total) req.end();
    };
    pump();
  });
}

describe('whole-body limit', () => {
  it('refuses a declared oversize body at once, from its Content-Length', async () => {
    const s = await start();
    const res = await upload(s, 16 * 1024, 500 * 1024 * 1024);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).message).toMatch(/request body is larger than/);
    expect(res.written).toBeLessThan(1024 * 1024);
  });

  it('stops a chunked upload once it passes the limit, without taking the whole of it', async () => {
    const s = await start();
    const limit = bodyLimitFor(MAX);
    const res = await upload(s, 64 * 1024 * 1024);
    expect(res.status).toBe(413);
    // Sent bytes are bounded by the limit plus socket buffers — far from the 64 MB offered.
    expect(res.written).toBeLessThan(limit + 8 * 1024 * 1024);
  });
});

describe('engine still loading', () => {
  it('waits a bounded time, then answers 503 with Retry-After', async () => {
    const engine = fakeEngine({ state: 'loading' });
    const t0 = performance.now();
    const r = await awaitEngine(engine, new AbortController().signal, 150);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(r).toEqual({ ok: false, status: 503, message: 'The face engine is still loading; retry in a few seconds.', retryAfter: 5 });
    engine.finishLoading();
    expect(await awaitEngine(engine, new AbortController().signal, 150)).toEqual({ ok: true });
  });
});
