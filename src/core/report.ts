/**
 * The bulk results archive (Playground document, "Bulk output ZIP layout"):
 *
 *   summary.xlsx             sheets "Summary" (one row per pair), "Run", "Skipped files"
 *   results/<pair_id>.json   one pretty JSON record per pair (recordJson), names via archiveEntryName
 *
 * fflate and xlsx are loaded on demand. xlsx is only ever used to WRITE here.
 *
 * The community xlsx 0.18.5 writer has no cell styles or panes; `boldFrozenHeaders`
 * (xlsx-header.ts) adds a bold, frozen header row to what it writes. Column widths, the
 * autofilter and number formats come from xlsx itself.
 */
import type { WorkSheet } from 'xlsx';
import type { ProviderContract } from './contracts.ts';
import { recordJson, recordVerdict, type PairRecord, type SkippedEntry } from './records.ts';
import { archiveEntryName } from './sanitize.ts';
import { summarise } from './stats.ts';
import { boldFrozenHeaders } from './xlsx-header.ts';

export interface ReportInput {
  records: PairRecord[];
  skipped: SkippedEntry[];
  notices: string[];
  contract: ProviderContract;
  /** The endpoint URL called; userinfo, query and fragment are stripped before it is written. */
  endpoint: string;
  startedAt: string;
  finishedAt: string;
  stopReason?: string;
  /**
   * Secret values (tokens, client secrets) to scrub from every string written, in case an API
   * echoed one back in a body. Pass the current secret credentials; empty strings are ignored.
   */
  secrets?: readonly string[];
}

export const SUMMARY_COLUMNS = [
  'pair_id', 'image1_path', 'image2_path', 'success', 'http_status', 'response_time_ms',
  'facematch_result', 'confidence_score', 'credits_consumed', 'error', 'attempts',
] as const;

const COLUMN_WIDTHS = [28, 40, 40, 9, 11, 17, 16, 16, 16, 70, 9];
export const REDACTED = '[redacted]';

/** The endpoint without userinfo, query string or fragment. */
export function safeEndpoint(endpoint: string): string {
  const raw = endpoint.trim();
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return raw.replace(/[?#].*$/s, '').replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}

/** Deep copy of the records with every secret replaced by "[redacted]" in strings and keys. */
export function redactRecords(records: readonly PairRecord[], secrets: readonly string[] = []): PairRecord[] {
  const scrub = scrubber(secrets);
  if (!scrub) return records.slice();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) out[scrub(k)] = walk(val);
      return out;
    }
    return v;
  };
  // Fast path: only records whose JSON holds a secret are copied.
  return records.map((r) => (scrub.test(JSON.stringify(r)) ? (walk(r) as PairRecord) : r));
}

export interface Scrubber {
  (s: string): string;
  /** True when the text holds a secret (raw or JSON-escaped). */
  test(s: string): boolean;
}

