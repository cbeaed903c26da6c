/**
 * One image → its faces, and the descriptor of the largest. Runs wherever face-api is loaded (a worker).
 *
 * Detection is a chain of steps, tried in order until one finds a face (see DETECTOR_CHAIN for the
 * steps and bench/engine-steps.ts for what each one costs and finds). Later steps run only on
 * images the earlier ones found nothing in, so an ordinary photo pays for the first step alone.
 *
 * Which face: the largest detection box by area (width × height, in pixels of the decoded image)
 * of the detector chain's look (an ID card's printed portrait, not its smaller ghost copy, which
 * only the second look, for POST /faces, lists).
 * Landmarks (68 points) and the 128-d descriptor are computed for that face only.
 */
import type * as TfTypes from '@tensorflow/tfjs';
import type { FaceApi } from './faceapi.ts';
import { CONTAINED, overlapOfSmaller, type BlazeFace } from './blazeface.ts';
import type { FaceBox } from './types.ts';
import sharp from 'sharp';
import { resizeRgb, shrink, type RgbImage } from './decode.ts';

export type DetectorName = 'blaze' | 'tiny' | 'ssd';

export interface ChainStep {
  /** Shown in the bench and the engine's model line, e.g. "tiny416@0.5". */
  label: string;
  detector: DetectorName;
  /** Tiny only: the square input side the detector resizes to (multiple of 32). */
  inputSize?: number;
  /** Minimum detection score. */
  minScore: number;
  /** Grey border added on each side before detecting, as a fraction of the longer side (0: none). */
  pad: number;
  /**
   * Longest side of the copy of the image this step detects on, before the border (never
   * enlarged). Every detector shrinks its input to a fixed square anyway, so a larger copy finds
   * nothing more and only costs tensor work; see DETECT_SIDE and BLAZE_SIDE.
   */
  side: number;
  /**
   * BlazeFace only: look at the image in tiles (see secondLook) instead of whole; hits are
   * confirmed the same way.
   */
  tiles?: SecondLook;
}

/** BlazeFace's input side: the model sees a 256 × 256 square. */
export const BLAZE_INPUT = 256;

/**
 * The BlazeFace step's copy: small enough that the copy plus its 25 % border is the model's
 * 256-px input, so padding, casting and resizing work on 256² instead of (at 1024 px) 1536²;
 * the resizing is done once by sharp (antialiased) instead of by bilinear sampling in tfjs.
 */
export const BLAZE_SIDE = Math.floor(BLAZE_INPUT / (1 + 2 * 0.25));

/**
 * The face-api detectors' copy: Tiny resizes to 416 / 320, SSD to 512, so 512 px loses them nothing.
 */
export const DETECT_SIDE = 512;

/** How a tiled look runs (see secondLook). */
export interface SecondLook { tiles: number; span: number; minScore: number; confirmSpan: number; confirm: number }
const SECOND_LOOK_TILES: SecondLook = { tiles: 4, span: 0.35, minScore: 0.5, confirmSpan: 4, confirm: 0.75 };

/**
 * The default chain. BlazeFace first, on the image with a 25 % grey border: it finds the face in
 * tight crops that fill the frame (face-api's detectors miss most of lfw-dev's, padded or not;
 * BlazeFace without the border misses a few and fires twice on others) and in portraits, and it
 * costs about what Tiny 416 does. The face-api detectors stay behind it for what it misses
 * (small faces in a large frame: BlazeFace sees the whole image at 256²). Per-step figures:
 * bench/engine-steps.ts and the README's engine section.
 */
