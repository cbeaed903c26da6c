import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeTypeWithArticle, mimeOf, sniff } from './filetype.ts';
import { face, heicImage } from '../../../test/corpus.ts';

/** An ISO-BMFF ftyp box with a major brand and compatible brands. */
function ftyp(major: string, ...compatible: string[]): Uint8Array {
  const size = 16 + 4 * compatible.length;
  const b = Buffer.alloc(size + 64, 0x5a);
  b.writeUInt32BE(size, 0);
  b.write(`ftyp${major}`, 4, 'latin1');
  b.writeUInt32BE(0, 12);
  compatible.forEach((c, i) => b.write(c, 16 + 4 * i, 'latin1'));
  return new Uint8Array(b);
}

describe('sniff: AVIF and HEIC', () => {
  it('describes a real AVIF (encoded here) as an AVIF image, not HEIC', async () => {
    const avif = new Uint8Array(await sharp(face('a')).resize(64).avif().toBuffer());
    expect(sniff(avif.subarray(0, 512))).toBe('avif');
    expect(describeTypeWithArticle('avif')).toBe('an AVIF image');
    expect(mimeOf('avif')).toBe('image/avif');
  });

  it('decides by the major brand, then by the compatible brands of the generic HEIF brands', () => {
    expect(sniff(ftyp('avif', 'mif1', 'miaf'))).toBe('avif');
    expect(sniff(ftyp('avis', 'msf1'))).toBe('avif');
    expect(sniff(ftyp('mif1', 'mif1', 'avif', 'miaf'))).toBe('avif');
    expect(sniff(ftyp('mif1', 'mif1', 'heic'))).toBe('heic');
    expect(sniff(ftyp('heic', 'mif1', 'heic'))).toBe('heic');
    expect(sniff(new Uint8Array(heicImage()))).toBe('heic');
    expect(describeTypeWithArticle('heic')).toBe('a HEIC image');
    // An MP4 is ISO-BMFF too, but no image.
    expect(sniff(ftyp('isom', 'iso2', 'mp41'))).not.toMatch(/avif|heic/);
  });
});
