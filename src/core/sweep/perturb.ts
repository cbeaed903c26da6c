/**
 * Image perturbations of a robustness sweep: decode → transform → encode, one implementation for
 * the browser (in a worker) and Node, so the same input and settings give the same bytes in both.
 *
 * Built on maintained pure-TypeScript/JS libraries, no canvas and no native code (a canvas or sharp
 * would give different bytes per platform):
 *  - image-js: decoding (JPEG via jpeg-js, PNG via fast-png), JPEG/PNG encoding, bilinear resize,
 *    rotation about the centre, separable Gaussian blur with a σ, and `level` (the linear
 *    input→output mapping that brightness and contrast are);
 *  - pure-rand: a seeded xoroshiro128+ generator for the noise. image-js has no noise operation,
 *    so the Gaussian noise (Box–Muller over pure-rand's uniform doubles) is the one hand-written step.
 *
 * This module is heavy (image-js); it is only ever loaded on demand (`import()`), never on the
 * first load.
 */
import { decode, encodeJpeg, encodePng, type Image } from 'image-js';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { sha256 } from '@noble/hashes/sha256';
import { PERTURBATIONS, type PerturbationId } from './spec.ts';

/** Quality of the JPEG a JPEG input is written back as after a perturbation other than `jpeg`. */
export const REENCODE_JPEG_QUALITY = 95;

export type ImageFormat = 'jpeg' | 'png';

export interface PerturbedImage {
  bytes: Uint8Array;
  format: ImageFormat;
  width: number;
  height: number;
}

/** A problem with an image, in a sentence (the caller names the file). */
export class PerturbError extends Error {}

function formatOf(bytes: Uint8Array): ImageFormat | null {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  return null;
}

/** Decodes a JPEG or PNG to 8-bit RGB. */
export function decodeImage(bytes: Uint8Array): { image: Image; format: ImageFormat } {
  const format = formatOf(bytes);
  if (!format) throw new PerturbError('is neither a JPEG nor a PNG image, so no variant can be made from it');
  let image: Image;
  try {
    image = decode(bytes);
  } catch {
    throw new PerturbError(`could not be decoded as a ${format.toUpperCase()} image (the file may be damaged)`);
  }
  if (image.bitDepth !== 8) image = image.convertBitDepth(8);
  if (image.colorModel !== 'RGB') image = image.convertColor('RGB');
  return { image, format };
}

export function encodeImage(image: Image, format: ImageFormat, quality = REENCODE_JPEG_QUALITY): Uint8Array {
  return format === 'png' ? encodePng(image) : encodeJpeg(image, { quality });
}

/** The size the longest side is scaled to for `scale` percent (at least 1 px). */
export function scaledSize(width: number, height: number, percent: number): { width: number; height: number } {
  const f = percent / 100;
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)) };
}

const MID = 127.5;
const clamp255 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Brightness by `percent` (−50 = half as bright): every channel scaled, clipped at white. */
function brightness(image: Image, percent: number): Image {
  const f = 1 + percent / 100;
  if (f <= 0) return image.level({ inputMin: 0, inputMax: 255, outputMin: 0, outputMax: 0 });
  return f <= 1
    ? image.level({ inputMin: 0, inputMax: 255, outputMin: 0, outputMax: 255 * f })
    : image.level({ inputMin: 0, inputMax: 255 / f, outputMin: 0, outputMax: 255 });
}

/** Contrast by `percent` about mid-grey (−50 = half the spread, +25 = 1.25× the spread, clipped). */
function contrast(image: Image, percent: number): Image {
  const f = Math.max(0, 1 + percent / 100);
  return f <= 1
    ? image.level({ inputMin: 0, inputMax: 255, outputMin: MID - MID * f, outputMax: MID + MID * f })
    : image.level({ inputMin: MID - MID / f, inputMax: MID + MID / f, outputMin: 0, outputMax: 255 });
}

/** A 32-bit seed from the image's bytes and the noise level: the same input always gets the same noise. */
export function noiseSeed(bytes: Uint8Array, sigma: number): number {
  const h = sha256.create().update(bytes).update(new TextEncoder().encode(`noise:${sigma}`)).digest();
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) | 0;
}

/** Sensor-like additive Gaussian noise of σ on 0–255, independent per pixel and channel, seeded. */
function noise(image: Image, sigma: number, seed: number): Image {
  const out = image.clone();
  const rng = xoroshiro128plus(seed);
  const data = out.getRawImage().data;
  const n = out.width * out.height * out.channels;
  let spare: number | null = null;
  for (let i = 0; i < n; i++) {
    let g: number;
    if (spare !== null) {
      g = spare;
      spare = null;
    } else {
      // Box–Muller: two uniform doubles → two independent standard normals.
      const u1 = 1 - uniformFloat64(rng);
      const u2 = uniformFloat64(rng);
      const r = Math.sqrt(-2 * Math.log(u1));
      g = r * Math.cos(2 * Math.PI * u2);
      spare = r * Math.sin(2 * Math.PI * u2);
    }
    out.setValueByIndex(Math.floor(i / out.channels), i % out.channels, Math.round(clamp255(data[i]! + sigma * g)));
  }
  return out;
}

/** Applies one perturbation at one level to a decoded image (JPEG quality is applied at encoding). */
export function transform(image: Image, id: PerturbationId, level: number, seed: number): Image {
  switch (id) {
    case 'jpeg':
      return image;
    case 'size': {
      const small = scaledSize(image.width, image.height, level);
      return image.resize({ width: small.width, height: small.height, preserveAspectRatio: false, borderType: 'replicate' })
        .resize({ width: image.width, height: image.height, preserveAspectRatio: false, borderType: 'replicate' });
    }
    case 'blur':
      return level <= 0 ? image : image.gaussianBlur({ sigma: level, size: 2 * Math.ceil(3 * level) + 1, borderType: 'reflect101' });
    case 'brightness':
      return brightness(image, level);
    case 'contrast':
      return contrast(image, level);
    case 'rotation':
      // Clockwise by `level` degrees (a phone tilted right), same frame size; the uncovered corners are black.
      return image.transformRotate(-level, { borderType: 'constant', borderValue: 0 });
    case 'noise':
      return level <= 0 ? image : noise(image, level, seed);
  }
}

/**
 * One image's variant: decoded, perturbed and encoded again. A `jpeg` variant is a JPEG at that
 * quality; any other keeps the input's format (a PNG stays lossless, a JPEG is written at
 * quality REENCODE_JPEG_QUALITY).
 */
export function perturbImage(bytes: Uint8Array, id: PerturbationId, level: number): PerturbedImage {
  if (!PERTURBATIONS[id]) throw new PerturbError(`names an unknown perturbation "${String(id)}"`);
  const { image, format } = decodeImage(bytes);
  const seed = id === 'noise' ? noiseSeed(bytes, level) : 0;
  const out = transform(image, id, level, seed);
  const outFormat: ImageFormat = id === 'jpeg' ? 'jpeg' : format;
  const encoded = encodeImage(out, outFormat, id === 'jpeg' ? level : REENCODE_JPEG_QUALITY);
  return { bytes: encoded, format: outFormat, width: out.width, height: out.height };
}
