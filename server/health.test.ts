/**
 * GET /health states how many engine workers the reference server runs (FACEMATCH_WORKERS): a run
 * with more calls in flight than that queues on the server, and the run view warns when the queue
 * turns into timeouts. /health answers while the models still load, so nothing waits for them here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';
import { startServer, type RunningServer } from './main.ts';

let server: RunningServer | undefined;
afterEach(async () => { await server?.close(); server = undefined; });

describe('GET /health', () => {
  it('states the worker count FACEMATCH_WORKERS set, as engine.workers', async () => {
    const config = configFromEnv({ FACEMATCH_WORKERS: '3' });
    expect(config.workers).toBe(3);
    server = await startServer({ port: 0, engine: 'real', workers: config.workers });
    const health = await (await fetch(`${server.url}/health`)).json() as { engine: { mode: string; workers: number } };
    expect(health.engine).toMatchObject({ mode: 'real', workers: 3 });
  });
});
