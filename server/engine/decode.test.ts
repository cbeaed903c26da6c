import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { facePath } from '../../test/faces.ts';
import { decodeRgb, isStandardSrgb, MAX_SIDE } from './decode.ts';
import { FACE_SIDE, faceCrop, faceCropAtScale } from './pipeline.ts';

const bytes = (name: string) => fs.readFileSync(facePath(name));
const iccOf = async (name: string) => (await sharp(bytes(name)).metadata()).icc;

/** What sharp itself makes of the file: the embedded profile converted to sRGB, shrunk to MAX_SIDE. */
async function sharpsOwn(name: string, ignoreIcc = false): Promise<Buffer> {
  return sharp(bytes(name), { ignoreIcc }).rotate().flatten({ background: '#ffffff' })
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb').removeAlpha().raw().toBuffer();
}

describe('decoding colour profiles', () => {
  it('recognises the standard sRGB profile, and nothing else, as standard sRGB', async () => {
    expect(isStandardSrgb(await iccOf('obama-3.jpg'))).toBe(true); // "sRGB IEC61966-2.1"
    expect(isStandardSrgb(await iccOf('kit-harington-2.jpeg'))).toBe(false); // ProPhoto RGB
    expect(isStandardSrgb(await iccOf('lin-manuel-miranda-1.png'))).toBe(false); // a display profile
    expect(isStandardSrgb(undefined)).toBe(false);
    expect(isStandardSrgb(new Uint8Array(200).fill(7))).toBe(false);
  });

  it('gives the same pixels as a full conversion for an image carrying the sRGB profile', async () => {
    const r = await decodeRgb(bytes('obama-3.jpg'));
    if (!r.ok) throw new Error(r.message);
    expect(Buffer.from(r.image.data).equals(await sharpsOwn('obama-3.jpg'))).toBe(true);
  });

  it('still converts an image carrying another profile (ProPhoto) to sRGB', async () => {
    const r = await decodeRgb(bytes('kit-harington-2.jpeg'));
    if (!r.ok) throw new Error(r.message);
    const px = Buffer.from(r.image.data);
    expect(px.equals(await sharpsOwn('kit-harington-2.jpeg'))).toBe(true);
    expect(px.equals(await sharpsOwn('kit-harington-2.jpeg', true))).toBe(false);
  });
});

describe('the face crop for landmarks and descriptor', () => {
  // A 1000 × 800 image with a distinct colour per pixel column band, to follow where the box lands.
  const width = 1000;
  const height = 800;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.fill((i % width) % 256, i * 3, i * 3 + 3);
  const image = { data, width, height };

  it('shrinks a large face so that its box is FACE_SIDE px, keeping the margin around it', async () => {
    const face = { x: 300, y: 200, width: 400, height: 360, score: 0.9 };
    const { crop, box } = await faceCropAtScale(image, face);
    expect(Math.max(box.width, box.height)).toBeCloseTo(FACE_SIDE, 0);
    expect(box.width / box.height).toBeCloseTo(400 / 360, 1);
    // The same framing as the full-size crop: box plus half a box on every side.
    const full = faceCrop(image, face);
    expect(crop.width / full.crop.width).toBeCloseTo(FACE_SIDE / 400, 2);
    expect(box.x / crop.width).toBeCloseTo(full.box.x / full.crop.width, 2);
    expect(crop.data.length).toBe(crop.width * crop.height * 3);
  });

  it('leaves a face of FACE_SIDE px or less as it is (never enlarged)', async () => {
    const face = { x: 40, y: 30, width: 120, height: FACE_SIDE, score: 0.9 };
    const scaled = await faceCropAtScale(image, face);
    const full = faceCrop(image, face);
    expect(scaled.box).toEqual(full.box);
    expect(Buffer.from(scaled.crop.data).equals(Buffer.from(full.crop.data))).toBe(true);
  });
});
