/** The face engine's interface, shared by the routes, the tests and the benchmarks. */

export type EngineMode = 'real' | 'instant';
export type EngineState = 'loading' | 'ready' | 'failed';

export interface EngineOptions {
  mode: EngineMode;
  /** Descriptor distance under which two faces match (default DEFAULT_THRESHOLD in calibration.ts). */
  threshold: number;
  /** Worker threads for the real engine (default: one per core). */
  workers: number;
}

/** Which image of the pair an outcome is about: 0 for the first part, 1 for the second. */
export type ImageIndex = 0 | 1;

export type MatchOutcome =
  | { kind: 'compared'; match: boolean; distance: number; /** calibrated 0..1, 0.5 at the threshold */ confidence: number }
  | { kind: 'no_face'; image: ImageIndex }
  | { kind: 'undecodable'; image: ImageIndex; message: string };

/** A face's box in pixels of the upright image at its original size, and the detector's score (0..1). */
export interface FaceBox { x: number; y: number; width: number; height: number; score: number }

export type FacesOutcome =
  | { kind: 'faces'; width: number; height: number; faces: FaceBox[]; /** index of the face `match` compares */ used: number | null }
  | { kind: 'undecodable'; message: string }
  /** The engine has no detector (the instant engine). */
  | { kind: 'unsupported'; message: string };

export interface EngineInfo {
  mode: EngineMode;
  state: EngineState;
  model: string;
  version: string;
  threshold: number;
  workers: number;
  error?: string;
}

export interface Engine {
  info(): EngineInfo;
  /** Resolves when the models are loaded (at once for `instant`); rejects if loading failed. */
  ready(): Promise<void>;
  /** Compares the largest face of each image. Never rejects for bad image bytes: returns an outcome. */
  match(image1: Uint8Array, image2: Uint8Array): Promise<MatchOutcome>;
  /** Every face of one image, left to right, and which one `match` would compare. Never rejects for bad bytes. */
  faces(image: Uint8Array): Promise<FacesOutcome>;
  close(): Promise<void>;
}