export const DETECTOR_CHAIN: readonly ChainStep[] = [
  { label: 'pad25%+blazeface@0.5', detector: 'blaze', minScore: 0.5, pad: 0.25, side: BLAZE_SIDE },
  // The same model without the border sees a face 1.5× larger: a photographed ID card's
  // portrait (a face a fifth of the frame or less) that the bordered copy shrinks too far.
  { label: 'blazeface@0.5', detector: 'blaze', minScore: 0.5, pad: 0, side: BLAZE_INPUT },
  // Then BlazeFace on 4 × 4 tiles, each face seen about three times as large, hits confirmed (see
  // secondLook): an occluded or tilted portrait on a photographed card (a hand over the face).
  // Before Tiny, which on such a card can fire on the whole card (idcard108: a box of 840 × 656).
  { label: 'blazeface@0.5 on 4×4 tiles', detector: 'blaze', minScore: 0.5, pad: 0, side: Infinity, tiles: SECOND_LOOK_TILES },
  { label: 'tiny416@0.5', detector: 'tiny', inputSize: 416, minScore: 0.5, pad: 0, side: DETECT_SIDE },
  { label: 'tiny320@0.3', detector: 'tiny', inputSize: 320, minScore: 0.3, pad: 0, side: DETECT_SIDE },
  { label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0, side: DETECT_SIDE },
];

/** SSD alone, the slower comparison the bench reports. */
export const SSD_ONLY_CHAIN: readonly ChainStep[] = [{ label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0, side: DETECT_SIDE }];

export type ChainName = 'default' | 'ssd';
export const CHAINS: Readonly<Record<ChainName, readonly ChainStep[]>> = { default: DETECTOR_CHAIN, ssd: SSD_ONLY_CHAIN };

/**
 * Grey margin around the face, as a fraction of the face box's longer side, in the crop the
 * landmarks and the descriptor are computed in. The crop is cut from the full decoded image
 * (up to MAX_SIDE, not the detection copy), so a small face keeps its pixels; the grey stands in
 * for the parts of the margin outside the image, so a face that fills a tight crop keeps its whole
 * aligned chip instead of one cut at the edge. face-api's aligned chip (dlib rule: eye-to-mouth
 * distance / 0.45, centred on the eyes and mouth) is about the size of the detection box, so half
 * a box on every side holds it: the descriptors came out bit-identical to the earlier
 * whole-image-with-a-25 %-border computation on all 14 fixture images, at a fraction of the cost.
 */
export const DESCRIPTOR_MARGIN = 0.5;

/**
 * Longest side, in pixels, of the face box in that crop. A larger face is shrunk first (by sharp,
 * antialiased) so that its box is this size: the landmark net sees the box at 112 px and the
 * descriptor net the aligned face at 150 px anyway (both by plain bilinear sampling, which on a
 * 400-px face skips most pixels), so a larger crop only costs tensor work. Smaller faces are never
 * enlarged: LFW crops and 250-px news photos (faces under ~130 px) go through unchanged.
 */
export const FACE_SIDE = 160;

/**
 * How the chosen face is prepared for the descriptor:
 *  - `align`: level the eyes first. face-api cuts the face for its descriptor net as an upright box
 *    (no rotation), so a face tilted in the frame (an ID card photographed at an angle, a tilted
 *    head) reached the net tilted. With `align`, the eye line from the 68 landmarks gives the
 *    roll; when it exceeds MIN_ROLL_DEGREES the crop is turned about the face's centre (sharp,
 *    bilinear, grey corners) and the landmarks are found again on the levelled face.
 *  - `grey`: the face crop is turned to luma (R, G and B all set to it) before landmarks and the
 *    descriptor, so a print's tint, a desaturated or a greyscale portrait and a colour selfie are
 *    compared on the same terms.
 *  - `mirror`: the descriptor is the mean of the aligned face's and its mirror image's (one more
 *    pass of the descriptor net): a face's two halves differ by lighting, pose and print, and the
 *    mean is less sensitive to which half the light or the camera favoured.
 */
export interface PrepareOptions { align: boolean; grey: boolean; mirror: boolean }

/** Roll, in degrees, under which the face is left as it is (turning costs a second landmark pass). */
export const MIN_ROLL_DEGREES = 3;
/**
 * Roll above which the face is not levelled either: a card photographed at an angle or a tilted
 * head stays well under it, while a photo stored sideways without its EXIF orientation is a
 * different image (the engine honours the tag; it does not guess a missing one).
 */
