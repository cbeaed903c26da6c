/**
 * concurrency: 1,000 pairs through core's bulk job (`runJob`, as `facematch run` drives it: pairs
 * read from a ZIP opened with core's reader, KwikID contract, demo token) against the reference
 * server started in this process with the instant engine and a 200 ms answer latency
 * (`latencyMs: 200`, the setting FACEMATCH_LATENCY_MS sets), at concurrency 1, 4 and 8.
 *
 * Ideal throughput at concurrency N: N ÷ 0.2 s pairs per second (every call takes exactly the
 * latency, nothing else costs anything). The figure is the measured throughput as a ratio to it,
 * i.e. ideal wall time ÷ measured wall time. Budget: ≥ 0.9 at 4 and 8; 1 is reported too.
 * Wall time: runJob from its call to its result (no archive builder: that is the `archive` figure).
 *
 * Mostly waiting (N = 1 takes about 200 s), so it barely loads the CPU. One run per concurrency.
 */
import os from 'node:os';
import { kwikid } from '../src/core/contracts.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DEFAULT_TOKEN } from '../src/core/defaults.ts';
import { runJob, type JobSnapshot } from '../src/core/job.ts';
import { openZip } from '../src/core/zip.ts';
import { readFile } from 'node:fs/promises';
import type { BenchRow } from './types.ts';
import type { BenchEnv } from './lib/env.ts';
import { buildPairZip, noiseJpegs } from './lib/inputs.ts';
import { fmt, round } from './lib/stats.ts';

const PAIRS = 1_000;
const LATENCY_MS = 200;
const LEVELS = [1, 4, 8] as const;
const BUDGET = 0.9;
/** Concurrency levels the budget applies to. */
const BUDGETED = new Set<number>([4, 8]);

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

export async function benchConcurrency(env: BenchEnv): Promise<BenchRow[]> {
  const dir = await env.tempDir();
  const images = await noiseJpegs(16, 96, 96, 85, 11);
  const zipFile = await buildPairZip(dir, 'concurrency.zip', PAIRS, images, 'deflate');
  const zip = await openZip(new Uint8Array(await readFile(zipFile.file)), 'concurrency.zip');
  if (zip.pairs.length !== PAIRS) throw new Error(`The generated ZIP has ${zip.pairs.length} pairs, expected ${PAIRS}.`);
  const { startServer } = await import('../server/main.ts');
  const server = await startServer({ port: 0, engine: 'instant', latencyMs: LATENCY_MS });
  env.log(`  input: ${PAIRS} pairs (${(zipFile.bytes / 1024 / 1024).toFixed(2)} MB), server ${server.url}, instant engine, +${LATENCY_MS} ms per answer`);

  const snapshotAt = (concurrency: number): JobSnapshot => ({
    contract: kwikid,
    baseUrl: server.url,
    credentials: { token: DEFAULT_TOKEN },
    timeoutMs: DEFAULT_TIMEOUT_MS,
    retries: DEFAULT_RETRIES,
    concurrency,
    ratePerSecond: null,
  });

  const once = async (concurrency: number, pairs = zip.pairs) => {
    const t0 = performance.now();
    const result = await runJob({ pairs, readPair: (p) => zip.readPair(p), snapshot: snapshotAt(concurrency) });
    const ms = performance.now() - t0;
    const bad = result.records.filter((r) => !r.success || r.http_status !== 200);
    if (bad.length) throw new Error(`${bad.length} of ${pairs.length} calls at concurrency ${concurrency} did not answer 200 (first: ${JSON.stringify(bad[0])}).`);
    const attempts = result.records.reduce((n, r) => n + r.attempts, 0);
    return { ms, attempts };
  };

  const rows: BenchRow[] = [];
  try {
    // Warm-up, not counted: connection set-up, JIT.
    await once(8, zip.pairs.slice(0, 40));
    for (const n of LEVELS) {
      const loadBefore = load();
      const { ms, attempts } = await once(n);
      const idealMs = (PAIRS * LATENCY_MS) / n;
      const ratio = idealMs / ms;
      const perSecond = PAIRS / (ms / 1000);
      const budgeted = BUDGETED.has(n);
      env.log(`  concurrency ${n}: ${fmt(ms / 1000, 1)} s, ${fmt(perSecond, 2)} pairs/s, ratio ${fmt(ratio, 3)}`);
      rows.push({
        name: 'concurrency',
        figure: `${PAIRS.toLocaleString('en')} pairs through core's job at concurrency ${n}, instant engine + ${LATENCY_MS} ms latency: throughput vs the ideal ${n} ÷ ${LATENCY_MS / 1000} s`,
        value: round(perSecond, 2), unit: 'pairs/s',
        baseline: round((1000 * n) / LATENCY_MS, 2), baselineLabel: `ideal: ${n} calls in flight, each exactly ${LATENCY_MS} ms`,
        ratio: round(ratio, 3),
        budget: budgeted ? `ratio ≥ ${BUDGET}` : 'informative',
        pass: budgeted ? ratio >= BUDGET : true,
        notes: `wall ${fmt(ms, 0)} ms vs ideal ${fmt(idealMs, 0)} ms: each of the ${n} slots took ${fmt((ms * n) / PAIRS, 1)} ms per pair on average (${LATENCY_MS} ideal); ${attempts} attempts; in-process server; load average ${loadBefore} before, ${load()} after`,
      });
    }
  } finally {
    await server.close();
  }
  return rows;
}
