/**
 * Distance and confidence for 128-d face descriptors.
 *
 * Confidence is a logistic curve in the descriptor distance d, centred on the match threshold t:
 *
 *     confidence(d) = 1 / (1 + exp(k · (d − t)))      with k = CONFIDENCE_SLOPE = 10 per unit distance
 *
 * so it is exactly 0.5 at d = t (the decision boundary), strictly decreasing in d, tends to 1 as
 * d → 0 (≈ 0.998 at d = 0 for t = 0.6) and to 0 as d grows (≈ 0.018 at d = 1.0 for t = 0.6).
 * A match is `d < t`, which is the same as `confidence > 0.5`.
 * k = 10 spreads the fixture photos' same-person distances (0.33–0.56) over ≈ 0.6–0.94 and the
 * different-person ones (0.70–0.98) over ≈ 0.02–0.27.
 */
export const CONFIDENCE_SLOPE = 10;

/** Descriptor distance under which two faces match: fitted on lfw-dev + the fixtures (README, engine section). */
export const DEFAULT_THRESHOLD = 0.6;

export function confidenceFromDistance(distance: number, threshold: number): number {
  if (!Number.isFinite(distance)) return 0;
  return 1 / (1 + Math.exp(CONFIDENCE_SLOPE * (distance - threshold)));
}

/** Euclidean distance between two descriptors of the same length. */
export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`Descriptor lengths differ: ${a.length} and ${b.length}.`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum);
}
