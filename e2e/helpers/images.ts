/** Small valid images made at test time with sharp, and ZIPs of many pairs built from them. Tests only. */
import JSZip from 'jszip';
import sharp from 'sharp';

/** A tiny solid-colour JPEG; `seed` picks the colour so images differ. */
export async function tinyJpeg(seed: number, size = 16): Promise<Buffer> {
  const r = (seed * 67) % 256;
  const g = (seed * 131) % 256;
  const b = (seed * 197) % 256;
  return sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } }).jpeg({ quality: 80 }).toBuffer();
}

/** The stem of pair i in pairsZip: p001 … p200. */
export function manyPairStem(i: number, total: number): string {
  return `p${String(i + 1).padStart(String(total).length, '0')}`;
}

/** A ZIP of `n` pairs `<stem>_image1.jpg` / `<stem>_image2.jpg` of small distinct JPEGs, in folder `folder`. */
export async function buildPairsZip(n: number, folder = 'batch'): Promise<{ buffer: Buffer; stems: string[] }> {
  const palette = await Promise.all(Array.from({ length: 24 }, (_, i) => tinyJpeg(i + 1)));
  const zip = new JSZip();
  const stems: string[] = [];
  for (let i = 0; i < n; i++) {
    const stem = manyPairStem(i, n);
    stems.push(stem);
    zip.file(`${folder}/${stem}_image1.jpg`, palette[i % palette.length]!);
    zip.file(`${folder}/${stem}_image2.jpg`, palette[(i * 7 + 3) % palette.length]!);
  }
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  return { buffer, stems };
}
