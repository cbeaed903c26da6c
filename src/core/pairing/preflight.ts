/**
 * Bulk pre-flight: the flags a loaded ZIP's pairs get before anything is sent, and the one rule
 * that turns every flag (content and faces alike) into the job's `excluded` map when the user
 * ticks "Exclude flagged pairs". An excluded pair still gets its record: not_run, with the reason.
 *
 * - content: an image whose first bytes are not a JPEG or PNG (a text file named `.jpg`), sniffed
 *   by the same rule Single uses (filetype.ts);
 * - faces: an image in which the reference server's detector found no face, or several
 *   (face-check.ts).
 */
import { notAcceptedImage, type SniffedType } from '../zip/filetype.ts';
import type { PairEntry, PairRecord } from '../run/records.ts';

export type FlagSource = 'content' | 'faces';

export interface PairFlag {
  /** Index of the pair in the loaded list. */
  index: number;
  pair_id: string;
  source: FlagSource;
  /** One sentence naming the image(s) and what is wrong, e.g. "x_image2.jpg is a text file, not a JPEG or PNG." */
  reason: string;
}

/**
 * The content flag of a pair from what its two images really are (sniffed from their first
 * bytes), or null when both are accepted images. Each image is named by its path in the ZIP.
 */
export function contentFlagReason(pair: PairEntry, types: readonly [SniffedType, SniffedType]): string | null {
  const problems = [pair.image1_path, pair.image2_path]
    .map((path, i) => {
      const wrong = notAcceptedImage(types[i]!);
      return wrong ? `${path} ${wrong}` : null;
    })
    .filter((p): p is string => p !== null);
  return problems.length ? `${problems.join('; ')}.` : null;
}

/** What an excluded pair's not_run record says, before the flag sentences. */
export const EXCLUDED_PREFIX = 'Not sent: excluded before the run (Exclude flagged pairs).';

/** True for the record of a pair the user excluded before the run: "Run remaining" leaves it out. */
export function isExcludedRecord(rec: PairRecord): boolean {
  return !rec.success && rec.error.type === 'not_run' && rec.error.message.startsWith(EXCLUDED_PREFIX);
}

/**
 * The job's `excluded` map (index → reason) for these flags: one entry per flagged pair, whose
 * reason carries every flag sentence of that pair, content first.
 */
export function excludedFromFlags(flags: readonly PairFlag[]): Map<number, string> {
  const byIndex = new Map<number, PairFlag[]>();
  for (const f of flags) {
    const list = byIndex.get(f.index);
    if (list) list.push(f);
    else byIndex.set(f.index, [f]);
  }
  const order: Record<FlagSource, number> = { content: 0, faces: 1 };
  const out = new Map<number, string>();
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const reasons = byIndex.get(index)!.sort((a, b) => order[a.source] - order[b.source]).map((f) => f.reason);
    out.set(index, `${EXCLUDED_PREFIX} ${reasons.join(' ')}`);
  }
  return out;
}
