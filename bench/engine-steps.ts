/**
 * Where an image's time goes, and what each detector step costs and finds, over every image of
 * the labelled sets (../shared/fixtures/faces and ../shared/fixtures/lfw-dev), in one thread (no
 * worker; sharp limited to one thread as in a worker):
 *  - the phases of the default chain: decode (sharp, to MAX_SIDE), detection (making the
 *    detection copies included), face crop (FACE_SIDE), landmarks, descriptor — median ms per
 *    image each;
 *  - each step of the default chain (and SSD) alone: how many images it finds a face in and its
 *    median ms per image (its detection copy and border included);
 *  - which step of the default chain found each image's face.
 * Informative (not part of `npm run bench`; no budget).
 *
 *   npx tsx bench/engine-steps.ts            # both sets
 *   LIMIT=100 npx tsx bench/engine-steps.ts  # the first 100 lfw-dev pairs only
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBlazeFace } from '../server/engine/blazeface.ts';
import sharp from 'sharp';
import { decodeRgb } from '../server/engine/decode.ts';
import { loadFaceApi } from '../server/engine/faceapi.ts';
import { DETECTOR_CHAIN, SSD_ONLY_CHAIN, describeImage, warmUp, type ChainStep, type Detectors, type PhaseTimes } from '../server/engine/pipeline.ts';
import { FACES_DIR, LFW_DIR, LFW_IMAGES, readPairsCsv } from '../test/faces.ts';
import { fmt, summarise } from './lib/stats.ts';

const SSD: ChainStep = SSD_ONLY_CHAIN[0]!;
const STEPS: readonly ChainStep[] = [...DETECTOR_CHAIN, SSD]
  .filter((s, i, all) => all.findIndex((t) => t.label === s.label) === i);

async function main(): Promise<void> {
  const faceapi = await loadFaceApi(['tinyFaceDetector', 'ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet']);
  const detectors: Detectors = { faceapi, blaze: await loadBlazeFace() };
  sharp.concurrency(1);
  sharp.cache(false);
  await warmUp(detectors, [...DETECTOR_CHAIN, SSD]);
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
    const phases = { decode: [] as number[], detect: [] as number[], crop: [] as number[], landmarks: [] as number[], descriptor: [] as number[] };
    for (const name of images) {
      const bytes = fs.readFileSync(path.join(set.dir, name));
      const t0 = performance.now();
      const decoded = await decodeRgb(bytes);
      if (!decoded.ok) throw new Error(`${name}: ${decoded.message}`);
      const pair = decoded.image;
      phases.decode.push(performance.now() - t0);
      for (const step of STEPS) {
        const t0 = performance.now();
        const r = await describeImage(detectors, pair, [step], false);
        const row = per.get(step.label)!;
        row.ms.push(performance.now() - t0);
        if (r.faces.length) row.found++;
      }
      const times: PhaseTimes = { detect: 0, crop: 0, landmarks: 0, descriptor: 0 };
      const t2 = performance.now();
      const r = await describeImage(detectors, pair, DETECTOR_CHAIN, true, times);
      chainMs.push(performance.now() - t2);
      phases.detect.push(times.detect);
      phases.crop.push(times.crop);
      phases.landmarks.push(times.landmarks);
      phases.descriptor.push(times.descriptor);
      const key = r.step ?? 'none';
      chainFound.set(key, (chainFound.get(key) ?? 0) + 1);
    }
    console.log(`\n${set.name}: ${images.length} images`);
    const med = (a: number[]) => fmt(summarise(a).median, 1);
    console.log(`  phases, median ms per image: decode ${med(phases.decode)}, detection (copies included) ${med(phases.detect)}, face crop ${med(phases.crop)}, landmarks ${med(phases.landmarks)}, descriptor ${med(phases.descriptor)}`);
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
