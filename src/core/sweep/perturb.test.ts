import { describe, expect, it } from 'vitest';
import { Image, decode, encodeJpeg, encodePng } from 'image-js';
import { perturbImage, scaledSize, PerturbError } from './perturb.ts';
import { PERTURBATION_IDS } from './spec.ts';

/** A hand-made RGB image: `paint(x, y)` gives the grey value of each pixel. */
function made(width: number, height: number, paint: (x: number, y: number) => number): Image {
  const img = new Image(width, height, { colorModel: 'RGB' });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const v = paint(x, y);
    img.setPixel(x, y, [v, v, v]);
  }
  return img;
}
const png = (img: Image) => encodePng(img);
const grey = (bytes: Uint8Array) => decode(bytes).grey();

function mean(img: Image): number {
  let s = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) s += img.getValue(x, y, 0);
  return s / (img.width * img.height);
}
function std(img: Image): number {
  const m = mean(img);
  let s = 0;
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) s += (img.getValue(x, y, 0) - m) ** 2;
  return Math.sqrt(s / (img.width * img.height));
}
/** A textured image JPEG cannot compress for free: a deterministic pseudo-random pattern. */
const textured = () => made(48, 48, (x, y) => ((x * 73 + y * 151 + ((x * y) % 17) * 29) % 256));

describe('perturbImage', () => {
  it('face size: the longest side is scaled down, and the image comes back at its own size without its fine detail', () => {
    expect(scaledSize(64, 32, 25)).toEqual({ width: 16, height: 8 });
    expect(scaledSize(250, 250, 12.5)).toEqual({ width: 31, height: 31 });
    const checker = png(made(64, 32, (x, y) => ((x + y) % 2 ? 255 : 0)));
    const out = perturbImage(checker, 'size', 25);
    expect([out.width, out.height, out.format]).toEqual([64, 32, 'png']);
    const g = grey(out.bytes);
    expect([g.width, g.height]).toEqual([64, 32]);
    // A 1-px checkerboard averages out to grey once it went through a quarter of its size.
    expect(std(g)).toBeLessThan(40);
    expect(std(grey(checker))).toBeGreaterThan(120);
  });

  it('rotation turns a horizontal line by the given angle, clockwise, in a frame of the same size', () => {
    const line = png(made(81, 81, (_x, y) => (y === 40 ? 255 : 0)));
    const out = perturbImage(line, 'rotation', 30);
    const g = grey(out.bytes);
    expect([g.width, g.height]).toEqual([81, 81]);
    // Principal axis of the bright pixels, in image coordinates (y grows downwards).
    let sw = 0, sx = 0, sy = 0;
    const pts: [number, number, number][] = [];
    for (let y = 0; y < 81; y++) for (let x = 0; x < 81; x++) {
      const w = g.getValue(x, y, 0);
      if (w > 60) { pts.push([x, y, w]); sw += w; sx += w * x; sy += w * y; }
    }
    const cx = sx / sw, cy = sy / sw;
    let cxx = 0, cyy = 0, cxy = 0;
    for (const [x, y, w] of pts) { cxx += w * (x - cx) ** 2; cyy += w * (y - cy) ** 2; cxy += w * (x - cx) * (y - cy); }
    const angle = (0.5 * Math.atan2(2 * cxy, cxx - cyy) * 180) / Math.PI;
    // Clockwise on screen is a positive angle when y points down.
    expect(angle).toBeGreaterThan(28);
    expect(angle).toBeLessThan(32);
  });

  it('blur spreads a point over about σ pixels', () => {
    const point = png(made(41, 41, (x, y) => (x === 20 && y === 20 ? 255 : 0)));
    const out = grey(perturbImage(point, 'blur', 2).bytes);
    expect(out.getValue(20, 20, 0)).toBeLessThan(100);
    expect(out.getValue(22, 20, 0)).toBeGreaterThan(0);
    // Second moment of the spread along x ≈ σ² = 4.
    let s = 0, sxx = 0;
    for (let y = 0; y < 41; y++) for (let x = 0; x < 41; x++) { const w = out.getValue(x, y, 0); s += w; sxx += w * (x - 20) ** 2; }
    expect(sxx / s).toBeGreaterThan(3);
    expect(sxx / s).toBeLessThan(5);
  });

  it('brightness moves the mean by the given percentage; contrast changes the spread, not the mean', () => {
    const ramp = png(made(32, 32, (x) => 64 + x * 4));
    const m0 = mean(grey(ramp));
    expect(mean(grey(perturbImage(ramp, 'brightness', -50).bytes)) / m0).toBeCloseTo(0.5, 1);
    expect(mean(grey(perturbImage(ramp, 'brightness', 25).bytes)) / m0).toBeCloseTo(1.25, 1);
    const s0 = std(grey(ramp));
    const low = grey(perturbImage(ramp, 'contrast', -50).bytes);
    expect(std(low) / s0).toBeCloseTo(0.5, 1);
    expect(Math.abs(mean(low) - 127.5)).toBeLessThan(Math.abs(m0 - 127.5) + 1);
    expect(std(grey(perturbImage(ramp, 'contrast', 25).bytes))).toBeGreaterThan(s0);
  });

  it('JPEG quality: lower quality gives a smaller file, always a JPEG', () => {
    const src = png(textured());
    const sizes = [90, 70, 50, 30, 15].map((q) => perturbImage(src, 'jpeg', q));
    for (const s of sizes) expect([s.format, s.bytes[0], s.bytes[1]]).toEqual(['jpeg', 0xff, 0xd8]);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]!.bytes.length).toBeLessThan(sizes[i - 1]!.bytes.length);
  });

  it('noise adds a spread of about σ around the original, the same for the same input', () => {
    const flat = png(made(64, 64, () => 128));
    const a = perturbImage(flat, 'noise', 10);
    const b = perturbImage(flat, 'noise', 10);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    // One channel: the noise is independent per channel, so a grey mix would average some of it away.
    const g = decode(a.bytes);
    expect(mean(g)).toBeGreaterThan(126);
    expect(mean(g)).toBeLessThan(130);
    expect(std(g)).toBeGreaterThan(8);
    expect(std(g)).toBeLessThan(12);
    // Another image gets other noise (the seed is the image's bytes and the level).
    const other = perturbImage(png(made(64, 64, (x) => (x === 0 ? 127 : 128))), 'noise', 10);
    expect(Buffer.from(other.bytes).equals(Buffer.from(a.bytes))).toBe(false);
  });

  it('every perturbation gives the same bytes for the same input and level, and a JPEG input stays a JPEG', () => {
    const jpeg = encodeJpeg(textured(), { quality: 90 });
    for (const id of PERTURBATION_IDS) {
      const level = id === 'jpeg' ? 50 : id === 'size' ? 50 : id === 'blur' ? 2 : id === 'rotation' ? 15 : id === 'noise' ? 10 : -25;
      const a = perturbImage(jpeg, id, level);
      const b = perturbImage(jpeg, id, level);
      expect(a.format, id).toBe('jpeg');
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes)), id).toBe(true);
      expect(Buffer.from(a.bytes).equals(Buffer.from(jpeg)), id).toBe(false);
    }
  });

  it('says when a file is not an image it can read', () => {
    expect(() => perturbImage(new TextEncoder().encode('GIF89a...'), 'blur', 2)).toThrow(PerturbError);
    expect(() => perturbImage(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'blur', 2)).toThrow(/could not be decoded as a JPEG/);
  });
});
