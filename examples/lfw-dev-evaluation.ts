/**
 * A labelled evaluation on a realistic set: ../shared/fixtures/lfw-dev (400 LFW pairs, 200 same
 * person, 200 different people), through the same CLI and archive as a user's run.
 *
 *   npm run example:lfw-dev                  # all 400 pairs (a few minutes on 2 cores)
 *   npm run example:lfw-dev -- --pairs 60    # a seeded subset, half same, half different
 *   npm run example:lfw-dev -- --out DIR     # where to write the files (default: a new temp folder)
 *
 * It builds the input ZIP (`lfwNNN_image1.jpg` / `_image2.jpg` + labels.csv) in the output folder,
 * starts the reference server with the real engine in this process, runs `facematch run` on it and
 * writes the results archive and its report.html (the Evaluation tables and every chart as inline
 * SVG) beside it. Then it prints the figures and what to open. Nothing is downloaded; LFW stays
 * outside the repository (see its README for its licence: research and tests only).
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';
import { readResultsArchive } from '../src/core/archive-read.ts';
import { labelsFromRecords } from '../src/core/evaluation-archive.ts';
import { evalRows, evaluate, pct } from '../src/core/evaluation.ts';
import { main } from '../src/cli/main.ts';
import { startServer } from '../server/main.ts';
import { LFW_DIR, lfwPath, readPairsCsv, type LabelledPair } from '../test/faces.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
const all = readPairsCsv(LFW_DIR);
const want = values.pairs === undefined ? all.length : Number(values.pairs);
if (!Number.isInteger(want) || want < 2 || want > all.length) {
  process.stderr.write(`--pairs must be a whole number from 2 to ${all.length}, not "${values.pairs}".\n`);
  process.exit(2);
}

/** A small seeded generator (mulberry32), so a subset is the same on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` pairs, half same and half different, chosen with the seed (all pairs when n is the whole set). */
function subset(pairs: readonly LabelledPair[], n: number, seed: number): LabelledPair[] {
  if (n >= pairs.length) return [...pairs];
  const rand = seeded(seed);
  const pick = (list: LabelledPair[], k: number) => {
    const a = [...list];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, k);
  };
  const same = pick(pairs.filter((p) => p.same), Math.ceil(n / 2));
  const diff = pick(pairs.filter((p) => !p.same), Math.floor(n / 2));
  return [...same, ...diff].sort((x, y) => pairs.indexOf(x) - pairs.indexOf(y));
}

const chosen = subset(all, want, Number(values.seed ?? 12));
const dir = values.out ? path.resolve(values.out) : await mkdtemp(path.join(os.tmpdir(), 'facematch-lfw-dev-'));
await mkdir(dir, { recursive: true });

const zip = new JSZip();
const labels = ['pair_id,expected'];
chosen.forEach((p, i) => {
  const stem = `lfw${String(i + 1).padStart(3, '0')}`;
  zip.file(`${stem}_image1.jpg`, readFile(lfwPath(p.image1)));
  zip.file(`${stem}_image2.jpg`, readFile(lfwPath(p.image2)));
  labels.push(`${stem},${p.same ? 'same' : 'different'}`);
});
zip.file('labels.csv', `${labels.join('\n')}\n`);
const input = path.join(dir, `lfw-dev-${chosen.length}.zip`);
await writeFile(input, await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' }));
process.stdout.write(`Input: ${input} (${chosen.length} pairs + labels.csv)\n`);

process.stdout.write('Starting the reference server (real engine)…\n');
const server = await startServer({ port: 0, engine: 'real', staticDir: path.join(dir, 'no-app') });
let code: number;
try {
  await server.engine.ready();
  const out = path.join(dir, `facematch-bulk-lfw-dev-${chosen.length}.zip`);
  code = await main(['run', input, '--base-url', server.url, '--out', out, '--concurrency', '2'], {
    stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: dir,
  });
  if (code === 0 || code === 1) {
    const read = await readResultsArchive(await readFile(out), path.basename(out));
    const ev = evaluate(evalRows(read.records, read.run.contract, labelsFromRecords(read.records)));
    const archive = await JSZip.loadAsync(await readFile(out));
    const report = path.join(dir, 'report.html');
    await writeFile(report, await archive.file('report.html')!.async('string'));
    const c = ev.api.confusion;
    process.stdout.write([
      '',
      `Evaluation of ${ev.labelled} labelled pairs (${ev.same} same, ${ev.different} different), recomputed from results/*.json:`,
      `  at the API's decision: TP ${c.tp} · FN ${c.fn} · FP ${c.fp} · TN ${c.tn} · errors ${c.errors}`,
      `  FMR  ${ev.api.fmr.text}`,
      `  FNMR ${ev.api.fnmr.text}`,
      `  EER  ${ev.eer ? `${pct(ev.eer.value)} at threshold ${ev.eer.threshold.toFixed(4)}` : ev.eerNote}`,
      ...ev.fnmrAt.map((f) => `  FNMR@FMR=${f.label} ${f.value === null ? f.note : pct(f.value)}`),
      '',
      `Archive: ${out}`,
      `Report:  ${report} (open it in a browser: tables and ROC, DET, score and latency charts, offline)`,
      `In the app: npm start, Bulk, Choose ZIP ${input} and Run (or Open results ${out}) for the Evaluation section and the threshold what-if.`,
      '',
    ].join('\n'));
  }
} finally {
  await server.close();
}
process.exit(code);
