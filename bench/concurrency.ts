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
 * Runs: concurrency 4 and 8 (the budgeted levels) are run `--runs` times (default 3), alternating,
 * and the row gives the median; 1 is run once (it takes about 200 s and is informative only).
 * Why several runs: the machine is 2 shared cores, and single runs of this very code spread from
 * 0.86 to 0.96 at concurrency 8 within one hour (2026-12-02, load average 2–7), with the other
 * work on the machine, not with the code. Per call, the job and the request path cost a few
 * ms (a 100-pair run timed phase by phase: 1.4 ms between calls, 2.7 ms to get the request to the
 * server, 2.2 ms of server parsing, 0.9 ms back); what varies from run to run are stalls of the
 * whole process of 50–300 ms while other programs hold both cores. The median of alternating runs
 * measures the job; one run measured whatever else the machine did in those 25 s.
 *
 * Each row's notes split a slot's time per pair into the time inside the call (the records'
 * `response_time_ms`: body built → answer read; the server's 200 ms is in it) and the time the job
 * spent between calls, and give the event loop's delay (p99 / max): a run slowed by stalls shows
 * them there, one slowed by the job shows a gap between calls.
 *
 * Mostly waiting, so it barely loads the CPU.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DEFAULT_TOKEN } from '../src/core/contracts/defaults.ts';
import { runJob, type JobSnapshot } from '../src/core/run/job.ts';
import { openZip } from '../src/core/zip/zip.ts';
import { readFile } from 'node:fs/promises';
import type { BenchRow } from './types.ts';
import type { BenchEnv } from './lib/env.ts';
import { buildPairZip, noiseJpegs } from './lib/inputs.ts';
import { fmt, round, summarise } from './lib/stats.ts';

const PAIRS = 1_000;
const LATENCY_MS = 200;
const LEVELS = [1, 4, 8] as const;
const BUDGET = 0.9;
/** Concurrency levels the budget applies to. */
const BUDGETED = new Set<number>([4, 8]);

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

export async function benchConcurrency(env: BenchEnv, runs: number): Promise<BenchRow[]> {
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

  const median = (values: readonly number[]) => summarise(values).median;

  interface Run { ms: number; attempts: number; callMs: number; loopP99: number; loopMax: number; loadBefore: string; loadAfter: string }
  const once = async (concurrency: number, pairs = zip.pairs): Promise<Run> => {
    const loadBefore = load();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const t0 = performance.now();
    const result = await runJob({ pairs, readPair: (p) => zip.readPair(p), snapshot: snapshotAt(concurrency) });
    const ms = performance.now() - t0;
    loop.disable();
    const bad = result.records.filter((r) => !r.success || r.http_status !== 200);
    if (bad.length) throw new Error(`${bad.length} of ${pairs.length} calls at concurrency ${concurrency} did not answer 200 (first: ${JSON.stringify(bad[0])}).`);
    const attempts = result.records.reduce((n, r) => n + r.attempts, 0);
    const callMs = result.records.reduce((n, r) => n + (r.response_time_ms ?? 0), 0) / pairs.length;
    return { ms, attempts, callMs, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, loadBefore, loadAfter: load() };
  };

  const rows: BenchRow[] = [];
  try {
    // Warm-up, not counted: connection set-up, JIT.
    await once(8, zip.pairs.slice(0, 40));
    const byLevel = new Map<number, Run[]>(LEVELS.map((n) => [n, []]));
    const plan: number[] = [...LEVELS.filter((n) => !BUDGETED.has(n))];
    for (let i = 0; i < runs; i++) plan.push(...LEVELS.filter((n) => BUDGETED.has(n)));
    for (const n of plan) {
      const run = await once(n);
      byLevel.get(n)!.push(run);
      const slotMs = (run.ms * n) / PAIRS;
      env.log(`  concurrency ${n}: ${fmt(run.ms / 1000, 1)} s, ${fmt(PAIRS / (run.ms / 1000), 2)} pairs/s, ratio ${fmt((PAIRS * LATENCY_MS) / n / run.ms, 3)}; per slot and pair ${fmt(slotMs, 1)} ms = ${fmt(run.callMs, 1)} in the call + ${fmt(slotMs - run.callMs, 1)} between calls; loop delay p99 ${fmt(run.loopP99, 0)} ms, max ${fmt(run.loopMax, 0)} ms; load ${run.loadBefore} → ${run.loadAfter}`);
    }
    for (const n of LEVELS) {
      const done = byLevel.get(n)!;
      const idealMs = (PAIRS * LATENCY_MS) / n;
      const perSecond = done.map((r) => PAIRS / (r.ms / 1000));
      const ratios = done.map((r) => idealMs / r.ms);
      const ratio = median(ratios);
      const ms = median(done.map((r) => r.ms));
      const slotMs = (ms * n) / PAIRS;
      const callMs = median(done.map((r) => r.callMs));
      const budgeted = BUDGETED.has(n);
      const stats = summarise(perSecond);
      rows.push({
        name: 'concurrency',
        figure: `${PAIRS.toLocaleString('en')} pairs through core's job at concurrency ${n}, instant engine + ${LATENCY_MS} ms latency: throughput vs the ideal ${n} ÷ ${LATENCY_MS / 1000} s${done.length > 1 ? ` (median of ${done.length})` : ''}`,
        value: round(stats.median, 2), unit: 'pairs/s',
        baseline: round((1000 * n) / LATENCY_MS, 2), baselineLabel: `ideal: ${n} calls in flight, each exactly ${LATENCY_MS} ms`,
        ratio: round(ratio, 3),
        budget: budgeted ? `ratio ≥ ${BUDGET}` : 'informative',
        pass: budgeted ? ratio >= BUDGET : true,
        ...(done.length > 1 ? { runs: { median: round(stats.median, 2), min: round(stats.min, 2), max: round(stats.max, 2), n: stats.n } } : {}),
        notes: `wall ${fmt(ms, 0)} ms vs ideal ${fmt(idealMs, 0)} ms${done.length > 1 ? ` (ratios ${ratios.map((r) => fmt(r, 3)).join(', ')})` : ''}: each of the ${n} slots took ${fmt(slotMs, 1)} ms per pair (${LATENCY_MS} ideal), ${fmt(callMs, 1)} ms of it in the call and ${fmt(slotMs - callMs, 1)} ms between calls; event loop delay max ${done.map((r) => fmt(r.loopMax, 0)).join(' / ')} ms; ${done.map((r) => r.attempts).join(' / ')} attempts; in-process server; load average ${done.map((r) => `${r.loadBefore} → ${r.loadAfter}`).join('; ')}`,
      });
    }
  } finally {
    await server.close();
  }
  return rows;
}
