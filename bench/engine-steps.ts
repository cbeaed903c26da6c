/**
 * What each detector step costs and finds, on its own, over every image of the labelled sets
 * (../shared/fixtures/faces and ../shared/fixtures/lfw-dev): for each step of the default chain
 * (and SSD), how many images it finds a face in and its median ms per image, in one thread on
 * this thread (no worker), after the engine's own decoding. Then the default chain: which step
 * found each image's face. Informative (not part of `npm run bench`; no budget).
 *
 *   npx tsx bench/engine-steps.ts            # both sets
 *   LIMIT=100 npx tsx bench/engine-steps.ts  # the first 100 lfw-dev pairs only
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBlazeFace } from '../server/engine/blazeface.ts';
import { decodeRgb } from '../server/engine/decode.ts';
import { loadFaceApi } from '../server/engine/faceapi.ts';
import { DETECTOR_CHAIN, describeImage, type ChainStep, type Detectors } from '../server/engine/pipeline.ts';
import { FACES_DIR, LFW_DIR, LFW_IMAGES, readPairsCsv } from '../test/faces.ts';
import { fmt, summarise } from './lib/stats.ts';

const SSD: ChainStep = { label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0 };
const STEPS: readonly ChainStep[] = [...DETECTOR_CHAIN, SSD]
  .filter((s, i, all) => all.findIndex((t) => t.label === s.label) === i);

async function main(): Promise<void> {
  const faceapi = await loadFaceApi(['tinyFaceDetector', 'ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet']);
  const detectors: Detectors = { faceapi, blaze: await loadBlazeFace() };
  const limit = Number(process.env.LIMIT) || Infinity;
  const sets = [
    { name: 'fixtures', dir: FACES_DIR, pairs: readPairsCsv(FACES_DIR) },
    { name: 'lfw-dev', dir: LFW_IMAGES, pairs: readPairsCsv(LFW_DIR).slice(0, limit) },
  ];
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at start`);
  for (const set of sets) {
    const images = [...new Set(set.pairs.flatMap((p) => [p.image1, p.image2]))];
    const per = new Map<string, { found: number; ms: number[] }>(STEPS.map((s) => [s.label, { found: 0, ms: [] }]));
    const chainFound = new Map<string, number>();
    const chainMs: number[] = [];
    for (const name of images) {
      const decoded = await decodeRgb(fs.readFileSync(path.join(set.dir, name)));
      if (!decoded.ok) throw new Error(`${name}: ${decoded.message}`);
      for (const step of STEPS) {
        const t0 = performance.now();
        const r = await describeImage(detectors, decoded.image, [step], false);
        const row = per.get(step.label)!;
        row.ms.push(performance.now() - t0);
        if (r.faces.length) row.found++;
      }
      const t0 = performance.now();
      const r = await describeImage(detectors, decoded.image, DETECTOR_CHAIN, true);
      chainMs.push(performance.now() - t0);
      const key = r.step ?? 'none';
      chainFound.set(key, (chainFound.get(key) ?? 0) + 1);
    }
    console.log(`\n${set.name}: ${images.length} images`);
    for (const step of STEPS) {
      const row = per.get(step.label)!;
      console.log(`  ${step.label.padEnd(16)} alone: face found in ${String(row.found).padStart(4)} / ${images.length}, median ${fmt(summarise(row.ms).median, 1)} ms per image`);
    }
    console.log(`  default chain (with landmarks + descriptor): median ${fmt(summarise(chainMs).median, 1)} ms per image; found by ${[...chainFound].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  console.log(`\nload average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at end`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
