/**
 * Ground-truth labels for a bulk run: `labels.csv` with columns `pair_id,expected`.
 *
 * - Parsed with papaparse (quoted fields, a BOM, CRLF, and `,` `;` or tab separators).
 * - `expected` is `same` or `different`; also `1/0`, `true/false`, `yes/no`, `match/no_match`,
 *   `match/no match`, `genuine/impostor`, any case.
 * - Every problem is a sentence naming the file and its line: unknown pair ids, duplicates, bad
 *   values, a missing header. A bad row is left out; the rest of the file still counts.
 * - Labels are never required: a pair without one is run and reported as unlabelled.
 * - A `labels.csv` inside the input ZIP is found with `findLabelsEntry` (the shallowest wins).
 */
import Papa from 'papaparse';
import type { SkippedEntry } from '../run/records.ts';
import type { OpenedZip } from '../zip/zip.ts';

export type Expected = 'same' | 'different';

export interface LabelSet {
  /** Where the labels came from, as shown to the user ("labels.csv in pairs.zip", "my-labels.csv"). */
  source: string;
  /** pair_id → expected, for labels whose pair_id is a loaded pair (or every label when no pairs were given). */
  labels: ReadonlyMap<string, Expected>;
  /** Sentences, each naming the file and the line. */
  problems: string[];
  same: number;
  different: number;
  /**
   * The file's other columns (e.g. subject1, subject2, capture, age_band), one value per labelled
   * pair; absent when the file has only pair_id and expected.
   */
  attributes?: LabelAttributes;
}

/** Extra columns of a labels file: names as in the header (trimmed), values per labelled pair_id. */
export interface LabelAttributes {
  columns: readonly string[];
  /** pair_id → one trimmed value per column ("" when the cell is empty). */
  values: ReadonlyMap<string, readonly string[]>;
}

const SAME = new Set(['same', '1', 'true', 'yes', 'y', 'match', 'genuine', 'mated']);
const DIFFERENT = new Set(['different', 'diff', '0', 'false', 'no', 'n', 'no_match', 'no match', 'nomatch', 'no-match', 'non_match', 'non-match', 'nonmatch', 'impostor', 'non-mated']);

/** The expected outcome a cell stands for, or null when it is not one of the accepted words. */
export function parseExpected(value: string): Expected | null {
  const v = value.trim().toLowerCase();
  if (SAME.has(v)) return 'same';
  if (DIFFERENT.has(v)) return 'different';
  return null;
}

export interface ParseLabelsOptions {
  /** The name shown in sentences, e.g. "labels.csv" or "batch/labels.csv in pairs.zip". */
  source: string;
  /** The loaded pairs' ids; labels for other ids are reported as unknown and left out. */
  pairIds?: readonly string[];
}

/** At most this many sentences of one kind are listed; the rest are counted in one more. */
const MAX_LISTED = 20;

