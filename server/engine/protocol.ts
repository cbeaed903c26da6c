/** Messages between the engine (main thread) and its workers. */
import type { Detector, FaceBox } from './pipeline.ts';

export interface WorkerSetup {
  detector: Detector;
  maxSide: number;
}

export interface DescribeRequest {
  id: number;
  /** The image bytes; their buffer is transferred to the worker. */
  bytes: Uint8Array;
}

export type ImageResult =
  | { kind: 'face'; descriptor: Float32Array; box: FaceBox; faces: number; detector: 'tiny' | 'ssd'; decodeMs: number; detectMs: number }
  | { kind: 'no_face'; decodeMs: number; detectMs: number }
  | { kind: 'undecodable'; message: string };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'load_failed'; message: string }
  | { type: 'result'; id: number; result: ImageResult }
  | { type: 'failed'; id: number; message: string };
