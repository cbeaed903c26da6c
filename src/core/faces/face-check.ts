/**
 * Bulk "Check faces": before a run, ask the reference server's detector (POST /faces on the
 * page's own origin, see faces.ts) about every image of the loaded pairs, one image at a time,
 * and flag the pairs in which an image has no face or more than one. Nothing goes to the vendor.
 * The flags join the content flags; preflight.ts turns them all into the job's `excluded` map
 * (index → reason) when the user excludes them, so each excluded pair still gets its not_run
 * record with the reason.
 */
import { facesCountText, facesProblem, type FacesReport } from './faces.ts';
import type { PairFlag } from '../pairing/preflight.ts';
import type { PairEntry } from '../run/records.ts';
import type { ImagePart } from '../request/request.ts';

/** A face flag; its reason is one sentence naming the image(s), e.g. "No face found in p3_image1.jpg." */
export type FaceFlag = PairFlag & { source: 'faces' };

export interface FaceCheckResult {
  /** Pairs whose two images were both looked at. */
  checked: number;
  flags: FaceFlag[];
  /** Pairs the detector could not answer for (unreadable image, no reference server). */
  unknown: number;
  /** True when the signal stopped the check before the end. */
  stopped: boolean;
}

export interface FaceCheckOptions {
  pairs: readonly PairEntry[];
  readPair: (pair: PairEntry) => Promise<[ImagePart, ImagePart]>;
  /** The detector for one image; null when it cannot say. */
  detect: (part: ImagePart, signal: AbortSignal) => Promise<FacesReport | null>;
  signal?: AbortSignal;
  /** After each pair: how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** The flag sentence for a pair, or null when both images have exactly one face. */
export function faceFlagReason(parts: readonly [ImagePart, ImagePart], reports: readonly [FacesReport, FacesReport]): string | null {
  const problems = reports
    .map((r, i) => ({ r, name: parts[i]!.name }))
    .filter(({ r }) => facesProblem(r) !== null)
    .map(({ r, name }) => (r.faces.length === 0 ? `no face found in ${name}` : `${facesCountText(r)} found in ${name}`));
  if (!problems.length) return null;
  const sentence = problems.join('; ');
  return `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
}

export async function checkFaces(opts: FaceCheckOptions): Promise<FaceCheckResult> {
  const signal = opts.signal ?? new AbortController().signal;
  const flags: FaceFlag[] = [];
  let checked = 0;
  let unknown = 0;
  const total = opts.pairs.length;
  for (let index = 0; index < total; index++) {
    if (signal.aborted) return { checked, flags, unknown, stopped: true };
    const pair = opts.pairs[index]!;
    let reports: [FacesReport | null, FacesReport | null] = [null, null];
    let parts: [ImagePart, ImagePart] | null = null;
    try {
      parts = await opts.readPair(pair);
      reports = [await opts.detect(parts[0], signal), await opts.detect(parts[1], signal)];
    } catch {
      if (signal.aborted) return { checked, flags, unknown, stopped: true };
    }
    if (parts && reports[0] && reports[1]) {
      checked++;
      const reason = faceFlagReason(parts, [reports[0], reports[1]]);
      if (reason) flags.push({ index, pair_id: pair.pair_id, source: 'faces', reason });
    } else {
      unknown++;
    }
    opts.onProgress?.(index + 1, total);
  }
  return { checked, flags, unknown, stopped: false };
}