export function parseLabels(text: string, opts: ParseLabelsOptions): LabelSet {
  const { source } = opts;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problems: string[] = [];
  const labels = new Map<string, Expected>();
  const empty = (): LabelSet => ({ source, labels, problems, same: 0, different: 0 });
  if (!body.trim()) {
    problems.push(`${source} is empty. Give it a header line "pair_id,expected" and one line per pair, e.g. "customer01,same".`);
    return empty();
  }

  const lineStarts = newlineIndex(body);
  const lineAt = (offset: number) => {
    let o = offset;
    while (o < body.length && (body[o] === '\r' || body[o] === '\n' || body[o] === ' ' || body[o] === '\t')) o++;
    return lineOf(lineStarts, o);
  };

  const rows: { cells: string[]; line: number }[] = [];
  let prev = 0;
  let parseProblem: string | null = null;
  Papa.parse<string[]>(body, {
    delimitersToGuess: [',', ';', '\t', '|'],
    skipEmptyLines: 'greedy',
    step: (res) => {
      const line = lineAt(prev);
      prev = res.meta.cursor;
      const quoteError = res.errors.find((e) => e.type === 'Quotes');
      if (quoteError && !parseProblem) {
        parseProblem = `${source} line ${line}: a quoted field is not closed. Close the quote ("...") or remove it, then choose the file again.`;
      }
      rows.push({ cells: res.data.map((c) => String(c ?? '')), line });
    },
  });
  if (parseProblem) problems.push(parseProblem);

  const header = rows[0];
  const names = (header?.cells ?? []).map((c) => c.trim().toLowerCase().replace(/\s+/g, '_'));
  const idCol = names.findIndex((n) => n === 'pair_id' || n === 'pair' || n === 'id');
  const expCol = names.findIndex((n) => n === 'expected' || n === 'label' || n === 'same');
  if (!header || idCol < 0 || expCol < 0) {
    const got = header ? header.cells.join(', ') : '';
    problems.push(`${source} line 1 must be the header "pair_id,expected" (found "${got}"). Add that header line, then choose the file again.`);
    return empty();
  }

  const extraCols = names.flatMap((n, k) => (k !== idCol && k !== expCol && n !== '' ? [k] : []));
  const attrValues = new Map<string, string[]>();
  const known = opts.pairIds ? new Set(opts.pairIds) : null;
  const lowerKnown = opts.pairIds ? new Map(opts.pairIds.map((id) => [id.toLowerCase(), id])) : null;
  const firstLine = new Map<string, number>();
  const unknown: string[] = [];
  const bad: string[] = [];
  const dup: string[] = [];
  let same = 0;
  let different = 0;

  for (const { cells, line } of rows.slice(1)) {
    const id = (cells[idCol] ?? '').trim();
    const raw = (cells[expCol] ?? '').trim();
    if (!id) {
      bad.push(`${source} line ${line}: pair_id is empty. Put the pair's stem (e.g. customer01) in the first column.`);
      continue;
    }
    const expected = parseExpected(raw);
    if (!expected) {
      bad.push(`${source} line ${line}: expected "${raw}" for ${id} is not a label. Use same or different (or 1/0, true/false, yes/no, match/no_match).`);
      continue;
    }
    const seen = firstLine.get(id);
    if (seen !== undefined) {
      const earlier = labels.get(id);
      const conflict = earlier !== expected ? ` with a different value (${earlier} there, ${expected} here)` : '';
      dup.push(`${source} line ${line}: ${id} is labelled again${conflict}; line ${seen} is used. Keep one line per pair.`);
      continue;
    }
    firstLine.set(id, line);
    if (known && !known.has(id)) {
      const near = lowerKnown?.get(id.toLowerCase());
      const hint = near ? ` Did you mean ${near}? pair_ids are case-sensitive.` : ' Check the spelling against the ZIP\'s <stem>_image1/_image2 names.';
      unknown.push(`${source} line ${line}: ${id} is not a pair in the ZIP, so this label is not used.${hint}`);
      continue;
    }
    labels.set(id, expected);
    if (extraCols.length) attrValues.set(id, extraCols.map((k) => (cells[k] ?? '').trim()));
    if (expected === 'same') same++;
    else different++;
  }
  for (const list of [bad, dup, unknown]) {
    problems.push(...list.slice(0, MAX_LISTED));
    if (list.length > MAX_LISTED) problems.push(`${source}: ${list.length - MAX_LISTED} more line(s) like the one above.`);
  }
  if (rows.length <= 1) problems.push(`${source} has a header but no label lines. Add one line per pair, e.g. "customer01,same".`);
  const attributes = extraCols.length ? { attributes: { columns: extraCols.map((k) => header.cells[k]!.trim()), values: attrValues } } : {};
  return { source, labels, problems, same, different, ...attributes };
}

