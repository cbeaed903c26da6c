/** Image decoding for the engine: bytes → upright, opaque, downscaled 8-bit RGB pixels. */
import { parse as parseIcc } from 'icc';
import sharp from 'sharp';
import { describeType, isAcceptedImage, sniff } from '../../src/core/zip/filetype.ts';

/**
 * Longest side after downscaling. The detectors run on a smaller copy (DETECT_SIDE in
 * pipeline.ts); this image is what the face crop for the landmark / recognition nets (112 / 150
 * px) is cut from. On the fixture pairs, max sides of 480, 640, 800, 1024 and full resolution all
 * gave the same 16/16 decisions with distances within ±0.03; 1024 keeps headroom for small faces
 * in large photos (e.g. an ID card scan), and decoding to 512 instead saved almost nothing (JPEG
 * decoding dominates; sharp already shrinks on load).
 */
export const MAX_SIDE = 1024;

export interface RgbImage {
  /** Packed RGB, row-major, 3 bytes per pixel. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** The decoded pixels, and the upright image's size before downscaling (what a viewer shows). */
export type DecodeResult = { ok: true; image: RgbImage; original: { width: number; height: number } } | { ok: false; message: string };

/**
 * Names (ICC `desc`) of the standard sRGB profile that cameras, phones and editors embed. sharp
 * converts every image with an embedded profile to its own sRGB, at full resolution, before
 * shrinking; for these profiles that conversion changes no pixel (checked on the fixtures: max
 * difference 0) and was about half the decode time of a large portrait (e.g. obama-3.jpg, 1434 ×
 * 2333: 81 → 35 ms CPU). Any other profile (Display P3, Adobe RGB, ProPhoto, a black-scaled sRGB)
 * is still converted.
 */
const STANDARD_SRGB = new Set(['srgb', 'srgb iec61966-2.1', 'srgb iec61966-2-1', 'srgb built-in']);

/** Whether an embedded ICC profile is the standard sRGB one (an unreadable profile is not). */
export function isStandardSrgb(icc: Uint8Array | undefined): boolean {
  if (!icc) return false;
  try {
    const { description, colorSpace } = parseIcc(Buffer.from(icc.buffer, icc.byteOffset, icc.byteLength));
    return colorSpace === 'RGB' && typeof description === 'string' && STANDARD_SRGB.has(description.trim().toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Decodes a JPEG or PNG: honours the EXIF orientation, flattens any alpha onto white, converts to
 * sRGB 8-bit (an embedded standard sRGB profile is taken as it is: see STANDARD_SRGB) and shrinks
 * so the longest side is at most `maxSide` (never enlarges).
 * Other formats are refused by magic number, the same rule the routes use.
 */
export async function decodeRgb(bytes: Uint8Array, maxSide: number = MAX_SIDE): Promise<DecodeResult> {
  const type = sniff(bytes.subarray(0, 512));
  if (!isAcceptedImage(type)) {
    return { ok: false, message: `not a JPEG or PNG image (the bytes look like: ${describeType(type)})` };
  }
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    const { data, info } = await sharp(bytes, { failOn: 'error', ignoreIcc: isStandardSrgb(meta.icc) })
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) return { ok: false, message: `decoded to ${info.channels} channels, expected 3` };
    const original = meta.autoOrient ?? { width: info.width, height: info.height };
    return { ok: true, image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }, original };
  } catch (err) {
    return { ok: false, message: `the image could not be decoded (${err instanceof Error ? err.message.trim() : String(err)})` };
  }
}

/**
 * A copy of `image` whose longest side is at most `maxSide` (the same image when it already fits),
 * resized by sharp (Lanczos, antialiased) from the decoded pixels, so the file is decoded once.
 */
export async function shrink(image: RgbImage, maxSide: number): Promise<RgbImage> {
  if (Math.max(image.width, image.height) <= maxSide) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** `image` resized by sharp (Lanczos, antialiased) to exactly `width` × `height`. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ width, height, fit: 'fill' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
