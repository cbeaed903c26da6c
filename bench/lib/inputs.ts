/**
 * Benchmark inputs, generated at run time (nothing is committed as a blob): small and large JPEGs
 * made from seeded noise with sharp, and the ZIPs the benchmarks feed to the app.
 */
import path from 'node:path';
import sharp from 'sharp';
import { writeZip, type ZipInput } from './zipwriter.ts';
import { seededRandom as rng } from '../../server/faults.ts';


function noise(width: number, height: number, seed: number): Buffer {
  const r = rng(seed);
  const buf = Buffer.alloc(width * height * 3);
  for (let i = 0; i < buf.length; i += 4) {
    const v = (r() * 4294967296) >>> 0;
    buf[i] = v & 0xff;
    if (i + 1 < buf.length) buf[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < buf.length) buf[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < buf.length) buf[i + 3] = (v >>> 24) & 0xff;
  }
  return buf;
}

/** `count` real JPEGs of width×height seeded noise (incompressible by Deflate). */
export async function noiseJpegs(count: number, width: number, height: number, quality: number, seed = 1): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const jpeg = await sharp(noise(width, height, seed + i * 7919), { raw: { width, height, channels: 3 } })
      .jpeg({ quality, chromaSubsampling: '4:4:4' })
      .toBuffer();
    out.push(new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength));
  }
  return out;
}

export interface PairZip {
  file: string;
  bytes: number;
  pairs: number;
  /** Per pair: the entry names and which of the distinct images each one holds. */
  layout: { stem: string; name1: string; name2: string; img1: number; img2: number }[];
}

export function pairStem(i: number, width: number): string {
  return `pair${String(i + 1).padStart(width, '0')}`;
}

/** Image indices used by pair i (the two images differ). */
function imagesFor(i: number, distinct: number): [number, number] {
  return [(2 * i) % distinct, (2 * i + 1) % distinct];
}

/** A ZIP of `pairs` pairs `pairNNNN_image1.jpg` / `pairNNNN_image2.jpg`, cycling through `images`. */
export async function buildPairZip(dir: string, fileName: string, pairs: number, images: readonly Uint8Array[], method: 'store' | 'deflate'): Promise<PairZip> {
  const width = Math.max(4, String(pairs).length);
  const layout: PairZip['layout'] = [];
  for (let i = 0; i < pairs; i++) {
    const stem = pairStem(i, width);
    const [img1, img2] = imagesFor(i, images.length);
    layout.push({ stem, name1: `${stem}_image1.jpg`, name2: `${stem}_image2.jpg`, img1, img2 });
  }
  function* entries(): Generator<ZipInput> {
    for (const p of layout) {
      yield { name: p.name1, data: images[p.img1]! };
      yield { name: p.name2, data: images[p.img2]! };
    }
  }
  const file = path.join(dir, fileName);
  const bytes = await writeZip(file, entries(), method);
  return { file, bytes, pairs, layout };
}
