/** The face engine: `createEngine({ mode: 'real' | 'instant', threshold, workers })`. See types.ts. */
import { createInstantEngine } from './instant.ts';
import { createRealEngine, type RealEngineOptions } from './real.ts';
import type { Engine } from './types.ts';

export type { Engine, EngineInfo, EngineMode, EngineOptions, EngineState, FaceBox, FacesOutcome, ImageIndex, MatchOutcome } from './types.ts';
export type { RealEngineOptions } from './real.ts';
export type { ChainName } from './pipeline.ts';
import { DEFAULT_THRESHOLD } from './calibration.ts';

export { confidenceFromDistance, CONFIDENCE_SLOPE, DEFAULT_THRESHOLD } from './calibration.ts';

export function createEngine(opts: RealEngineOptions): Engine {
  const threshold = Number.isFinite(opts.threshold) ? opts.threshold : DEFAULT_THRESHOLD;
  return opts.mode === 'instant' ? createInstantEngine({ ...opts, threshold }) : createRealEngine({ ...opts, threshold });
}
