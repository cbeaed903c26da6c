/**
 * The labels an evaluation is given, in a light module (no statistics library) that the stores,
 * the CLI and the archive builder share: the labels, their source, and labels.csv's other columns
 * as a structured-clone friendly table.
 */
import type { EvaluationInput } from '../evaluation-report.ts';
import type { LabelAttributes, LabelSet } from '../labels.ts';

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
