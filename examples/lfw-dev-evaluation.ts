/**
 * A labelled evaluation on a realistic set: ../shared/fixtures/lfw-dev (400 LFW pairs, 200 same
 * person, 200 different people), through the same CLI and archive as a user's run.
 *
 *   npm run example:lfw-dev                  # all 400 pairs (a few minutes on 2 cores)
 *   npm run example:lfw-dev -- --pairs 60    # a seeded subset, half same, half different
 *   npm run example:lfw-dev -- --out DIR     # where to write the files (default: a new temp folder)
 *
 * It builds the input ZIP (`lfwNNN_image1.jpg` / `_image2.jpg` + labels.csv naming each pair's
 * people and a `lighting` group) in the output folder,
 * starts the reference server with the real engine in this process, runs `facematch run` on it and
 * writes the results archive and its report.html (the Evaluation tables and every chart as inline
 * SVG) beside it. Then it prints the figures and what to open. Nothing is downloaded; LFW stays
 * outside the repository (see its README for its licence: research and tests only).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.ts';
import { startServer } from '../server/main.ts';
import { archiveEvaluation } from './evaluation-print.ts';
import { lfwPairs, pairCount, subset, writeLfwZip } from './lfw-dev-input.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
const all = lfwPairs();
const want = pairCount(values.pairs, all.length, all.length);
const chosen = subset(all, want, Number(values.seed ?? 12));
const dir = values.out ? path.resolve(values.out) : await mkdtemp(path.join(os.tmpdir(), 'facematch-lfw-dev-'));
await mkdir(dir, { recursive: true });
const input = await writeLfwZip(dir, chosen);
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
    const { lines, report } = await archiveEvaluation(out);
    process.stdout.write([
      '',
      ...lines,
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
