/**
 * A labelled evaluation on the ID-card dev set: each lfw-dev pair turned into a phone photo of a
 * synthetic ID card (printed portrait + faint ghost copy, rotated up to ±10°) against a selfie
 * (bench/lib/idcards.ts), run through the same CLI and archive as a user's run.
 *
 *   npm run example:idcards                  # all 400 pairs
 *   npm run example:idcards -- --pairs 60    # the first 30 same-person and 30 different-person pairs
 *   npm run example:idcards -- --out DIR     # where to write the files (default: a new temp folder)
 *   npm run example:idcards -- --seed N      # another set (default: the bench's seed)
 *
 * It builds the input ZIP (`idcardNNN_image1.jpg` = the card, `_image2.jpg` = the selfie, and
 * labels.csv) in the output folder, starts the reference server with the real engine in this
 * process, runs `facematch run` on it, writes the results archive and its report.html beside it,
 * and prints the figures. Nothing is committed or downloaded.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';
import { main } from '../src/cli/main.ts';
import { startServer } from '../server/main.ts';
import { IDCARD_SEED, idCardSet } from '../bench/lib/idcards.ts';
import { archiveEvaluation } from './evaluation-print.ts';
import { pairCount } from './lfw-dev-input.ts';
import { LFW_DIR, readPairsCsv } from '../test/faces.ts';

const { values } = parseArgs({ options: { pairs: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
const all = readPairsCsv(LFW_DIR);
const want = pairCount(values.pairs, all.length, all.length);
const seed = values.seed === undefined ? IDCARD_SEED : Number(values.seed);
if (!Number.isInteger(seed)) {
  process.stderr.write(`--seed must be a whole number, not "${values.seed}".\n`);
  process.exit(2);
}
const same = all.map((p, i) => (p.same ? i : -1)).filter((i) => i >= 0);
const different = all.map((p, i) => (p.same ? -1 : i)).filter((i) => i >= 0);
const indices = want >= all.length ? all.map((_, i) => i) : [...same.slice(0, Math.ceil(want / 2)), ...different.slice(0, Math.floor(want / 2))];

const dir = values.out ? path.resolve(values.out) : await mkdtemp(path.join(os.tmpdir(), 'facematch-idcards-'));
await mkdir(dir, { recursive: true });
process.stdout.write(`Building ${indices.length} ID-card pairs (seed ${seed})…\n`);
const zip = new JSZip();
const labels = ['pair_id,expected'];
for await (const p of idCardSet(seed, indices)) {
  zip.file(`${p.id}_image1.jpg`, p.card);
  zip.file(`${p.id}_image2.jpg`, p.selfie);
  labels.push(`${p.id},${p.same ? 'same' : 'different'}`);
}
zip.file('labels.csv', `${labels.join('\n')}\n`);
const input = path.join(dir, `idcards-${indices.length}.zip`);
await writeFile(input, await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' }));
process.stdout.write(`Input: ${input} (${indices.length} pairs + labels.csv)\nStarting the reference server (real engine)…\n`);

const server = await startServer({ port: 0, engine: 'real', staticDir: path.join(dir, 'no-app') });
let code: number;
try {
  await server.engine.ready();
  const out = path.join(dir, `facematch-bulk-idcards-${indices.length}.zip`);
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
      '',
    ].join('\n'));
  }
} finally {
  await server.close();
}
process.exit(code);
