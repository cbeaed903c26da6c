/**
 * The labels an evaluation is given, in a light module (no statistics library) that the stores,
 * the CLI and the archive builder share: the labels, their source, and labels.csv's other columns
 * as a structured-clone friendly table.
 */
import type { EvaluationInput } from './evaluation-report.ts';
import type { LabelAttributes, LabelSet } from '../pairing/labels.ts';

/** Column names (lower case, spaces as _) that name a pair's people rather than a group. */
export const SUBJECT_COLUMNS = ['subject1', 'subject2', 'subject'] as const;

const norm = (c: string) => c.trim().toLowerCase().replace(/\s+/g, '_');

/** The extra label columns, structured-clone friendly (as the archive input carries them). */
export interface AttributeTable {
  columns: readonly string[];
  /** [pair_id, one value per column]. */
  rows: readonly (readonly [string, readonly string[]])[];
}

export function attributeTable(a: LabelAttributes | undefined): AttributeTable | undefined {
  return a ? { columns: [...a.columns], rows: [...a.values] } : undefined;
}

/**
 * A pair's extra label cells as its record's `label_columns` (header → cell), in the table's column
 * order; undefined for a pair without a row (or a table without columns).
 */
export function labelColumnsField(attributes: AttributeTable | undefined): (pairId: string) => Record<string, string> | undefined {
  if (!attributes || !attributes.columns.length) return () => undefined;
  const values = new Map(attributes.rows);
  return (id) => {
    const v = values.get(id);
    if (!v) return undefined;
    const cells: Record<string, string> = {};
    attributes.columns.forEach((c, k) => { cells[c] = v[k] ?? ''; });
    return cells;
  };
}

/**
 * The attribute table back from records read out of an archive (their `label_columns`): columns in
 * the order they first appear, a missing cell empty. Undefined when no record carries any.
 */
export function attributesFromRecords(records: readonly { pair_id: string; label_columns?: Record<string, string> | undefined }[]): AttributeTable | undefined {
  const columns: string[] = [];
  const seen = new Set<string>();
  const cells: [string, Record<string, string>][] = [];
  const ids = new Set<string>();
  for (const r of records) {
    const lc = r.label_columns;
    if (!lc || typeof lc !== 'object' || ids.has(r.pair_id)) continue;
    ids.add(r.pair_id);
    for (const c of Object.keys(lc)) {
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
    }
    cells.push([r.pair_id, lc]);
  }
  if (!columns.length) return undefined;
  return { columns, rows: cells.map(([id, lc]) => [id, columns.map((c) => (typeof lc[c] === 'string' ? lc[c] : ''))] as const) };
}

/** The attribute table as labels.ts's LabelAttributes (pair_id → cells), as a LabelSet carries it. */
export function labelAttributesOf(table: AttributeTable | undefined): LabelAttributes | undefined {
  return table ? { columns: [...table.columns], values: new Map(table.rows) } : undefined;
}

/** Subjects and group values of a pair, by pair_id. */
export function labelColumns(attributes: AttributeTable | undefined): {
  subjectColumns: string[];
  groupColumns: string[];
  subjectsOf: (pairId: string) => string[];
  groupValuesOf: (pairId: string) => string[] | null;
} {
  const cols = attributes?.columns ?? [];
  const values = new Map(attributes?.rows ?? []);
  const subjectIdx = cols.flatMap((c, k) => ((SUBJECT_COLUMNS as readonly string[]).includes(norm(c)) ? [k] : []));
  const groupIdx = cols.flatMap((_c, k) => (subjectIdx.includes(k) ? [] : [k]));
  return {
    subjectColumns: subjectIdx.map((k) => cols[k]!),
    groupColumns: groupIdx.map((k) => cols[k]!),
    subjectsOf: (id) => {
      const v = values.get(id);
      return v ? subjectIdx.map((k) => v[k] ?? '').filter((s) => s !== '') : [];
    },
    groupValuesOf: (id) => {
      const v = values.get(id);
      return v ? groupIdx.map((k) => v[k] ?? '') : null;
    },
  };
}

/** The evaluation input of a label set (at the API's decision unless a threshold is given); undefined without labels. */
export function evaluationInputOf(set: LabelSet | null, threshold: number | null = null): EvaluationInput | undefined {
  if (!set || !set.labels.size) return undefined;
  const attributes = attributeTable(set.attributes);
  return { labels: [...set.labels], labelsSource: set.source, threshold, ...(attributes ? { attributes } : {}) };
}
