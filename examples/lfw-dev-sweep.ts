/**
 * A robustness sweep on a realistic set: a seeded subset of ../shared/fixtures/lfw-dev through the
 * reference server's real engine, with the same CLI and archive as a user's sweep, and the
 * robustness charts written beside it.
 *
 *   npm run example:lfw-dev-sweep                          # 40 pairs × (baseline + 10 variants)
 *   npm run example:lfw-dev-sweep -- --pairs 100           # more pairs (half same, half different)
 *   npm run example:lfw-dev-sweep -- --sweep jpeg=50,10    # other perturbations (as facematch run --sweep)
 *   npm run example:lfw-dev-sweep -- --out DIR             # where to write the files (default: a new temp folder)
 *
 * It builds lfw-dev-<n>.zip (pairs + labels.csv), starts the server in this process, runs
 * `facematch run --sweep … --sweep-side image2`, then writes report.html (with its Robustness
 * section) and one SVG chart per perturbation (robustness-<name>.svg), recomputed from the
 * archive's results/*.json, and prints each perturbation's sentence.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';
import { readResultsArchive } from '../src/core/archive/archive-read.ts';
import { robustnessCharts } from '../src/core/charts/charts.ts';
import { renderChartSvg } from '../src/core/charts/chart-render.ts';
import { robustnessOf } from '../src/core/sweep/robustness.ts';
import { main } from '../src/cli/main.ts';
import { startServer } from '../server/main.ts';
import { lfwPairs, pairCount, subset, writeLfwZip } from './lfw-dev-input.ts';

const DEFAULT_SWEEP = ['jpeg=70,30,10', 'size=50,25,12.5', 'blur=2,4', 'rotation=15,30'];

const { values } = parseArgs({ options: { pairs: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, sweep: { type: 'string', multiple: true } } });
const all = lfwPairs();
const chosen = subset(all, pairCount(values.pairs, 40, all.length), Number(values.seed ?? 12));
const dir = values.out ? path.resolve(values.out) : await mkdtemp(path.join(os.tmpdir(), 'facematch-lfw-dev-sweep-'));
await mkdir(dir, { recursive: true });
const input = await writeLfwZip(dir, chosen);
process.stdout.write(`Input: ${input} (${chosen.length} pairs + labels.csv)\n`);

process.stdout.write('Starting the reference server (real engine)…\n');
const server = await startServer({ port: 0, engine: 'real', staticDir: path.join(dir, 'no-app') });
let code: number;
try {
  await server.engine.ready();
  const out = path.join(dir, `facematch-sweep-lfw-dev-${chosen.length}.zip`);
  const sweep = (values.sweep ?? DEFAULT_SWEEP).flatMap((s) => ['--sweep', s]);
  code = await main(['run', input, '--base-url', server.url, '--out', out, '--concurrency', '2', ...sweep, '--sweep-side', 'image2'], {
    stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: dir,
  });
  if (code === 0 || code === 1) {
    const read = await readResultsArchive(await readFile(out), path.basename(out));
    const r = robustnessOf(read.records, read.run.contract);
    const written: string[] = [];
    if (r) {
      for (const def of robustnessCharts(r)) {
        const file = path.join(dir, `${def.id}.svg`);
        await writeFile(file, await renderChartSvg(def));
        written.push(file);
      }
    }
    const archive = await JSZip.loadAsync(await readFile(out));
    const report = path.join(dir, 'report.html');
    await writeFile(report, await archive.file('report.html')!.async('string'));
    const b = r?.baseline;
    process.stdout.write([
      '',
      `Robustness of ${chosen.length} labelled pairs, recomputed from results/*.json:`,
      ...(b ? [`  baseline: FNMR ${b.fnmr?.text ?? '–'}; FMR ${b.fmr?.text ?? '–'}; failures to acquire ${b.fta.text}`] : []),
      ...(r?.curves ?? []).flatMap((c) => [
        `  ${c.label}: ${c.sentence}`,
        ...c.levels.map((l) => `    ${l.label}: FNMR ${l.fnmr?.value == null ? '–' : (l.fnmr.value * 100).toFixed(1)} %, FMR ${l.fmr?.value == null ? '–' : (l.fmr.value * 100).toFixed(1)} %, FTA ${l.fta.value === null ? '–' : (l.fta.value * 100).toFixed(1)} %, flips ${l.flips?.k ?? 0}/${l.flips?.n ?? 0}`),
      ]),
      '',
      `Archive: ${out}`,
      `Report:  ${report} (its Robustness section has the table and a chart per perturbation)`,
      `Charts:  ${written.join(', ')}`,
      '',
    ].join('\n'));
  }
} finally {
  await server.close();
}
process.exit(code);
