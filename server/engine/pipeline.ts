/**
 * One image → its faces, and the descriptor of the largest. Runs wherever face-api is loaded (a worker).
 *
 * Detection is a chain of steps, tried in order until one finds a face (see DETECTOR_CHAIN for the
 * steps and bench/engine-steps.ts for what each one costs and finds). Later steps run only on
 * images the earlier ones found nothing in, so an ordinary photo pays for the first step alone.
 *
 * Which face: the largest detection box by area (width × height, in pixels of the decoded image).
 * Landmarks (68 points) and the 128-d descriptor are computed for that face only.
 */
import type { FaceApi } from './faceapi.ts';
import type { BlazeFace } from './blazeface.ts';
import type { FaceBox } from './types.ts';
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
  const data = new Uint8Array(width * height * 3).fill(128);
  const sx0 = Math.max(0, x0);
  const sx1 = Math.min(image.width, x0 + width);
  if (sx1 > sx0) {
    for (let y = Math.max(0, y0); y < Math.min(image.height, y0 + height); y++) {
      data.set(image.data.subarray((y * image.width + sx0) * 3, (y * image.width + sx1) * 3), ((y - y0) * width + (sx0 - x0)) * 3);
    }
  }
  return { crop: { data, width, height }, box: { ...face, x: face.x - x0, y: face.y - y0 } };
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
export async function describeImage(d: Detectors, image: RgbImage, chain: readonly ChainStep[], describe = true, times?: PhaseTimes): Promise<DescribeResult> {
  const { faceapi } = d;
  const { tf } = faceapi;
  const t0 = performance.now();
  const { hits, step, stepsRun } = await runChain(d, image, chain);
  if (times) times.detect = performance.now() - t0;
  if (!step) return { kind: 'no_face', faces: [], used: null, step: null, stepsRun };
  const order = [...hits].sort((a, b) => a.x - b.x);
  const face = largest(order.map((h) => ({ box: h, h })))!.h;
  const detected: Detected = { faces: order.map((h) => clipped(h, image.width, image.height)), used: order.indexOf(face), step: step.label, stepsRun };
  if (!describe) return { kind: 'no_face', ...detected };
  const tc = performance.now();
  const { crop, box } = await faceCropAtScale(image, face);
  if (times) times.crop = performance.now() - tc;
  const t = tf.tensor3d(crop.data, [crop.height, crop.width, 3], 'int32');
  try {
    const [W, H] = [crop.width, crop.height];
    const b = clipped(box, W, H);
    const detection = new faceapi.FaceDetection(face.score, new faceapi.Rect(b.x / W, b.y / H, b.width / W, b.height / H), { width: W, height: H });
    const t1 = performance.now();
    const withLandmarks = await new faceapi.DetectSingleFaceLandmarksTask(Promise.resolve({ detection }), t, false).run();
    const t2 = performance.now();
    const described = withLandmarks && await new faceapi.ComputeSingleFaceDescriptorTask(Promise.resolve(withLandmarks), t).run();
    if (times) {
      times.landmarks = t2 - t1;
      times.descriptor = performance.now() - t2;
    }
    if (!described) return { kind: 'no_face', ...detected };
    return { kind: 'face', descriptor: described.descriptor, ...detected };
  } finally {
    t.dispose();
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
