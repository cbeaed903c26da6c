/** Messages between the engine (main thread) and its workers. */
import type { ChainName, FaceBox, PrepareOptions } from './pipeline.ts';

export interface WorkerSetup {
  chain: ChainName;
  maxSide: number;
  /** How the compared face is prepared (pipeline.ts, PREPARE by default). */
  prepare: PrepareOptions;
}

export interface DescribeRequest {
  id: number;
  /** The image bytes; their buffer is transferred to the worker. */
  bytes: Uint8Array;
  /** 'describe': faces + the largest face's descriptor; 'detect': faces only. */
  task: 'describe' | 'detect';
}

/** What the worker found, in pixels of the upright image at its original size. */
export interface FacesFound {
  width: number;
  height: number;
  faces: FaceBox[];
  used: number | null;
  /** Label of the chain step that found the faces, null when none did. */
  step: string | null;
  decodeMs: number;
  detectMs: number;
}

export type ImageResult =
  | ({ kind: 'face'; descriptor: Float32Array } & FacesFound)
  | ({ kind: 'no_face' } & FacesFound)
  | { kind: 'undecodable'; message: string };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'load_failed'; message: string }
  | { type: 'result'; id: number; result: ImageResult }
  | { type: 'failed'; id: number; message: string };
