/**
 * The shared rate budget: two shards, each its own process, with --rate 5 and one Redis, against
 * one reference server that notes when each call arrives. Together they stay within 5 calls per
 * second plus one burst of 5. A real redis-server is started on a free port (scripts/ensure-redis.mjs
 * installs Debian's package when it is missing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main.ts';
import { fakeEngine } from '../../server/testkit.ts';
import { facePath, readPairsCsv } from '../../test/faces.ts';
import { findRedisServer } from '../../scripts/redis-path.mjs';
import { readArchive, runBin, runCli } from '../../test/cli.ts';
import type { Clock } from '../core/run/clock.ts';
import { createRateGate } from './rate.ts';

const RATE = 5;
const PAIRS = 30;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ port: number; proc: ChildProcess }> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server is not installed: run node scripts/ensure-redis.mjs (npm run test:unit does).');
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return { port, proc };
}

/** `PAIRS` pairs made of the shared fixture faces (pairNN_image1/2). */
async function bigZip(): Promise<Buffer> {
  const rows = readPairsCsv();
  const zip = new JSZip();
  for (let i = 0; i < PAIRS; i++) {
    const row = rows[i % rows.length]!;
    const stem = `pair${String(i + 1).padStart(2, '0')}`;
    zip.file(`${stem}_image1.jpg`, await readFile(facePath(row.image1)));
    zip.file(`${stem}_image2.jpg`, await readFile(facePath(row.image2)));
  }
  return zip.generateAsync({ type: 'nodebuffer' });
}

describe('two shards sharing one Redis rate budget', () => {
  let redis: { port: number; proc: ChildProcess };
  let server: RunningServer;
  let dir: string;
  const arrivals: number[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const engine = fakeEngine({
      mode: 'instant',
      decide: () => {
        arrivals.push(Date.now());
        return { kind: 'compared', match: true, distance: 0.1, confidence: 0.9 };
      },
    });
    server = await startServer({ port: 0, engine: 'instant' }, { engine });
    dir = await mkdtemp(path.join(os.tmpdir(), 'facematch-rate-'));
    await writeFile(path.join(dir, 'pairs.zip'), await bigZip());
  });

  afterAll(async () => {
    await server?.close();
    redis?.proc.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps the combined calls within ${RATE} per second plus one burst`, async () => {
    const store = `redis://127.0.0.1:${redis.port}`;
    const common = ['--base-url', server.url, '--rate', String(RATE), '--rate-store', store];
    const [a, b] = await Promise.all([
      runBin(['run', 'pairs.zip', '--shard', '1/2', '--out', 'a.zip', ...common], dir),
      runBin(['run', 'pairs.zip', '--shard', '2/2', '--out', 'b.zip', ...common], dir),
    ]);
    expect(a, a.stderr).toMatchObject({ code: 0 });
    expect(b, b.stderr).toMatchObject({ code: 0 });
    const records = [...(await readArchive(path.join(dir, 'a.zip'))).records, ...(await readArchive(path.join(dir, 'b.zip'))).records];
    expect(records).toHaveLength(PAIRS);
    expect(records.every((r) => r.success)).toBe(true);

    // At most RATE attempts start in any rolling second (the gate's own test below checks that
    // exactly); arrivals at the server add the time between taking a slot and the call reaching
    // it, so here any span of d ms may hold RATE · (⌈(d + 50)/1000⌉ + 1) calls.
    const t = [...arrivals].sort((x, y) => x - y);
    expect(t).toHaveLength(PAIRS);
    let worst = 0;
    for (let i = 0; i < t.length; i++) {
      for (let j = i; j < t.length; j++) {
        const allowed = RATE * (Math.ceil((t[j]! - t[i]! + 50) / 1000) + 1);
        worst = Math.max(worst, (j - i + 1) - allowed);
      }
    }
    expect(worst, `calls arrived at ${t.map((x) => x - t[0]!).join(', ')} ms`).toBeLessThanOrEqual(0);
  });

  it('two gates on one store start 12 attempts at 5 per second as early as the rolling rule allows', async () => {
    // Time moves only when a gate waits: its timer jumps the shared clock to when it is due.
    let now = 0;
    const clock: Clock = {
      now: () => now,
      setTimeout: (fn, ms) => { const due = now + ms; return setImmediate(() => { now = Math.max(now, due); fn(); }); },
      clearTimeout: (h) => clearImmediate(h as NodeJS.Immediate),
    };
    const opts = { rate: 5, key: `gate-test-${process.pid}`, store: `redis://127.0.0.1:${redis.port}`, clock };
    const [a, b] = await Promise.all([createRateGate(opts), createRateGate(opts)]);
    try {
      // Each grant resolves with the start time it was counted at (reading the clock after the
      // await would see it moved on by the other gate's wait).
      const started = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).acquire()));
      started.sort((x, y) => x - y);
      // The first five start at once; no rolling second ever holds more than five starts. (The
      // shared clock may jump ahead while the other gate talks to Redis, so later starts can be
      // later than the earliest the rule allows, never earlier.)
      expect(started.slice(0, 6)).toEqual([0, 0, 0, 0, 0, started[5]]);
      expect(started[5]).toBeGreaterThanOrEqual(1000);
      for (const t of started) expect(started.filter((s) => s > t - 1000 && s <= t).length, `starts at ${started.join(', ')}`).toBeLessThanOrEqual(5);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('exits 2 with a sentence when the rate store cannot be reached', async () => {
    const port = await freePort();
    const got = await runCli(['run', 'pairs.zip', '--base-url', server.url, '--rate', '5', '--rate-store', `redis://127.0.0.1:${port}`], dir);
    expect(got.code).toBe(2);
    expect(got.stderr).toMatch(new RegExp(`^facematch: Could not reach the rate store at redis://127\\.0\\.0\\.1:${port} \\(.+\\)\\. Check that Redis is running there, or leave out --rate-store to limit this process alone\\.\\n$`));
  });
});