export const MAX_ROLL_DEGREES = 30;

/** Time spent in each phase of describeImage, in ms (filled in when the caller passes one). */
export interface PhaseTimes {
  detect: number;
  /** Cutting (and for a large face, shrinking) the face crop. */
  crop: number;
  landmarks: number;
  descriptor: number;
}

export interface Detectors {
  faceapi: FaceApi;
  blaze?: BlazeFace;
}

export interface Detected {
  /** Every face the first successful step found, in decoded-image pixels, left to right. */
  faces: FaceBox[];
  /** Index into `faces` of the largest one (the one compared); null when there is none. */
  used: number | null;
  /** Label of the step that found them; null when no step did. */
  step: string | null;
  /** How many steps ran. */
  stepsRun: number;
}

export type DescribeResult =
  | ({ kind: 'face'; descriptor: Float32Array } & Detected)
  | ({ kind: 'no_face' } & Detected);

type Tensor3D = ReturnType<FaceApi['tf']['tensor3d']>;
export type { FaceBox };
export interface Hit { x: number; y: number; width: number; height: number; score: number }

export function largest<T extends { box: { width: number; height: number } }>(dets: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const d of dets) if (!best || d.box.width * d.box.height > best.box.width * best.box.height) best = d;
  return best;
}

function padded(tf: FaceApi['tf'], base: Tensor3D, fraction: number): { t: Tensor3D; offset: number } {
  const offset = Math.round(Math.max(base.shape[0], base.shape[1]) * fraction);
  if (offset === 0) return { t: base, offset };
  return { t: tf.pad(base, [[offset, offset], [offset, offset], [0, 0]], 128) as Tensor3D, offset };
}

async function detectStep(d: Detectors, input: Tensor3D, step: ChainStep): Promise<Hit[]> {
  const { faceapi } = d;
  if (step.detector === 'blaze') {
    if (!d.blaze) throw new Error('BlazeFace is in the chain but was not loaded.');
    // face-api's and tfjs's typings name the same tensor class differently.
    return d.blaze.detect(input as unknown as Parameters<BlazeFace['detect']>[0], step.minScore);
  }
  const options = step.detector === 'tiny'
    ? new faceapi.TinyFaceDetectorOptions({ inputSize: step.inputSize ?? 416, scoreThreshold: step.minScore })
    : new faceapi.SsdMobilenetv1Options({ minConfidence: step.minScore });
  const dets = await faceapi.detectAllFaces(input, options);
  return dets.map((x) => ({ x: x.box.x, y: x.box.y, width: x.box.width, height: x.box.height, score: x.score }));
}

/**
 * Runs the chain; the first step that finds anything wins. Each step detects on its own copy of
 * `image` (see ChainStep.side; steps with the same side share one); boxes come back in `image`
 * pixels (they may run past its edges).
 */
async function runChain(d: Detectors, image: RgbImage, chain: readonly ChainStep[]): Promise<{ hits: Hit[]; step: ChainStep | null; stepsRun: number }> {
  const { tf } = d.faceapi;
  const copies = new Map<number, Promise<RgbImage>>();
  let stepsRun = 0;
  for (const step of chain) {
    stepsRun++;
    if (step.tiles) {
      const hits = await tiledLook(d, image, [], Infinity, step.tiles);
      if (hits.length > 0) return { hits, step, stepsRun };
      continue;
    }
    if (!copies.has(step.side)) copies.set(step.side, shrink(image, step.side));
    const copy = await copies.get(step.side)!;
    const base = tf.tensor3d(copy.data, [copy.height, copy.width, 3], 'int32');
    const { t, offset } = padded(tf, base, step.pad);
    try {
      const hits = await detectStep(d, t, step);
      if (hits.length > 0) {
        const [sx, sy] = [image.width / copy.width, image.height / copy.height];
        return { hits: hits.map((h) => ({ ...h, x: (h.x - offset) * sx, y: (h.y - offset) * sy, width: h.width * sx, height: h.height * sy })), step, stepsRun };
      }
    } finally {
      if (t !== base) t.dispose();
      base.dispose();
    }
  }
  return { hits: [], step: null, stepsRun };
}

