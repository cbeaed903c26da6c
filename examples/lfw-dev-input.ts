/**
 * The input the lfw-dev examples build at run time: a seeded subset of ../shared/fixtures/lfw-dev
 * (half same person, half different), zipped as `lfwNNN_image1.jpg` / `_image2.jpg` + labels.csv
 * with the pair's people and a lighting group.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import { decodeImage } from '../src/core/sweep/perturb.ts';
import { LFW_DIR, lfwPath, readPairsCsv, type LabelledPair } from '../test/faces.ts';

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
export function subset(pairs: readonly LabelledPair[], n: number, seed: number): LabelledPair[] {
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

/** All lfw-dev pairs. */
export function lfwPairs(): LabelledPair[] {
  return readPairsCsv(LFW_DIR);
}

/** Reads `--pairs` (default `fallback`); exits 2 with a sentence when it is not usable. */
export function pairCount(raw: string | undefined, fallback: number, total: number): number {
  const want = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(want) || want < 2 || want > total) {
    process.stderr.write(`--pairs must be a whole number from 2 to ${total}, not "${raw}".\n`);
    process.exit(2);
  }
  return want;
}

/** The person an LFW photo shows: its file name without `_NNNN.jpg` ("Jerry_Regier_0001.jpg" → "Jerry_Regier"). */
export function lfwSubject(file: string): string {
  return path.basename(file).replace(/_\d+\.\w+$/, '');
}

/** Mean brightness (0–255) of a photo, over its pixels and colour channels. */
function brightness(file: string, bytes: Uint8Array): number {
  const { image } = decodeImage(bytes);
  const means = image.mean();
  if (!means.length) throw new Error(`${file} has no pixels.`);
  return means.reduce((a, b) => a + b, 0) / means.length;
}

/** Lighting groups: the darker, middle and brighter third of the pairs by the mean brightness of their two photos. */
function lightingThirds(values: readonly number[]): string[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: string[] = new Array<string>(values.length);
  order.forEach(([, i], rank) => {
    out[i] = ['darker', 'middle', 'brighter'][Math.min(2, Math.floor((3 * rank) / values.length))]!;
  });
  return out;
}

/**
 * Writes `lfw-dev-<n>.zip` (pairs + labels.csv) into `dir`; returns its path. labels.csv names
 * each pair's people (`subject1`, `subject2`, from the file names: intervals then come from a
 * bootstrap over people) and has one grouping column, `lighting` (see lightingThirds).
 */
export async function writeLfwZip(dir: string, chosen: readonly LabelledPair[]): Promise<string> {
  const zip = new JSZip();
  const labels = ['pair_id,expected,subject1,subject2,lighting'];
  const images = await Promise.all(chosen.map(async (p) => [await readFile(lfwPath(p.image1)), await readFile(lfwPath(p.image2))] as const));
  const lighting = lightingThirds(images.map(([a, b], i) => (brightness(chosen[i]!.image1, a) + brightness(chosen[i]!.image2, b)) / 2));
  chosen.forEach((p, i) => {
    const stem = `lfw${String(i + 1).padStart(3, '0')}`;
    zip.file(`${stem}_image1.jpg`, images[i]![0]);
    zip.file(`${stem}_image2.jpg`, images[i]![1]);
    labels.push(`${stem},${p.same ? 'same' : 'different'},${lfwSubject(p.image1)},${lfwSubject(p.image2)},${lighting[i]}`);
  });
  zip.file('labels.csv', `${labels.join('\n')}\n`);
  const input = path.join(dir, `lfw-dev-${chosen.length}.zip`);
  await writeFile(input, await zip.generateAsync({ type: 'nodebuffer', compression: 'STORE' }));
  return input;
}
