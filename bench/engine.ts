/**
 * Face engine benchmark: our engine (sharp decode + downscale, worker threads, one worker per
 * image of a pair) against the stock face-api node-wasm pipeline (pure-JS decode with jpeg-js /
 * pngjs at full resolution, SSD MobileNet v1, landmarks and descriptors for every face, all on
 * the main thread), on the 16 fixture pairs, several rounds, in the same process and run.
 * Rounds alternate ours / baseline so both see the same machine load.
 *
 * Alone: `npx tsx bench/engine.ts` (BENCH_ROUNDS=N, default 3). In the suite: `npm run bench -- engine`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { BenchRow } from './types.ts';
import { fmt, round, summarise } from './lib/stats.ts';
import { createEngine, type Detector } from '../server/engine/index.ts';
import { euclidean } from '../server/engine/calibration.ts';
import { loadFaceApi, type FaceApi } from '../server/engine/faceapi.ts';
import { largest } from '../server/engine/pipeline.ts';
import { sniff } from '../src/core/filetype.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FACES = path.resolve(REPO_ROOT, '../shared/fixtures/faces');
const THRESHOLD = 0.6;
const BASELINE_LABEL = 'stock face-api node-wasm: jpeg-js/pngjs decode at full resolution, SSD MobileNet v1, main thread, no worker';

interface Pair { a: Buffer; b: Buffer; names: string; same: boolean }

function loadPairs(): Pair[] {
  return fs.readFileSync(path.join(FACES, 'pairs.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((line) => {
    const [a, b, same] = line.split(',') as [string, string, string];
    return { a: fs.readFileSync(path.join(FACES, a)), b: fs.readFileSync(path.join(FACES, b)), names: `${a} / ${b}`, same: same === '1' };
  });
}

interface Round { ms: number[]; correct: number }

/** One pass over the pairs; a pair counts as correct when its verdict equals pairs.csv. */
async function timeRound(pairs: Pair[], decide: (p: Pair) => Promise<boolean | null>): Promise<Round> {
  const ms: number[] = [];
  let correct = 0;
  for (const p of pairs) {
    const t0 = performance.now();
    const match = await decide(p);
    ms.push(performance.now() - t0);
    if (match === p.same) correct++;
  }
  return { ms, correct };
}

// ---- baseline: the stock pipeline ----

function decodePureJs(faceapi: FaceApi, bytes: Buffer) {
  let width: number, height: number, rgba: Uint8Array;
  if (sniff(bytes) === 'png') {
    const png = PNG.sync.read(bytes);
    ({ width, height } = png);
    rgba = png.data;
  } else {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 });
    ({ width, height } = img);
    rgba = img.data;
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return faceapi.tf.tensor3d(rgb, [height, width, 3], 'int32');
}

async function baselineDescriptor(faceapi: FaceApi, bytes: Buffer): Promise<Float32Array | null> {
  const input = decodePureJs(faceapi, bytes);
  try {
    const faces = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
    return largest(faces.map((f) => ({ box: f.detection.box, descriptor: f.descriptor })))?.descriptor ?? null;
  } finally {
    input.dispose();
  }
}

async function baselineMatch(faceapi: FaceApi, p: Pair): Promise<boolean | null> {
  const da = await baselineDescriptor(faceapi, p.a);
  const db = await baselineDescriptor(faceapi, p.b);
  return da && db ? euclidean(da, db) < THRESHOLD : null;
}

// ---- ours ----

function engineDecide(engine: ReturnType<typeof createEngine>) {
  return async (p: Pair): Promise<boolean | null> => {
    const r = await engine.match(p.a, p.b);
    return r.kind === 'compared' ? r.match : null;
  };
}

async function startEngine(detector: Detector) {
  const t0 = performance.now();
  const engine = createEngine({ mode: 'real', threshold: THRESHOLD, workers: os.availableParallelism(), detector });
  await engine.ready();
  return { engine, readyMs: performance.now() - t0 };
}