/**
 * The second look: when the largest face found is small in the frame (its longer side under
 * SMALL_FACE of the image's longer side, as on a photographed ID card, a group or a wide shot),
 * smaller faces may have been below the first detection's resolution: the "ghost image" an ID
 * card prints beside its portrait, for one. BlazeFace then looks again at `tiles` × `tiles`
 * overlapping tiles of the image (each `span` of its width and height, shrunk to the model's
 * input), so each face is seen about three times as large (on the ID-card dev set's first 100
 * cards, 2 × 2 tiles of 0.6 listed 80 ghosts, 3 × 3 of 0.45 listed 94, 4 × 4 of 0.35 all 100).
 * A face found there is listed when
 *  - it is smaller than the largest face already found (one as large would have been found the
 *    first time: a larger hit in a tile is a false one),
 *  - it does not lie mostly inside a face already found, and
 *  - BlazeFace finds it again, scoring at least `confirm`, in a square `confirmSpan` times its
 *    side centred on it: the tiles' own scores overlap between ghosts and patterns (hair, cloth,
 *    a table's grain: 0.5 to 0.71 on the fixtures' photos), the confirming look's do not (on the
 *    first 60 cards and the fixtures: 59 of 60 ghosts at 0.77 or more, every false hit 0.69 or less).
 * These faces are listed only: the compared face is always chosen from the first look (see
 * describeImage), so the second look can never change a comparison. Faces larger in the frame
 * (portraits, selfies, tight crops) skip it.
 */
export const SMALL_FACE = 0.3;
export const SECOND_LOOK: SecondLook = SECOND_LOOK_TILES;

export async function secondLook(d: Detectors, image: RgbImage, found: readonly Hit[], look: SecondLook = SECOND_LOOK): Promise<Hit[]> {
  const biggest = Math.max(...found.map((h) => Math.max(h.width, h.height)));
  if (!d.blaze || look.tiles < 1 || biggest >= SMALL_FACE * Math.max(image.width, image.height)) return [];
  return tiledLook(d, image, found, biggest, look);
}

/** BlazeFace on tiles of `image` (see secondLook): confirmed faces smaller than `under` and not inside one of `found`. */
async function tiledLook(d: Detectors, image: RgbImage, found: readonly Hit[], under: number, look: SecondLook): Promise<Hit[]> {
  const [tw, th] = [Math.round(image.width * look.span), Math.round(image.height * look.span)];
  const added: Hit[] = [];
  for (let j = 0; j < look.tiles; j++) {
    for (let i = 0; i < look.tiles; i++) {
      const x0 = look.tiles === 1 ? 0 : Math.round(((image.width - tw) * i) / (look.tiles - 1));
      const y0 = look.tiles === 1 ? 0 : Math.round(((image.height - th) * j) / (look.tiles - 1));
      const tile = await shrink(cutOut(image, x0, y0, tw, th), BLAZE_INPUT);
      const k = tw / tile.width;
      for (const h of await blazeOn(d, tile, look.minScore)) {
        const hit = { x: x0 + h.x * k, y: y0 + h.y * k, width: h.width * k, height: h.height * k, score: h.score };
        if (Math.max(hit.width, hit.height) >= under) continue;
        if ([...found, ...added].some((f) => overlapOfSmaller(f, hit) > CONTAINED)) continue;
        if (await confirmed(d, image, hit, look)) added.push(hit);
      }
    }
  }
  return added;
}

async function blazeOn(d: Detectors, image: RgbImage, minScore: number): Promise<Hit[]> {
  const t = d.faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    return await d.blaze!.detect(t as unknown as Parameters<BlazeFace['detect']>[0], minScore);
  } finally {
    t.dispose();
  }
}

