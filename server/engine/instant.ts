/**
 * The instant engine: no model, no worker, an answer at once. For load tests and client-speed
 * tests only. The score is derived from the image bytes, so the same pair always gives the same
 * answer:
 *  - bytes that are not a JPEG or PNG by magic number (including empty files) → undecodable;
 *  - byte-identical images → distance 0 (a match);
 *  - otherwise distance = 1.2 · u, where u ∈ [0, 1) comes from SHA-256 of both images' digests
 *    taken in sorted order (so match(a, b) and match(b, a) agree); about half the pairs match.
 * It never claims to have found a face in an image it did not accept.
 */
import { createHash } from 'node:crypto';
import { describeType, isAcceptedImage, sniff } from '../../src/core/zip/filetype.ts';
import { confidenceFromDistance } from './calibration.ts';
import type { Engine, EngineInfo, EngineOptions, ImageIndex, MatchOutcome } from './types.ts';

function digest(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function refuse(bytes: Uint8Array, image: ImageIndex): MatchOutcome | null {
  const type = sniff(bytes.subarray(0, 512));
  if (isAcceptedImage(type)) return null;
  return { kind: 'undecodable', image, message: `not a JPEG or PNG image (the bytes look like: ${describeType(type)})` };
}

export function instantDistance(image1: Uint8Array, image2: Uint8Array): number {
  const [a, b] = [digest(image1), digest(image2)].sort(Buffer.compare) as [Buffer, Buffer];
  if (a.equals(b)) return 0;
  const mixed = createHash('sha256').update(a).update(b).digest();
  const u = mixed.readUInt32BE(0) / 2 ** 32;
  return 1.2 * u;
}

export function createInstantEngine(opts: EngineOptions): Engine {
  const info: EngineInfo = {
    mode: 'instant',
    state: 'ready',
    model: 'instant (score from a hash of the image bytes, no face detection)',
    version: '1',
    threshold: opts.threshold,
    workers: 0,
  };
  return {
    info: () => ({ ...info }),
    ready: () => Promise.resolve(),
    async match(image1, image2) {
      const bad = refuse(image1, 0) ?? refuse(image2, 1);
      if (bad) return bad;
      const distance = instantDistance(image1, image2);
      return { kind: 'compared', match: distance < opts.threshold, distance, confidence: confidenceFromDistance(distance, opts.threshold) };
    },
    async faces(image) {
      const bad = refuse(image, 0);
      if (bad?.kind === 'undecodable') return { kind: 'undecodable', message: bad.message };
      return { kind: 'unsupported', message: 'The instant engine does not detect faces; start the server with FACEMATCH_ENGINE=real to see them.' };
    },
    close: () => Promise.resolve(),
  };
}
