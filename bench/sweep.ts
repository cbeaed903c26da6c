/**
 * sweep: the cost of a robustness sweep's variants (core/sweep).
 *
 *  - sweep-generate: one image's variant (decode → perturb → encode, perturb.ts, in this thread),
 *    median ms per image over every default perturbation level, on 250 × 250 JPEGs (the size of
 *    an LFW crop). Informative.
 *  - sweep-overhead: a 1,000-call sweep (100 pairs × (baseline + 9 variants): jpeg 90/70/50/30/15,
 *    blur 1/2/4, noise 5) through core's job at concurrency 1 against the reference server's
 *    instant engine in this process, as `facematch run --sweep` drives it, vs the same 1,000
 *    calls (same ids, same order) sending the original images: wall-time ratio. Budget ≤ 1.1.
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DEFAULT_TOKEN } from '../src/core/contracts/defaults.ts';
import { runJob, type JobSnapshot } from '../src/core/run/job.ts';
import { openZip } from '../src/core/zip/zip.ts';
import type { PairEntry } from '../src/core/run/records.ts';
import { perturbImage } from '../src/core/sweep/perturb.ts';
import { PERTURBATION_IDS, PERTURBATIONS } from '../src/core/sweep/spec.ts';
import { inThreadMaker, sweepPairs, sweepReader } from '../src/core/sweep/variants.ts';
import type { BenchRow } from './types.ts';
import type { BenchEnv } from './lib/env.ts';
import { buildPairZip, noiseJpegs } from './lib/inputs.ts';
import { openBenchPage } from './core-page.ts';
import { fmt, round, summarise } from './lib/stats.ts';

const BASE_PAIRS = 100;
const BUDGET = 1.1;
const SETTINGS = {
  steps: [
    { perturbation: 'jpeg' as const, levels: [90, 70, 50, 30, 15] },
    { perturbation: 'blur' as const, levels: [1, 2, 4] },
    { perturbation: 'noise' as const, levels: [5] },
  ],
  side: 'image2' as const,
};

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');

export async function benchSweepGenerate(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const images = await noiseJpegs(4, 250, 250, 90, 7);
  // Warm-up (JIT), not counted.
  for (const id of PERTURBATION_IDS) perturbImage(images[0]!, id, PERTURBATIONS[id].defaults[0]!);
  const times: number[] = [];
  const loadBefore = load();
  for (let r = 0; r < runs; r++) {
    for (const id of PERTURBATION_IDS) {
      for (const level of PERTURBATIONS[id].defaults) {
        const t0 = performance.now();
        perturbImage(images[r % images.length]!, id, level);
        times.push(performance.now() - t0);
      }
    }
  }
  const s = summarise(times);
  env.log(`  ${times.length} variants: median ${fmt(s.median, 1)} ms, min ${fmt(s.min, 1)}, max ${fmt(s.max, 1)}; load ${loadBefore} → ${load()}`);
  return [variantTimeRow('sweep-generate', 'one image\'s sweep variant (decode, perturb, encode; perturb.ts in this thread), 250 × 250 JPEG, every default level of every perturbation', s, loadBefore)];
}

/** sweep-generate-worker: the same variants through the app's variant worker in Chromium (bench page). */
export async function benchSweepGenerateWorker(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const images = await noiseJpegs(4, 250, 250, 90, 7);
  const { page, close } = await openBenchPage(env);
  const loadBefore = load();
  let times: number[];
  try {
    times = await page.evaluate(([imgs, n]) => window.benchApi!.variantsInWorker(imgs, n), [images.map((i) => [...i]), runs] as [number[][], number]);
  } finally {
    await close();
  }
  const s = summarise(times);
  env.log(`  ${times.length} variants in the worker: median ${fmt(s.median, 1)} ms, min ${fmt(s.min, 1)}, max ${fmt(s.max, 1)}; load ${loadBefore} → ${load()}`);
  return [variantTimeRow('sweep-generate-worker', 'one image\'s sweep variant in the browser\'s variant worker (request to bytes back on the page), 250 × 250 JPEG, every default level of every perturbation', s, loadBefore)];
}

/** An informative row of variant-generation times (median ms), for either place the variants are made. */
function variantTimeRow(name: string, figure: string, s: ReturnType<typeof summarise>, loadBefore: string): BenchRow {
  return {
    name, figure,
    value: round(s.median, 1), unit: 'ms',
    baseline: null, baselineLabel: '',
    ratio: null, budget: 'informative', pass: true,
    runs: { median: round(s.median, 1), min: round(s.min, 1), max: round(s.max, 1), n: s.n },
    notes: `load average ${loadBefore} → ${load()}`,
  };
}

export async function benchSweepOverhead(env: BenchEnv, runs: number): Promise<BenchRow[]> {
  const dir = await env.tempDir();
  const images = await noiseJpegs(16, 96, 96, 85, 11);
  const zipFile = await buildPairZip(dir, 'sweep.zip', BASE_PAIRS, images, 'deflate');
  const zip = await openZip(new Uint8Array(await readFile(zipFile.file)), 'sweep.zip');
  const pairs = sweepPairs(zip.pairs, SETTINGS);
  const calls = pairs.length;
  const { startServer } = await import('../server/main.ts');
  const server = await startServer({ port: 0, engine: 'instant' });
  const snapshot: JobSnapshot = {
    contract: kwikid, baseUrl: server.url, credentials: { token: DEFAULT_TOKEN },
    timeoutMs: DEFAULT_TIMEOUT_MS, retries: DEFAULT_RETRIES, concurrency: 1, ratePerSecond: null,
  };
  const once = async (generate: boolean): Promise<number> => {
    const readPair = generate ? sweepReader({ readPair: (p) => zip.readPair(p), side: SETTINGS.side, make: inThreadMaker() }) : (p: PairEntry) => zip.readPair(p);
    const t0 = performance.now();
    const result = await runJob({ pairs, readPair, snapshot });
    const ms = performance.now() - t0;
    const bad = result.records.filter((r) => !r.success);
    if (bad.length) throw new Error(`${bad.length} of ${calls} calls failed (first: ${JSON.stringify(bad[0])}).`);
    return ms;
  };
  const withGen: number[] = [];
  const without: number[] = [];
  const loadBefore = load();
  try {
    await once(false);
    for (let i = 0; i < runs; i++) {
      without.push(await once(false));
      withGen.push(await once(true));
      env.log(`  run ${i + 1}: without generation ${fmt(without.at(-1)!, 0)} ms, with ${fmt(withGen.at(-1)!, 0)} ms; load ${load()}`);
    }
  } finally {
    await server.close();
  }
  const a = summarise(withGen).median;
  const b = summarise(without).median;
  const ratio = a / b;
  return [{
    name: 'sweep-overhead',
    figure: `${calls.toLocaleString('en')}-call sweep (${BASE_PAIRS} pairs × 10) through core's job at concurrency 1, instant engine, variants made in this thread: wall time vs the same calls without generation`,
    value: round(a, 0), unit: 'ms',
    baseline: round(b, 0), baselineLabel: 'the same 1,000 calls sending the original images',
    ratio: round(ratio, 3), budget: `ratio ≤ ${BUDGET}`, pass: ratio <= BUDGET,
    ...(runs > 1 ? { runs: { median: round(a, 0), min: round(Math.min(...withGen), 0), max: round(Math.max(...withGen), 0), n: runs } } : {}),
    notes: `per call: ${fmt(b / calls, 2)} ms without generation, ${fmt(a / calls, 2)} ms with (${fmt((a - b) / (calls - BASE_PAIRS), 1)} ms per variant); load average ${loadBefore} → ${load()}`,
  }];
}