/** BlazeFace finds `hit` again (score ≥ look.confirm, centred within its own size) in a square around it, at the model's input side. */
async function confirmed(d: Detectors, image: RgbImage, hit: Hit, look: SecondLook): Promise<boolean> {
  const side = Math.round(Math.max(hit.width, hit.height) * look.confirmSpan);
  const x0 = Math.round(hit.x + hit.width / 2 - side / 2);
  const y0 = Math.round(hit.y + hit.height / 2 - side / 2);
  const square = await resizeRgb(cutOut(image, x0, y0, side, side), BLAZE_INPUT, BLAZE_INPUT);
  const c = BLAZE_INPUT / 2;
  const reach = BLAZE_INPUT / look.confirmSpan / 2;
  return (await blazeOn(d, square, look.confirm))
    .some((h) => Math.abs(h.x + h.width / 2 - c) < reach && Math.abs(h.y + h.height / 2 - c) < reach);
}

/** A box clipped to the image. */
function clipped(h: Hit, width: number, height: number): FaceBox {
  const x0 = Math.max(0, h.x);
  const y0 = Math.max(0, h.y);
  const x1 = Math.min(width, h.x + h.width);
  const y1 = Math.min(height, h.y + h.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0), score: h.score };
}

/**
 * The face crop for landmarks + descriptor: the face box plus DESCRIPTOR_MARGIN on every side,
 * cut from `image`, grey (128) where it runs past the image's edges. Returns the crop's pixels
 * and where the face sits in it.
 */
export function faceCrop(image: RgbImage, face: Hit): { crop: RgbImage; box: Hit } {
  const m = DESCRIPTOR_MARGIN * Math.max(face.width, face.height);
  const x0 = Math.floor(face.x - m);
  const y0 = Math.floor(face.y - m);
  const width = Math.max(1, Math.ceil(face.x + face.width + m) - x0);
  const height = Math.max(1, Math.ceil(face.y + face.height + m) - y0);
  return { crop: cutOut(image, x0, y0, width, height), box: { ...face, x: face.x - x0, y: face.y - y0 } };
}

/** The `width` × `height` region of `image` at (x0, y0), grey (128) where it runs past the edges. */
export function cutOut(image: RgbImage, x0: number, y0: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  const sx0 = Math.max(0, x0);
  const sx1 = Math.min(image.width, x0 + width);
  if (sx1 > sx0) {
    for (let y = Math.max(0, y0); y < Math.min(image.height, y0 + height); y++) {
      data.set(image.data.subarray((y * image.width + sx0) * 3, (y * image.width + sx1) * 3), ((y - y0) * width + (sx0 - x0)) * 3);
    }
  }
  return { data, width, height };
}

/**
 * faceCrop, shrunk when the face is larger than FACE_SIDE so that its box's longer side is
 * FACE_SIDE; the box comes back in the returned crop's pixels.
 */
export async function faceCropAtScale(image: RgbImage, face: Hit): Promise<{ crop: RgbImage; box: Hit }> {
  const cut = faceCrop(image, face);
  const k = FACE_SIDE / Math.max(face.width, face.height);
  if (k >= 1) return cut;
  const width = Math.max(1, Math.round(cut.crop.width * k));
  const height = Math.max(1, Math.round(cut.crop.height * k));
  const crop = await resizeRgb(cut.crop, width, height);
  const [kx, ky] = [width / cut.crop.width, height / cut.crop.height];
  const b = cut.box;
  return { crop, box: { ...b, x: b.x * kx, y: b.y * ky, width: b.width * kx, height: b.height * ky } };
}

/**
 * Finds the faces of an image and, when `describe` is set, the descriptor of the largest one.
 * Detection runs on smaller copies (see runChain); boxes are in `image` pixels; the largest
 * face's landmarks and descriptor are computed in a crop of `image` around it (DESCRIPTOR_MARGIN).
 * Without `describe` the result is `no_face` with the faces filled in (no descriptor computed).
 */
