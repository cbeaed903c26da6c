/**
 * The input the lfw-dev examples build at run time: a seeded subset of ../shared/fixtures/lfw-dev
 * (half same person, half different), zipped as `lfwNNN_image1.jpg` / `_image2.jpg` + labels.csv.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
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

/** Writes `lfw-dev-<n>.zip` (pairs + labels.csv) into `dir`; returns its path. */
export async function writeLfwZip(dir: string, chosen: readonly LabelledPair[]): Promise<string> {
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
  return input;
}