function newlineIndex(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export interface LabelsEntryChoice {
  /** The entry used. */
  path: string;
  /** Other labels.csv entries, not used (deeper, or later in name order at the same depth). */
  ignored: string[];
}

/**
 * The `labels.csv` to use among the archive's entry paths: the shallowest one (fewest folders),
 * then the first in name order. Any case (`Labels.CSV`); `__MACOSX/` and dotfiles are not labels.
 */
export function findLabelsEntry(paths: readonly string[]): LabelsEntryChoice | null {
  const found = paths
    .map((p) => ({ p, parts: p.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '').split('/') }))
    .filter(({ parts }) => parts.at(-1)!.toLowerCase() === 'labels.csv' && !parts.some((s) => s === '__MACOSX' || s.startsWith('.')));
  if (!found.length) return null;
  found.sort((a, b) => a.parts.length - b.parts.length || (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
  return { path: found[0]!.p, ignored: found.slice(1).map((f) => f.p) };
}

/** The Bulk card's line: "12 pair(s) loaded · 10 labelled (6 same, 4 different)"; no labels file: "12 pair(s) loaded". */
export function labelledLine(pairCount: number, labels: LabelSet | null): string {
  const loaded = `${pairCount} pair(s) loaded`;
  if (!labels) return loaded;
  const m = labels.same + labels.different;
  return `${loaded} · ${m} labelled (${labels.same} same, ${labels.different} different)`;
}

/** What the ZIP's labels.csv gave, with the skipped list reworded for the labels files. */
export interface ZipLabels {
  labels: LabelSet | null;
  /** The ZIP's skipped entries without the labels.csv that is used; other labels.csv ones say why they are not. */
  skipped: SkippedEntry[];
}

/** The sentence that says where a run's labels come from: "Labels: labels.csv in pairs.zip is used as …". */
export function labelsUsedSentence(labels: Pick<LabelSet, 'source'>): string {
  return `Labels: ${labels.source} is used as the expected outcome of each pair (pair_id,expected).`;
}

/** The skipped list when labels come from elsewhere (`by`, e.g. "--labels my.csv"): the ZIP's own labels.csv entries say they are overridden. */
export function zipLabelsOverridden(skipped: readonly SkippedEntry[], by: string): SkippedEntry[] {
  const own = new Set([findLabelsEntry(skipped.map((s) => s.path))].flatMap((c) => (c ? [c.path, ...c.ignored] : [])));
  return skipped.map((s) => (own.has(s.path) ? { path: s.path, reason: `Labels: not used; overridden by ${by}.` } : s));
}

/**
 * Reads the shallowest labels.csv of an opened input ZIP (see findLabelsEntry). Its entry leaves the
 * skipped list (it is used: labelsUsedSentence says so); the other labels.csv entries stay there
 * with a reason naming the one used. A labels.csv that cannot be read becomes a problem sentence, never an error.
 */
export async function loadZipLabels(zip: Pick<OpenedZip, 'pairs' | 'skipped' | 'readText'>, zipName: string): Promise<ZipLabels> {
  const choice = findLabelsEntry(zip.skipped.map((s) => s.path));
  if (!choice) return { labels: null, skipped: zip.skipped };
  const source = `${choice.path} in ${zipName}`;
  let labels: LabelSet;
  try {
    labels = parseLabels(await zip.readText(choice.path), { source, pairIds: zip.pairs.map((p) => p.pair_id) });
  } catch (err) {
    const why = err instanceof Error && err.message ? err.message : `${source} could not be read.`;
    labels = { source, labels: new Map(), problems: [why], same: 0, different: 0 };
  }
  const ignored = new Set(choice.ignored);
  const skipped = zip.skipped
    .filter((s) => s.path !== choice.path)
    .map((s) => (ignored.has(s.path) ? { path: s.path, reason: `Labels: not used; the shallowest labels.csv (${choice.path}) is the one used.` } : s));
  return { labels, skipped };
}

/**
 * Which labels a run uses, in one sentence, when a CSV was chosen beside the ZIP: it wins over
 * the ZIP's own labels.csv. `zipSource` is that labels.csv ("labels.csv in pairs.zip") or null.
 */
export function labelsChoiceSentence(chosen: string, zipSource: string | null, zipLoaded: boolean): string {
  if (!zipLoaded) return `Labels: ${chosen} will be used for the ZIP you choose (it wins over a labels.csv inside the ZIP).`;
  return zipSource
    ? `Labels: ${chosen}, chosen beside the ZIP, is used; ${zipSource} is ignored.`
    : `Labels: ${chosen}, chosen beside the ZIP, is used.`;
}