export async function describeImage(d: Detectors, image: RgbImage, chain: readonly ChainStep[], describe = true, times?: PhaseTimes, prepare: PrepareOptions = PREPARE, look: SecondLook = SECOND_LOOK): Promise<DescribeResult> {
  const t0 = performance.now();
  const chained = await runChain(d, image, chain);
  const { step, stepsRun } = chained;
  if (!step) {
    if (times) times.detect = performance.now() - t0;
    return { kind: 'no_face', faces: [], used: null, step: null, stepsRun };
  }
  // The compared face is the largest of the first look. The second look only adds to the list
  // of faces, which only POST /faces returns: a comparison (`describe`) skips it.
  const face = largest(chained.hits.map((h) => ({ box: h, h })))!.h;
  const hits = describe ? chained.hits : [...chained.hits, ...await secondLook(d, image, chained.hits, look)];
  if (times) times.detect = performance.now() - t0;
  const order = [...hits].sort((a, b) => a.x - b.x);
  const detected: Detected = { faces: order.map((h) => clipped(h, image.width, image.height)), used: order.indexOf(face), step: step.label, stepsRun };
  if (!describe) return { kind: 'no_face', ...detected };
  const tc = performance.now();
  const cut = await faceCropAtScale(image, face);
  const crop = prepare.grey ? luma(cut.crop) : cut.crop;
  if (times) times.crop = performance.now() - tc;
  const descriptor = await describeFace(d, crop, cut.box, face.score, prepare.align, prepare.mirror, times);
  if (!descriptor) return { kind: 'no_face', ...detected };
  return { kind: 'face', descriptor, ...detected };
}

/**
 * The default preparation (see PrepareOptions). Measured side by side on the ID-card dev set
 * (400 pairs, threshold 0.6): eyes levelled 393 right, FNMR at FMR ≤ 1 % 3.5 %; not levelled 392,
 * 2.5 %; levelled + greyscale 392, 3.0 %; levelled + mirror 395 (with an undetected card counted
 * wrong), 1.5 %, and lfw-dev 397 → 399 of 400. Greyscale stays off: it did not help.
 */
export const PREPARE: PrepareOptions = { align: true, grey: false, mirror: true };

/** RGB → luma (Rec. 601), written to all three channels. */
export function luma(image: RgbImage): RgbImage {
  const data = new Uint8Array(image.data.length);
  const src = image.data;
  for (let i = 0; i < src.length; i += 3) {
    const y = (299 * src[i]! + 587 * src[i + 1]! + 114 * src[i + 2]! + 500) / 1000;
    data[i] = data[i + 1] = data[i + 2] = y;
  }
  return { data, width: image.width, height: image.height };
}

/** The roll of a face, in degrees (clockwise positive in image coordinates), from its eye centres. */
export function rollDegrees(left: readonly { x: number; y: number }[], right: readonly { x: number; y: number }[]): number {
  const mean = (pts: readonly { x: number; y: number }[]) => ({ x: pts.reduce((a, p) => a + p.x, 0) / pts.length, y: pts.reduce((a, p) => a + p.y, 0) / pts.length });
  const [l, r] = [mean(left), mean(right)];
  return (Math.atan2(r.y - l.y, r.x - l.x) * 180) / Math.PI;
}

/**
 * `image` turned by `degrees` (positive: clockwise) about the centre of `box`, on a canvas of the
 * same size (grey where the turned image does not reach). The box keeps its centre and size.
 */
export async function turnAbout(image: RgbImage, box: Hit, degrees: number): Promise<RgbImage> {
  const turned = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .rotate(degrees, { background: { r: 128, g: 128, b: 128 } })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  // sharp turns about the image's centre and grows the canvas: cut the original size back out,
  // centred on where the box's centre went.
  const a = (degrees * Math.PI) / 180;
  const [cx, cy] = [box.x + box.width / 2 - image.width / 2, box.y + box.height / 2 - image.height / 2];
  const nx = cx * Math.cos(a) - cy * Math.sin(a) + turned.info.width / 2;
  const ny = cx * Math.sin(a) + cy * Math.cos(a) + turned.info.height / 2;
  const t: RgbImage = { data: new Uint8Array(turned.data.buffer, turned.data.byteOffset, turned.data.length), width: turned.info.width, height: turned.info.height };
  const [bx, by] = [box.x + box.width / 2, box.y + box.height / 2];
  return cutOut(t, Math.round(nx - bx), Math.round(ny - by), image.width, image.height);
}

