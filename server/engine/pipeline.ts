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
import type { RgbImage } from './decode.ts';

export type DetectorName = 'tiny' | 'ssd';

export interface ChainStep {
  /** Shown in the bench and the engine's model line, e.g. "tiny416@0.5". */
  label: string;
  detector: DetectorName;
  /** Tiny only: the square input side the detector resizes to (multiple of 32). */
  inputSize?: number;
  /** Minimum detection score. */
  minScore: number;
  /**
   * Grey border added on each side before detecting, as a fraction of the longer side (0: none).
   * Tight crops whose face fills the frame are missed by both detectors until the face has some
   * background around it.
   */
  pad: number;
}

/** The default chain. Figures for each step: bench/engine-eval.ts and the README's engine section. */
export const DETECTOR_CHAIN: readonly ChainStep[] = [
  { label: 'tiny416@0.5', detector: 'tiny', inputSize: 416, minScore: 0.5, pad: 0 },
  { label: 'tiny320@0.3', detector: 'tiny', inputSize: 320, minScore: 0.3, pad: 0 },
  { label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0 },
  { label: 'pad25%+tiny416@0.5', detector: 'tiny', inputSize: 416, minScore: 0.5, pad: 0.25 },
  { label: 'pad25%+ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0.25 },
];

/** SSD alone, the slower comparison the bench reports. */
export const SSD_ONLY_CHAIN: readonly ChainStep[] = [{ label: 'ssd@0.5', detector: 'ssd', minScore: 0.5, pad: 0 }];

export type ChainName = 'default' | 'ssd';
export const CHAINS: Readonly<Record<ChainName, readonly ChainStep[]>> = { default: DETECTOR_CHAIN, ssd: SSD_ONLY_CHAIN };

import type { FaceBox } from './types.ts';
export type { FaceBox };

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
type Detection = Awaited<ReturnType<FaceApi['detectAllFaces']>>[number];

export function largest<T extends { box: { width: number; height: number } }>(dets: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const d of dets) if (!best || d.box.width * d.box.height > best.box.width * best.box.height) best = d;
  return best;
}

function optionsFor(faceapi: FaceApi, step: ChainStep) {
  return step.detector === 'tiny'
    ? new faceapi.TinyFaceDetectorOptions({ inputSize: step.inputSize ?? 416, scoreThreshold: step.minScore })
    : new faceapi.SsdMobilenetv1Options({ minConfidence: step.minScore });
}

interface StepHit { dets: Detection[]; input: Tensor3D; offset: number; step: ChainStep }

/**
 * Runs the chain; returns the first step's hits with the tensor they were found in (the caller
 * disposes it when it is not `base`).
 */
async function runChain(faceapi: FaceApi, base: Tensor3D, chain: readonly ChainStep[]): Promise<{ hit: StepHit | null; stepsRun: number }> {
  const { tf } = faceapi;
  const padded = new Map<number, Tensor3D>();
  let stepsRun = 0;
  let hit: StepHit | null = null;
  try {
    for (const step of chain) {
      stepsRun++;
      let input = base;
      let offset = 0;
      if (step.pad > 0) {
        offset = Math.round(Math.max(base.shape[0], base.shape[1]) * step.pad);
        let t = padded.get(offset);
        if (!t) {
          t = tf.pad(base, [[offset, offset], [offset, offset], [0, 0]], 128) as Tensor3D;
          padded.set(offset, t);
        }
        input = t;
      }
      const dets = await faceapi.detectAllFaces(input, optionsFor(faceapi, step));
      if (dets.length > 0) {
        hit = { dets, input, offset, step };
        return { hit, stepsRun };
      }
    }
    return { hit: null, stepsRun };
  } finally {
    for (const t of padded.values()) if (t !== hit?.input) t.dispose();
  }
}

/** A detection box moved back into the unpadded image and clipped to it. */
function toImageBox(d: Detection, offset: number, width: number, height: number): FaceBox {
  const x0 = Math.max(0, d.box.x - offset);
  const y0 = Math.max(0, d.box.y - offset);
  const x1 = Math.min(width, d.box.x + d.box.width - offset);
  const y1 = Math.min(height, d.box.y + d.box.height - offset);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0), score: d.score };
}

/**
 * Finds the faces of an image and, when `describe` is set, the descriptor of the largest one
 * (computed in the tensor the face was found in, so a padded crop keeps its border).
 * Without `describe` the result is `no_face` with the faces filled in (no descriptor computed).
 */
export async function describeImage(faceapi: FaceApi, image: RgbImage, chain: readonly ChainStep[], describe = true): Promise<DescribeResult> {
  const { tf } = faceapi;
  const base = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  let hitInput: Tensor3D | null = null;
  try {
    const { hit, stepsRun } = await runChain(faceapi, base, chain);
    if (!hit) return { kind: 'no_face', faces: [], used: null, step: null, stepsRun };
    hitInput = hit.input;
    const order = hit.dets.map((d) => d).sort((a, b) => a.box.x - b.box.x);
    const faces = order.map((d) => toImageBox(d, hit.offset, image.width, image.height));
    const face = largest(hit.dets)!;
    const detected: Detected = { faces, used: order.indexOf(face), step: hit.step.label, stepsRun };
    if (!describe) return { kind: 'no_face', ...detected };
    const described = await new faceapi.DetectSingleFaceLandmarksTask(Promise.resolve({ detection: face }), hit.input, false).withFaceDescriptor();
    if (!described) return { kind: 'no_face', ...detected };
    return { kind: 'face', descriptor: described.descriptor, ...detected };
  } finally {
    if (hitInput && hitInput !== base) hitInput.dispose();
    base.dispose();
  }
}

/** Runs every net once on blank input, so the first real request does not pay for kernel set-up. */
export async function warmUp(faceapi: FaceApi, chain: readonly ChainStep[]): Promise<void> {
  const { tf } = faceapi;
  const blank = { data: new Uint8Array(160 * 160 * 3).fill(128), width: 160, height: 160 };
  // A blank image makes every step find nothing, so every detector and padding runs once.
  await describeImage(faceapi, blank, chain);
  const face = tf.zeros([112, 112, 3]) as Tensor3D;
  await faceapi.nets.faceLandmark68Net.detectLandmarks(face);
  face.dispose();
  const crop = tf.zeros([150, 150, 3]) as Tensor3D;
  await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop);
  crop.dispose();
}
