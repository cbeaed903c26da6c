/**
 * Bounded loopback load: 4 concurrent clients × 200 KwikID requests against a real socket and the
 * instant engine, with /health polled throughout. No request may fail; /health must keep
 * answering fast; RSS growth must stay under RSS_BOUND_MB; the whole run under TIME_BOUND_MS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { createNodeHandler } from './app.ts';
import { startServer, type RunningServer } from './main.ts';
import { face, form, testConfig } from './testkit.ts';

const CLIENTS = 4;
const REQUESTS_PER_CLIENT = 200;
/** Growth after a concurrent warm-up (allocator high-water mark is reached there; measured: 5–40 MB). */
const RSS_BOUND_MB = 150;
/** Generous on purpose: 2 shared cores (measured: 6 s idle, 14–18 s with other suites running). */
const TIME_BOUND_MS = 120_000;
/** Slowest /health answer allowed during the run (measured max: 0.2–0.6 s under contention). */
const HEALTH_BOUND_MS = 2_000;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ port: 0, engine: 'instant', token: 'load-token', staticDir: '/nonexistent' });
  await server.engine.ready();
});
afterAll(async () => { await server?.close(); });

describe('load', () => {
  it(`${CLIENTS} clients × ${REQUESTS_PER_CLIENT} requests: no failure, /health throughout, bounded RSS and time`, async () => {
    const [f1, f2] = kwikid.imageFields;
    const a = face('obama-2.jpg');
    const b = face('kit-harington-1.jpeg');
    const url = `${server.url}${kwikid.path}`;
    // Concurrent warm-up, so lazy initialisation and the allocator's high-water mark do not count as growth.
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < 25; i++) await (await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer load-token' }, body: form({ [f1]: a, [f2]: b }) })).text();
    }));
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;

    const failures: string[] = [];
    let done = 0;
    let running = true;
    const healthTimes: number[] = [];
    const healthLoop = (async () => {
      while (running) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/health`);
        const body = await res.json() as { status: string };
        healthTimes.push(performance.now() - t0);
        if (res.status !== 200 || body.status !== 'ok') failures.push(`/health → ${res.status}`);
        rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        try {
          const res = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer load-token' }, body: form({ [f1]: a, [f2]: b, unique_id: `${client}-${i}` }) });
          const body = await res.json() as { facematch_result?: string; unique_id?: string };
          if (res.status !== 200 || !body.facematch_result || body.unique_id !== `${client}-${i}`) failures.push(`client ${client} #${i}: ${res.status}`);
          else done++;
        } catch (err) {
          failures.push(`client ${client} #${i}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }));
    const elapsed = performance.now() - started;
    running = false;
    await healthLoop;
    globalThis.gc?.();
    const rssAfter = process.memoryUsage().rss;
    const growthMb = (Math.max(rssAfter, rssPeak) - rssBefore) / 1024 / 1024;
    const sorted = [...healthTimes].sort((x, y) => x - y);
    const p95 = sorted[Math.floor(sorted.length * 0.95)] ?? 0;

    console.log(`[load] ${done} requests in ${(elapsed / 1000).toFixed(1)} s (${(done / (elapsed / 1000)).toFixed(0)} req/s); `
      + `/health ${healthTimes.length}× p95 ${p95.toFixed(1)} ms max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; RSS growth ${growthMb.toFixed(1)} MB (peak-inclusive)`);

    expect(failures).toEqual([]);
    expect(done).toBe(CLIENTS * REQUESTS_PER_CLIENT);
    expect(healthTimes.length).toBeGreaterThan(5);
    expect(sorted.at(-1)!).toBeLessThan(HEALTH_BOUND_MS);
    expect(growthMb).toBeLessThan(RSS_BOUND_MB);
    expect(elapsed).toBeLessThan(TIME_BOUND_MS);
  }, TIME_BOUND_MS + 30_000);
});

describe('createNodeHandler (the Vite dev middleware)', () => {
  it('serves the API through a plain Node (req, res) handler', async () => {
    const handler = await createNodeHandler(testConfig({ engine: 'instant' }));
    const http = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const [f1, f2] = kwikid.imageFields;
      const img = face('obama-4-240p.jpg');
      const res = await fetch(`${base}${kwikid.path}`, { method: 'POST', headers: { Authorization: 'Bearer test-token' }, body: form({ [f1]: img, [f2]: img }) });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-facematch-engine')).toBe('instant');
      expect(await res.json()).toMatchObject({ facematch_result: 'True' });
    } finally {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    }
  });
});