/** Landmarks, then (levelled when `align` and the roll is large enough) the descriptor of the face at `box` in `crop`. */
async function describeFace(d: Detectors, crop: RgbImage, box: Hit, score: number, align: boolean, mirror: boolean, times?: PhaseTimes): Promise<Float32Array | null> {
  const { faceapi } = d;
  const { tf } = faceapi;
  let image = crop;
  for (let pass = 0; ; pass++) {
    const t = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const [W, H] = [image.width, image.height];
      const b = clipped(box, W, H);
      const detection = new faceapi.FaceDetection(score, new faceapi.Rect(b.x / W, b.y / H, b.width / W, b.height / H), { width: W, height: H });
      const t1 = performance.now();
      const withLandmarks = await new faceapi.DetectSingleFaceLandmarksTask(Promise.resolve({ detection }), t, false).run();
      const t2 = performance.now();
      if (times) times.landmarks = (pass ? times.landmarks : 0) + t2 - t1;
      if (!withLandmarks) return null;
      if (align && pass === 0) {
        const roll = rollDegrees(withLandmarks.landmarks.getLeftEye(), withLandmarks.landmarks.getRightEye());
        if (Math.abs(roll) >= MIN_ROLL_DEGREES && Math.abs(roll) <= MAX_ROLL_DEGREES) {
          image = await turnAbout(image, box, -roll);
          continue;
        }
      }
      const descriptor = await descriptorOf(d, t, withLandmarks.landmarks, mirror);
      if (times) times.descriptor = performance.now() - t2;
      return descriptor;
    } finally {
      t.dispose();
    }
  }
}

/** Runs every net once on blank input, so the first real request does not pay for kernel set-up. */
export async function warmUp(d: Detectors, chain: readonly ChainStep[]): Promise<void> {
  const { tf } = d.faceapi;
  const blank = { data: new Uint8Array(160 * 160 * 3).fill(128), width: 160, height: 160 };
  // A blank image makes every step find nothing, so every detector runs once.
  await describeImage(d, blank, chain);
  const face = tf.zeros([112, 112, 3]) as Tensor3D;
  await d.faceapi.nets.faceLandmark68Net.detectLandmarks(face);
  face.dispose();
  const crop = tf.zeros([150, 150, 3]) as Tensor3D;
  await d.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop);
  crop.dispose();
}

/**
 * The 128-d descriptor of the face at `landmarks` in `t`: the face cut as face-api does for its
 * descriptor (dlib alignment box from the eyes and mouth), and with `mirror` the mean of its
 * descriptor and its mirror image's.
 */
async function descriptorOf(d: Detectors, t: Tensor3D, landmarks: InstanceType<FaceApi['FaceLandmarks68']>, mirror: boolean): Promise<Float32Array | null> {
  const { faceapi } = d;
  const { tf } = faceapi;
  const [face] = await faceapi.extractFaceTensors(t, [landmarks.align(null, { useDlibAlignment: true })]);
  if (!face) return null;
  try {
    const net = faceapi.nets.faceRecognitionNet;
    const direct = await net.computeFaceDescriptor(face) as Float32Array;
    if (!mirror) return direct;
    // face-api's typings of its tfjs omit reverse; it is the same tfjs module.
    const flipped = (tf as unknown as typeof TfTypes).reverse(face as unknown as TfTypes.Tensor3D, 1) as unknown as typeof face;
    try {
      const other = await net.computeFaceDescriptor(flipped) as Float32Array;
      return direct.map((v, i) => (v + other[i]!) / 2);
    } finally {
      flipped.dispose();
    }
  } finally {
    face.dispose();
  }
}
