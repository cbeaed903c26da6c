/**
 * BlazeFace (MediaPipe's short-range face detector, "back camera" variant: 256 × 256 input, 896
 * anchors), run on the same tfjs WASM backend as face-api.
 *
 * Weights: `models/blazeface.json` + `.bin` as shipped inside the npm package @vladmandic/human
 * (MIT); the model file names its origin (`"generatedBy": "https://github.com/google/mediapipe"`,
 * MediaPipe models are Apache-2.0). Only the weight files are read from that package; none of
 * its code is loaded (it would bring a second tfjs set-up), so the decoding below is ours:
 *
 *  - the input is padded to a square with grey (no distortion), resized to 256², scaled to −1..1;
 *  - anchors: stride 16 (16 × 16 cells, 2 anchors each) then stride 32 (8 × 8 cells, 6 each), at
 *    cell centres — the MediaPipe SSD anchor layout for this model;
 *  - each of the 896 rows is [score logit, dx, dy, w, h, 6 keypoints × (x, y)] in input pixels,
 *    box centre = anchor + (dx, dy);
 *  - boxes above the minimum score go through non-maximum suppression (IoU 0.3), then a box
 *    mostly inside a better-scored one (intersection > half its own area) is dropped too: on
 *    tight crops the detector also fires on part of the face, a small box IoU does not remove.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TfTypes from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/** The package's exports map hides package.json; its main entry sits in dist/, the models beside it. */
export const BLAZEFACE_DIR = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models');

const INPUT = 256;
const IOU = 0.3;
const MAX_FACES = 20;

type Tf = typeof TfTypes;
type Tensor3D = TfTypes.Tensor3D;

export interface BlazeFaceHit { x: number; y: number; width: number; height: number; score: number }

export interface BlazeFace {
  /** Faces in pixels of `image`, any order; boxes may run past the image's edges. */
  detect(image: TfTypes.Tensor3D, minScore: number): Promise<BlazeFaceHit[]>;
}

/** A box is "inside" another when more than this share of the smaller box's area overlaps. */
export const CONTAINED = 0.5;

export function overlapOfSmaller(a: BlazeFaceHit, b: BlazeFaceHit): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

function anchors(): Float32Array {
  const out: number[] = [];
  for (const [stride, perCell] of [[16, 2], [32, 6]] as const) {
    const cells = INPUT / stride;
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

/** Loads the model into the tfjs instance face-api uses (call after loadFaceApi has set the backend). */
export async function loadBlazeFace(): Promise<BlazeFace> {
  const tf = require('@tensorflow/tfjs') as Tf;
  const manifest = JSON.parse(fs.readFileSync(path.join(BLAZEFACE_DIR, 'blazeface.json'), 'utf8')) as {
    modelTopology: object; format: string; generatedBy: string; convertedBy: string;
    weightsManifest: { paths: string[]; weights: object[] }[];
  };
  const weightSpecs = manifest.weightsManifest.flatMap((m) => m.weights);
  const bins = manifest.weightsManifest.flatMap((m) => m.paths).map((p) => fs.readFileSync(path.join(BLAZEFACE_DIR, p)));
  const all = Buffer.concat(bins);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: manifest.modelTopology,
    weightSpecs: weightSpecs as Parameters<Tf['io']['fromMemory']>[1],
    weightData,
    format: manifest.format,
    generatedBy: manifest.generatedBy,
    convertedBy: manifest.convertedBy,
  } as Parameters<Tf['io']['fromMemory']>[0]));
  const anchor = anchors();
  const count = anchor.length / 2;

  return {
    async detect(image: Tensor3D, minScore: number) {
      const [h, w] = [image.shape[0], image.shape[1]];
      const side = Math.max(h, w);
      const scale = side / INPUT;
      const rows = tf.tidy(() => {
        const square = tf.pad(image, [[0, side - h], [0, side - w], [0, 0]], 128);
        const input = tf.expandDims(tf.sub(tf.div(tf.image.resizeBilinear(tf.cast(square, 'float32'), [INPUT, INPUT]), 127.5), 1), 0);
        const outs = model.execute(input) as Tensor3D[];
        // Four outputs: [1, 512, 1] / [1, 384, 1] scores and [1, 512, 16] / [1, 384, 16] boxes.
        const bySize = [...outs].sort((a, b) => a.size - b.size);
        const [s384, s512, b384, b512] = bySize as [Tensor3D, Tensor3D, Tensor3D, Tensor3D];
        return tf.squeeze(tf.concat([tf.concat([s512, b512], 2), tf.concat([s384, b384], 2)], 1), [0]);
      });
      const data = (await rows.data()) as Float32Array;
      rows.dispose();
      const boxes: number[] = [];
      const scores: number[] = [];
      const keep: number[] = [];
      for (let i = 0; i < count; i++) {
        const r = i * 17;
        const score = 1 / (1 + Math.exp(-data[r]!));
        if (score < minScore) continue;
        const cx = anchor[2 * i]! + data[r + 1]!;
        const cy = anchor[2 * i + 1]! + data[r + 2]!;
        const bw = data[r + 3]!;
        const bh = data[r + 4]!;
        boxes.push(cy - bh / 2, cx - bw / 2, cy + bh / 2, cx + bw / 2);
        scores.push(score);
        keep.push(i);
      }
      if (!scores.length) return [];
      const boxT = tf.tensor2d(boxes, [scores.length, 4]);
      const scoreT = tf.tensor1d(scores);
      const picked = await tf.image.nonMaxSuppressionAsync(boxT, scoreT, MAX_FACES, IOU, minScore);
      const idx = (await picked.data()) as Int32Array;
      boxT.dispose();
      scoreT.dispose();
      picked.dispose();
      const hits: BlazeFaceHit[] = [];
      // idx is in descending score order.
      for (const j of idx) {
        const [y0, x0, y1, x1] = [boxes[4 * j]! * scale, boxes[4 * j + 1]! * scale, boxes[4 * j + 2]! * scale, boxes[4 * j + 3]! * scale];
        // Not clipped: a tight crop's face box runs past the edges, and the caller may pad.
        if (Math.min(x1, w) - Math.max(x0, 0) < 4 || Math.min(y1, h) - Math.max(y0, 0) < 4) continue;
        const hit = { x: x0, y: y0, width: x1 - x0, height: y1 - y0, score: scores[j]! };
        if (hits.some((k) => overlapOfSmaller(k, hit) > CONTAINED)) continue;
        hits.push(hit);
      }
      return hits;
    },
  };
}
