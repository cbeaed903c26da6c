/**
 * What a user compares between two archives of the same input (the browser's and the CLI's, or one
 * run's and merged shards'): everything but the figures that are times.
 */
import { readWorkbookXml, type XmlCell } from '../../test/xlsx-xml.ts';
import type { OpenedArchive } from './archive.ts';

/** Run sheet rows that are times or durations. */
const TIMES = /^(started|finished|duration|mean response time|p50 response time|p95 response time)\b/;

/** run.json without its two timestamps. */
function manifestWithoutTimes(a: OpenedArchive): unknown {
  const raw = a.entries.get('run.json');
  if (!raw) return null;
  const { started_at: _s, finished_at: _f, ...rest } = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  return rest;
}

/** A sheet of summary.xlsx as written: each cell's type, text and number format, by reference. */
function sheetCells(a: OpenedArchive, name: string): XmlCell[] {
  const sheet = readWorkbookXml(a.entries.get('summary.xlsx')!).get(name);
  if (!sheet) throw new Error(`summary.xlsx has no "${name}" sheet; it has ${a.sheetNames.join(', ')}`);
  return [...sheet.cells.values()];
}

/** A record without its times (a two-step vendor's steps keep their names and statuses). */
function withoutTimes(record: OpenedArchive['records'][number]) {
  const { response_time_ms: _t, ...rest } = record as typeof record & { steps?: { step: string; http_status: number }[] };
  const steps = rest.steps?.map(({ step, http_status }) => ({ step, http_status }));
  return { keys: Object.keys(rest), ...rest, ...(steps ? { steps } : {}) };
}

/** Everything a user compares, without the figures that are times; with labels, the Evaluation and Groups sheets too. */
export function comparable(a: OpenedArchive, labelled = true) {
  return {
    names: a.names,
    sheets: a.sheetNames,
    records: a.records.map(withoutTimes),
    summary: a.summary.map(({ response_time_ms: _t, ...rest }) => rest),
    run: [...a.run].filter(([field]) => !TIMES.test(field)),
    manifest: manifestWithoutTimes(a),
    ...(labelled ? { evaluation: sheetCells(a, 'Evaluation'), groups: sheetCells(a, 'Groups') } : {}),
  };
}
