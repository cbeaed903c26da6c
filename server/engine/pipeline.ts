/**
 * One image → the descriptor of its largest face. Runs wherever face-api is loaded (a worker).
 *
 * Detection policy (measured on the fixture photos, 2-core machine, WASM SIMD, one thread):
 *  - SSD MobileNet v1 costs ≈ 200–250 ms per image whatever the photo size (it always runs at 512²);
 *    the Tiny Face Detector at 416² costs ≈ 45–80 ms.
 *  - Both give 16/16 correct decisions on pairs.csv with the same margins (largest same-person
 *    distance 0.55 / 0.55, smallest different-person distance 0.71 / 0.72).
 *  - Tiny misses small faces (a fixture shrunk to 25 % on a 1200×900 canvas: 6/14 missed, SSD 1/14),
 *    SSD misses some dark or blurred ones (2/14 each, Tiny 0 and 2).
 * So the default 'tiny+ssd' runs Tiny first and SSD only when Tiny finds nothing: recall of both,
 * the speed of Tiny on ordinary photos. 'ssd' runs SSD alone.
 *
 * Which face: the largest detection box by area (width × height, in pixels of the decoded image).
 * Landmarks (68 points) and the 128-d descriptor are computed for that face only.
 */
import type { FaceApi } from './faceapi.ts';
import type { RgbImage } from './decode.ts';

export type Detector = 'tiny+ssd' | 'ssd';
export const DEFAULT_DETECTOR: Detector = 'tiny+ssd';

export const SSD_MIN_CONFIDENCE = 0.5;
export const TINY_INPUT_SIZE = 416;
export const TINY_SCORE_THRESHOLD = 0.5;

export interface FaceBox { x: number; y: number; width: number; height: number; score: number }

export type DescribeResult =
  | { kind: 'face'; descriptor: Float32Array; box: FaceBox; faces: number; detector: 'tiny' | 'ssd' }
  | { kind: 'no_face' };

type Detection = Awaited<ReturnType<FaceApi['detectAllFaces']>>[number];

export function largest<T extends { box: { width: number; height: number } }>(dets: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const d of dets) if (!best || d.box.width * d.box.height > best.box.width * best.box.height) best = d;
  return best;
}

export async function describeImage(faceapi: FaceApi, image: RgbImage, detector: Detector): Promise<DescribeResult> {
  const { tf } = faceapi;
  const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    let used: 'tiny' | 'ssd' = 'ssd';
    let dets: Detection[] = [];
    if (detector === 'tiny+ssd') {
      used = 'tiny';
      dets = await faceapi.detectAllFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: TINY_INPUT_SIZE, scoreThreshold: TINY_SCORE_THRESHOLD }));
    }
    if (dets.length === 0) {
      used = 'ssd';
      dets = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: SSD_MIN_CONFIDENCE }));
    }
    const face = largest(dets);
    if (!face) return { kind: 'no_face' };
    const described = await new faceapi.DetectSingleFaceLandmarksTask(Promise.resolve({ detection: face }), input, false).withFaceDescriptor();
    if (!described) return { kind: 'no_face' };
    const { x, y, width, height } = face.box;
    return { kind: 'face', descriptor: described.descriptor, box: { x, y, width, height, score: face.score }, faces: dets.length, detector: used };
  } finally {
    input.dispose();
  }
}

/** Runs every net once on blank input, so the first real request does not pay for kernel set-up. */
export async function warmUp(faceapi: FaceApi, detector: Detector): Promise<void> {
  const { tf } = faceapi;
  const blank = { data: new Uint8Array(160 * 160 * 3).fill(128), width: 160, height: 160 };
  // A blank image makes Tiny find nothing and fall through to SSD, so both detectors run.
  await describeImage(faceapi, blank, detector);
  const face = tf.zeros([112, 112, 3]) as ReturnType<typeof tf.tensor3d>;
  await faceapi.nets.faceLandmark68Net.detectLandmarks(face);
  face.dispose();
  const crop = tf.zeros([150, 150, 3]) as ReturnType<typeof tf.tensor3d>;
  await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop);
  crop.dispose();
}
