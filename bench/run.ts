/**
 * `npm run bench` — runs every benchmark, or only those named (`npm run bench -- zip-open archive`),
 * prints the table, writes bench/results.json and rewrites the measured figures' tables in
 * docs/performance.md.
 *
 * Exit code: 0 when every selected benchmark ran (even if a budget was missed: the table says
 * FAIL); 1 when one could not run; 2 for an unknown benchmark name.
 *
 * Options: --runs=N (timed repetitions per figure; default 5, memory 3)
 * Env:     BENCH_SKIP_BUILD=1 reuses an existing dist/ instead of building the app first.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types.ts';
import { BenchEnv, REPO_ROOT } from './lib/env.ts';
import { fmt } from './lib/stats.ts';
import { renderPerformanceDoc } from './lib/performance-doc.ts';
import { benchArchive, benchZipOpen } from './core-page.ts';
import { benchArchiveReady, benchBulkOverhead, benchFirstLoad, benchMemory } from './app.ts';
import { benchCliOverhead } from './cli.ts';
import { benchConcurrency } from './concurrency.ts';
import { benchSweepGenerate, benchSweepGenerateWorker, benchSweepOverhead } from './sweep.ts';

interface Benchmark {
  name: string;
  about: string;
  run(env: BenchEnv, runs: number | undefined): Promise<BenchRow[]>;
}

const BENCHMARKS: Benchmark[] = [
  { name: 'first-load', about: 'gzip size of the JS loaded before the user acts', run: (env) => benchFirstLoad(env) },
  { name: 'zip-open', about: 'openZip on 10,000 pairs vs JSZip.loadAsync', run: (env, runs) => benchZipOpen(env, runs ?? 5) },
  { name: 'archive', about: 'results ZIP for 10,000 records in the worker + longest main-thread task', run: (env, runs) => benchArchive(env, runs ?? 5) },
  { name: 'bulk-overhead', about: '1,000-pair UI run vs a bare fetch loop', run: (env, runs) => benchBulkOverhead(env, runs ?? 5) },
  { name: 'archive-ready', about: 'archive ready after the last answer of a 10,000-pair UI run, and the page’s longest task during it (main-thread)', run: (env, runs) => benchArchiveReady(env, runs ?? 1) },
  { name: 'memory', about: 'peak page memory on a ≥ 300 MB ZIP vs its size', run: (env, runs) => benchMemory(env, runs ?? 3) },
  { name: 'cli-overhead', about: 'facematch run on 1,000 pairs vs a bare Node fetch loop', run: (env, runs) => benchCliOverhead(env, runs ?? 5) },
  { name: 'concurrency', about: '1,000 pairs through core\'s job at concurrency 1, 4, 8 vs N ÷ 0.2 s (instant engine, 200 ms latency)', run: (env, runs) => benchConcurrency(env, runs ?? 3) },
  { name: 'sweep-generate', about: 'one image\'s sweep variant (decode, perturb, encode), median ms, 250 × 250 JPEG', run: (env, runs) => benchSweepGenerate(env, runs ?? 5) },
  { name: 'sweep-generate-worker', about: 'the same variants through the app\'s variant worker in Chromium, median ms', run: (env, runs) => benchSweepGenerateWorker(env, runs ?? 5) },
  { name: 'sweep-overhead', about: '1,000-call sweep at concurrency 1 vs the same calls without generation (instant engine)', run: (env, runs) => benchSweepOverhead(env, runs ?? 3) },
  { name: 'engine', about: 'face engine per labelled set, and vs the stock face-api pipeline (bench/engine.ts)', run: () => runEngine('benchEngine') },
  { name: 'faces', about: 'POST /faces, median ms per image over the labelled sets (bench/engine.ts)', run: () => runEngine('benchFaces') },
];

async function runEngine(name: 'benchEngine' | 'benchFaces'): Promise<BenchRow[]> {
  // Loaded by name so the harness still type-checks and runs the other benchmarks without it.
  const spec = './engine.ts';
  const mod = (await import(spec)) as Partial<Record<typeof name, () => Promise<BenchRow[]>>>;
  const run = mod[name];
  if (typeof run !== 'function') throw new Error(`bench/engine.ts does not export ${name}().`);
  return run();
}

function parseArgs(argv: string[]): { names: string[]; runs: number | undefined } {
  const names: string[] = [];
  let runs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--runs(?:=(\d+))?$/.exec(a);
    if (m) {
      const v = m[1] ?? argv[++i];
      runs = Number(v);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs needs a whole number ≥ 1, not "${v}".`);
    } else if (a === '--help' || a === '-h') {
      throw new UsageError('');
    } else if (a.startsWith('-')) {
      throw new UsageError(`Unknown option ${a}.`);
    } else {
      names.push(a);
    }
  }
  return { names, runs };
}

class UsageError extends Error {}

function usage(): string {
  return [
    'Usage: npm run bench [-- [--runs=N] [name ...]]',
    '',
    'Benchmarks:',
    ...BENCHMARKS.map((b) => `  ${b.name.padEnd(14)} ${b.about}`),
  ].join('\n');
}

function table(rows: BenchRow[]): string {
  const header = ['benchmark', 'figure', 'value', 'baseline', 'ratio', 'budget', 'result', 'median / min / max (n)'];
  const body = rows.map((r) => [
    r.name,
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === null ? '–' : `${fmt(r.baseline)} ${r.unit}`,
    r.ratio === null ? '–' : fmt(r.ratio, 3),
    r.budget,
    r.pass ? 'pass' : 'FAIL',
    r.runs ? `${fmt(r.runs.median)} / ${fmt(r.runs.min)} / ${fmt(r.runs.max)} (${r.runs.n})` : '–',
  ]);
  const widths = header.map((h, i) => Math.min(i === 1 ? 70 : 60, Math.max(h.length, ...body.map((row) => row[i]!.length))));
  const cell = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: string[]) => `| ${cells.map((c, i) => cell(c, widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) console.error(err.message);
      console.error(usage());
      return err.message ? 2 : 0;
    }
    throw err;
  }
  const unknown = args.names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`Unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.\n`);
    console.error(usage());
    return 2;
  }
  const selected = args.names.length ? BENCHMARKS.filter((b) => args.names.includes(b.name)) : BENCHMARKS;

  const log = (msg: string) => console.log(msg);
  const env = new BenchEnv(log);
  const rows: BenchRow[] = [];
  const errors: { name: string; message: string }[] = [];
  const started = new Date();
  const loadAtStart = os.loadavg();
  let chromiumVersion: string | undefined;
  try {
    for (const b of selected) {
      log(`\n▶ ${b.name}: ${b.about}`);
      const t0 = performance.now();
      try {
        const got = await b.run(env, args.runs);
        rows.push(...got);
        for (const r of got) log(`  ${r.pass ? 'pass' : 'FAIL'}  ${r.figure}: ${fmt(r.value)} ${r.unit}${r.ratio !== null ? ` (ratio ${fmt(r.ratio, 3)})` : ''}`);
      } catch (err) {
        const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
        errors.push({ name: b.name, message: err instanceof Error ? err.message : String(err) });
        console.error(`  ✗ ${b.name} could not run: ${message}`);
      }
      log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    chromiumVersion = await env.browserVersion();
  } finally {
    await env.close();
  }

  const cpus = os.cpus();
  const results = {
    date: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: {
      cores: os.availableParallelism(),
      cpu: cpus[0]?.model ?? 'unknown',
      memoryBytes: os.totalmem(),
      memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
      /** 1-minute load average at the start and the end: other work on the machine skews timings. */
      loadAverage1m: { start: Math.round(loadAtStart[0]! * 100) / 100, end: Math.round(os.loadavg()[0]! * 100) / 100 },
      ...(chromiumVersion ? { chromium: chromiumVersion } : {}),
    },
    selected: selected.map((b) => b.name),
    rows,
    errors,
  };
  const out = path.join(REPO_ROOT, 'bench/results.json');
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  const doc = path.join(REPO_ROOT, 'docs/performance.md');
  const before = await readFile(doc, 'utf8').catch(() => '');
  if (rows.length) await writeFile(doc, renderPerformanceDoc(before, results, BENCHMARKS.map((b) => b.name)));

  console.log(`\n${table(rows)}`);
  console.log(`\n${started.toISOString()} · ${results.machine.cores} cores (${results.machine.cpu}) · ${results.machine.memoryGB} GB · Node ${process.version}${chromiumVersion ? ` · Chromium ${chromiumVersion}` : ''} · load avg ${results.machine.loadAverage1m.start} → ${results.machine.loadAverage1m.end}`);
  const failed = rows.filter((r) => !r.pass).length;
  console.log(`${rows.length - failed} within budget, ${failed} over budget${errors.length ? `, ${errors.length} benchmark(s) could not run: ${errors.map((e) => e.name).join(', ')}` : ''}. Written to ${path.relative(process.cwd(), out) || out} and docs/performance.md.`);
  return errors.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