export async function benchEngine(rounds = Number(process.env.BENCH_ROUNDS) || 3): Promise<BenchRow[]> {
  const pairs = loadPairs();
  const n = pairs.length;
  const fast = await startEngine('tiny+ssd');
  const ssd = await startEngine('ssd');
  const faceapi = await loadFaceApi(['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet']);

  // Warm-up pass each (not timed): first inferences set up kernels.
  await timeRound(pairs.slice(0, 2), engineDecide(fast.engine));
  await timeRound(pairs.slice(0, 2), engineDecide(ssd.engine));
  await timeRound(pairs.slice(0, 2), (p) => baselineMatch(faceapi, p));

  const ours: Round[] = [];
  const oursSsd: Round[] = [];
  const base: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(await timeRound(pairs, engineDecide(fast.engine)));
    base.push(await timeRound(pairs, (p) => baselineMatch(faceapi, p)));
    oursSsd.push(await timeRound(pairs, engineDecide(ssd.engine)));
  }
  await fast.engine.close();
  await ssd.engine.close();

  const oursStats = summarise(ours.flatMap((x) => x.ms));
  const ssdStats = summarise(oursSsd.flatMap((x) => x.ms));
  const baseStats = summarise(base.flatMap((x) => x.ms));
  const oursCorrect = Math.min(...ours.map((x) => x.correct));
  const ssdCorrect = Math.min(...oursSsd.map((x) => x.correct));
  const baseCorrect = Math.min(...base.map((x) => x.correct));
  const ratio = oursStats.median / baseStats.median;
  const ssdRatio = ssdStats.median / baseStats.median;
  const runs = (s: ReturnType<typeof summarise>) => ({ median: round(s.median), min: round(s.min), max: round(s.max), n: s.n });
  const where = `${os.availableParallelism()} cores, ${os.availableParallelism()} workers, ${rounds} rounds × ${n} pairs, load average ${os.loadavg()[0]!.toFixed(1)} at the end`;

  return [
    {
      name: 'engine',
      figure: 'median ms per pair, 16 fixture pairs (default engine: Tiny 416 → SSD fallback)',
      value: round(oursStats.median), unit: 'ms',
      baseline: round(baseStats.median), baselineLabel: BASELINE_LABEL,
      ratio: round(ratio, 3),
      budget: '≤ 500 ms and ratio ≤ 0.333 (≥ 3× faster), same decisions',
      pass: oursStats.median <= 500 && ratio <= 1 / 3 && oursCorrect === n,
      runs: runs(oursStats),
      notes: `${where}; baseline per pair median/min/max ${fmt(baseStats.median)}/${fmt(baseStats.min)}/${fmt(baseStats.max)} ms; models ready in ${fmt(fast.readyMs, 0)} ms`,
    },
    {
      name: 'engine',
      figure: 'pairs decided as in pairs.csv (worst round, default engine)',
      value: oursCorrect, unit: 'pairs',
      baseline: baseCorrect, baselineLabel: BASELINE_LABEL,
      ratio: null,
      budget: `${n}/${n}`,
      pass: oursCorrect === n,
    },
    {
      name: 'engine',
      figure: 'median ms per pair, 16 fixture pairs (SSD MobileNet v1 only, for comparison)',
      value: round(ssdStats.median), unit: 'ms',
      baseline: round(baseStats.median), baselineLabel: BASELINE_LABEL,
      ratio: round(ssdRatio, 3),
      budget: '≤ 500 ms, same decisions (informative: SSD alone cannot reach 3×)',
      pass: ssdStats.median <= 500 && ssdCorrect === n,
      runs: runs(ssdStats),
      notes: `${ssdCorrect}/${n} pairs decided as in pairs.csv; models ready in ${fmt(ssd.readyMs, 0)} ms`,
    },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchEngine().then((rows) => {
    console.table(rows.map((r) => ({
      figure: r.figure, value: `${fmt(r.value)} ${r.unit}`, baseline: r.baseline === null ? '–' : `${fmt(r.baseline)} ${r.unit}`,
      ratio: r.ratio ?? '–', 'median/min/max (n)': r.runs ? `${fmt(r.runs.median)}/${fmt(r.runs.min)}/${fmt(r.runs.max)} (${r.runs.n})` : '–',
      result: r.pass ? 'pass' : 'FAIL',
    })));
    for (const r of rows) if (r.notes) console.log(`- ${r.figure}: ${r.notes}`);
  }, (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
