/**
 * The real engine: face-api (node-wasm) in worker threads. Each image of a pair is decoded and
 * described by its own worker, so a pair's two images run in parallel on two cores; descriptors
 * come back to this thread, which only computes the distance.
 */
import os from 'node:os';
import 'sharp'; // load sharp's native module on the main thread before any worker loads it
import { confidenceFromDistance, euclidean } from './calibration.ts';
import { MAX_SIDE } from './decode.ts';
import { packageVersion } from './faceapi.ts';
import { CHAINS, PREPARE, type ChainName, type PrepareOptions } from './pipeline.ts';
import { WorkerPool } from './pool.ts';
import type { ImageResult } from './protocol.ts';
import type { Engine, EngineInfo, EngineOptions, ImageIndex, MatchOutcome } from './types.ts';

export interface RealEngineOptions extends EngineOptions {
  /** Face detector chain (see pipeline.ts); 'default' unless set. */
  chain?: ChainName;
  /** Longest image side after downscaling (see decode.ts). */
  maxSide?: number;
  /** How the compared face is prepared (see pipeline.ts); PREPARE unless set. Benches and tests compare variants. */
  prepare?: PrepareOptions;
}

function modelLine(chain: ChainName, prepare: PrepareOptions): string {
  const how = [prepare.align ? 'eyes levelled' : '', prepare.grey ? 'greyscale' : '', prepare.mirror ? 'mean with the mirror image' : ''].filter(Boolean).join(', ');
  return `face-api: detector chain ${CHAINS[chain].map((s) => s.label).join(' → ')} (first that finds a face), 68-point landmarks, ResNet-34 128-d descriptor${how ? ` (${how})` : ''}`;
}

export function createRealEngine(opts: RealEngineOptions): Engine {
  const chain = opts.chain ?? 'default';
  const workers = Math.max(1, Math.floor(opts.workers || os.availableParallelism()));
  const info: EngineInfo = {
    mode: 'real',
    state: 'loading',
    model: modelLine(chain, opts.prepare ?? PREPARE),
    version: `@vladmandic/face-api ${packageVersion('@vladmandic/face-api')}, @tensorflow/tfjs ${packageVersion('@tensorflow/tfjs')} (wasm backend)`,
    threshold: opts.threshold,
    workers,
  };
  const prepare = opts.prepare ?? PREPARE;
  const pool = new WorkerPool(workers, { chain, maxSide: opts.maxSide ?? MAX_SIDE, prepare });
  const ready = pool.ready.then(
    () => { info.state = 'ready'; },
    (err: Error) => { info.state = 'failed'; info.error = err.message; throw err; },
  );
  ready.catch(() => undefined);

  function problem(r: ImageResult, image: ImageIndex): MatchOutcome | null {
    if (r.kind === 'undecodable') return { kind: 'undecodable', image, message: r.message };
    if (r.kind === 'no_face') return { kind: 'no_face', image };
    return null;
  }

  return {
    info: () => ({ ...info }),
    ready: () => ready,
    async match(image1, image2) {
      await ready;
      const [r1, r2] = await Promise.all([pool.run(image1), pool.run(image2)]);
      // An unreadable image is reported before a face-less one; image 1 before image 2.
      const bad = (r1.kind === 'undecodable' ? problem(r1, 0) : null)
        ?? (r2.kind === 'undecodable' ? problem(r2, 1) : null)
        ?? problem(r1, 0) ?? problem(r2, 1);
      if (bad) return bad;
      if (r1.kind !== 'face' || r2.kind !== 'face') throw new Error('unreachable');
      const distance = euclidean(r1.descriptor, r2.descriptor);
      return { kind: 'compared', match: distance < opts.threshold, distance, confidence: confidenceFromDistance(distance, opts.threshold) };
    },
    async faces(image) {
      await ready;
      const r = await pool.run(image, 'detect');
      if (r.kind === 'undecodable') return { kind: 'undecodable', message: r.message };
      return { kind: 'faces', width: r.width, height: r.height, faces: r.faces, used: r.used };
    },
    close: () => pool.close(),
  };
}