/** Replaces each secret (4+ characters, also in its JSON-escaped form) in a string; null when there are none. */
export function scrubber(secrets: readonly string[] = []): Scrubber | null {
  const list = [...new Set(secrets.map((s) => s.trim()).filter((s) => s.length >= 4))];
  const forms = [...new Set(list.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  if (!forms.length) return null;
  const scrub = ((s: string) => forms.reduce((acc, secret) => acc.split(secret).join(REDACTED), s)) as Scrubber;
  scrub.test = (s: string) => forms.some((f) => s.includes(f));
  return scrub;
}

type Cell = string | number | boolean | null;

function summaryRow(contract: ProviderContract, rec: PairRecord): Cell[] {
  const verdict = recordVerdict(contract, rec);
  return [
    rec.pair_id,
    rec.image1_path,
    rec.image2_path,
    rec.success,
    rec.http_status,
    rec.response_time_ms,
    verdict ? (verdict.match ? 'True' : 'False') : null,
    verdict?.confidence ?? null,
    verdict?.credits ?? null,
    rec.success ? null : `${rec.error.type}: ${rec.error.message}`,
    rec.attempts,
  ];
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export async function buildSummaryWorkbook(input: ReportInput): Promise<Uint8Array> {
  return workbookFromRedacted(input, redactRecords(input.records, input.secrets));
}

async function workbookFromRedacted(input: ReportInput, records: readonly PairRecord[]): Promise<Uint8Array> {
  const XLSX = await import('xlsx');
  const wb = XLSX.utils.book_new();

  // Summary
  const rows: Cell[][] = [[...SUMMARY_COLUMNS]];
  for (const r of records) rows.push(summaryRow(input.contract, r));
  const summary = sheetFromRows(rows, { 5: '0.0', 7: '0.000' });
  summary['!cols'] = COLUMN_WIDTHS.map((wch) => ({ wch }));
  summary['!autofilter'] = { ref: `A1:${columnName(SUMMARY_COLUMNS.length - 1)}${rows.length}` };
  XLSX.utils.book_append_sheet(wb, summary, 'Summary');

  // Run
  const stats = summarise(records, input.contract);
  const scrub = scrubber(input.secrets) ?? ((s: string) => s);
  const run: Cell[][] = [
    ['field', 'value'],
    ['endpoint', scrub(safeEndpoint(input.endpoint))],
    ['provider', input.contract.label],
    ['started', input.startedAt],
    ['finished', input.finishedAt],
    ['pairs', stats.pairs],
    ['succeeded', stats.succeeded],
    ['failed', stats.failed],
    ['not run', stats.notRun],
    ['matches', stats.matches],
    ['non-matches', stats.nonMatches],
    ['mean response time (ms)', round1(stats.meanMs)],
    ['p50 response time (ms)', round1(stats.p50Ms)],
    ['p95 response time (ms)', round1(stats.p95Ms)],
    ['skipped files', input.skipped.length],
    ['stop reason', input.stopReason ? scrub(input.stopReason) : null],
  ];
  const runSheet = sheetFromRows(run);
  runSheet['!cols'] = [{ wch: 26 }, { wch: 80 }];
  XLSX.utils.book_append_sheet(wb, runSheet, 'Run');

  // Skipped files (and notices)
  const skippedRows: Cell[][] = [['path', 'reason']];
  for (const s of input.skipped) skippedRows.push([scrub(s.path), scrub(s.reason)]);
  if (!input.skipped.length) skippedRows.push([null, 'No files were skipped.']);
  if (input.notices.length) {
    skippedRows.push([null, null], ['notice', null]);
    for (const n of input.notices) skippedRows.push([null, scrub(n)]);
  }
  const skippedSheet = sheetFromRows(skippedRows);
  skippedSheet['!cols'] = [{ wch: 50 }, { wch: 110 }];
  XLSX.utils.book_append_sheet(wb, skippedSheet, 'Skipped files');

  const out = XLSX.write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer;
  return boldFrozenHeaders(new Uint8Array(out));
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
function columnName(c: number): string {
  let name = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * A worksheet object in the shape xlsx writes, built directly: XLSX.utils.aoa_to_sheet costs
 * ~0.3 s for 10,000 rows. Null cells are left out; `formats` sets a number format by column.
 */
function sheetFromRows(rows: readonly (readonly Cell[])[], formats: Record<number, string> = {}): WorkSheet {
  const sheet: WorkSheet = {};
  const width = rows.reduce((m, r) => Math.max(m, r.length), 1);
  const cols = Array.from({ length: width }, (_, c) => columnName(c));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const line = String(r + 1);
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (v === null || v === undefined) continue;
      const ref = cols[c]! + line;
      if (typeof v === 'number') sheet[ref] = formats[c] !== undefined && r > 0 ? { t: 'n', v, z: formats[c] } : { t: 'n', v };
      else if (typeof v === 'boolean') sheet[ref] = { t: 'b', v };
      else sheet[ref] = { t: 's', v };
    }
  }
  sheet['!ref'] = `A1:${cols[width - 1]}${Math.max(1, rows.length)}`;
  return sheet;
}

/**
 * The archive the user downloads: summary.xlsx plus one JSON per pair, DEFLATE-compressed.
 *
 * Written with fflate rather than JSZip: JSZip's per-file stream pipeline costs ~0.2 ms per entry,
 * which alone breaks the 1.5 s budget for 10,000 pairs; fflate's zipSync is about three times
 * cheaper per entry. (The input ZIP is still read with JSZip, see zip.ts.)
 */
export async function buildResultsZip(input: ReportInput): Promise<Uint8Array> {
  const records = redactRecords(input.records, input.secrets);
  const [{ zipSync, strToU8 }, workbook] = await Promise.all([import('fflate'), workbookFromRedacted(input, records)]);
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {
    // The workbook is itself a compressed ZIP: store it as is.
    'summary.xlsx': [workbook, { level: 0 }],
  };
  const taken = new Set<string>();
  for (const rec of records) files[archiveEntryName(rec.pair_id, taken)] = strToU8(recordJson(rec));
  return zipSync(files, { level: 6 });
}
