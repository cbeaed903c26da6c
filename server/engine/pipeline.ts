/**
 * One image → its faces, and the descriptor of the largest. Runs wherever face-api is loaded (a worker).
 *
 * Detection is a chain of steps, tried in order until one finds a face (see DETECTOR_CHAIN for the
 * steps and bench/engine-eval.ts for what each one costs and finds). Later steps run only on
 * images the earlier ones found nothing in, so an ordinary photo pays for the first step alone.
 *
 * Which face: the largest detection box by area (width × height, in pixels of the decoded image).
 * Landmarks (68 points) and the 128-d descriptor are computed for that face only.
 */
import type { FaceApi } from './faceapi.ts';
import type { BlazeFace } from './blazeface.ts';
import type { FaceBox } from './types.ts';
import type { RgbImage } from './decode.ts';

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
}

/**
 * The default chain. BlazeFace first, on the image with a 25 % grey border: it finds the face in
 * tight crops that fill the frame (face-api's detectors miss most of lfw-dev's, padded or not;
 * BlazeFace without the border misses a few and fires twice on others) and in portraits, and it
 * costs about what Tiny 416 does. The face-api detectors stay behind it for what it misses
 * (small faces in a large frame: BlazeFace sees the whole image at 256²). Per-step figures:
 * bench/engine-steps.ts and the README's engine section.
 */
export const DETECTOR_CHAIN: readonly ChainStep[] = [
  { label: 'pad25%+blazeface@0.5', detector: 'blaze', minScore: 0.5, pad: 0.25 },
  { label: 'tiny416@0.5', detector: 'tiny', inputSize: 416, minScore: 0.5, pad: 0 },
  { label: 'tiny320@0.3', detector: 'tiny', inputSize: 320, minScore: 0.3, pad: 0 },
  { label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0 },
];

/** SSD alone, the slower comparison the bench reports. */
export const SSD_ONLY_CHAIN: readonly ChainStep[] = [{ label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0 }];

export type ChainName = 'default' | 'ssd';
export const CHAINS: Readonly<Record<ChainName, readonly ChainStep[]>> = { default: DETECTOR_CHAIN, ssd: SSD_ONLY_CHAIN };

/**
 * Grey border (fraction of the longer side) around the image the landmarks and the descriptor are
 * computed in, so a face that fills a tight crop keeps its whole aligned chip instead of one cut
 * at the edge. On lfw-dev: +0.25 gave 2 more pairs right than none at the old threshold, same on
 * the fixtures.
 */
export const DESCRIPTOR_PAD = 0.25;

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
interface Hit { x: number; y: number; width: number; height: number; score: number }

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

/** Runs the chain; the first step that finds anything wins. Boxes in `base` pixels (may run past its edges). */
async function runChain(d: Detectors, base: Tensor3D, chain: readonly ChainStep[]): Promise<{ hits: Hit[]; step: ChainStep | null; stepsRun: number }> {
  let stepsRun = 0;
  for (const step of chain) {
    stepsRun++;
    const { t, offset } = padded(d.faceapi.tf, base, step.pad);
    try {
      const hits = await detectStep(d, t, step);
      if (hits.length > 0) return { hits: hits.map((h) => ({ ...h, x: h.x - offset, y: h.y - offset })), step, stepsRun };
    } finally {
      if (t !== base) t.dispose();
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
 * Finds the faces of an image and, when `describe` is set, the descriptor of the largest one.
 * Without `describe` the result is `no_face` with the faces filled in (no descriptor computed).
 */
export async function describeImage(d: Detectors, image: RgbImage, chain: readonly ChainStep[], describe = true): Promise<DescribeResult> {
  const { faceapi } = d;
  const { tf } = faceapi;
  const base = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const { hits, step, stepsRun } = await runChain(d, base, chain);
    if (!step) return { kind: 'no_face', faces: [], used: null, step: null, stepsRun };
    const order = [...hits].sort((a, b) => a.x - b.x);
    const face = largest(order.map((h) => ({ box: h, h })))!.h;
    const detected: Detected = { faces: order.map((h) => clipped(h, image.width, image.height)), used: order.indexOf(face), step: step.label, stepsRun };
    if (!describe) return { kind: 'no_face', ...detected };
    const { t, offset } = padded(tf, base, DESCRIPTOR_PAD);
    try {
      const [W, H] = [t.shape[1], t.shape[0]];
      const b = clipped({ ...face, x: face.x + offset, y: face.y + offset }, W, H);
      const detection = new faceapi.FaceDetection(face.score, new faceapi.Rect(b.x / W, b.y / H, b.width / W, b.height / H), { width: W, height: H });
      const described = await new faceapi.DetectSingleFaceLandmarksTask(Promise.resolve({ detection }), t, false).withFaceDescriptor();
      if (!described) return { kind: 'no_face', ...detected };
      return { kind: 'face', descriptor: described.descriptor, ...detected };
    } finally {
      if (t !== base) t.dispose();
    }
  } finally {
    base.dispose();
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
