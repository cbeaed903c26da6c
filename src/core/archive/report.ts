/**
 * The bulk results archive (Playground document, "Bulk output ZIP layout"):
 *
 *   summary.xlsx             sheets "Summary" (one row per pair), "Run", "Notices", "Skipped files"
 *   run.json                 the run's manifest (manifest.ts), when one is given
 *   results/<pair_id>.json   one pretty JSON record per pair (recordJson), names via archiveEntryName
 *   report.html              the run (and its labelled evaluation and comparison) as one page with
 *                            inline SVG charts, no script (evaluation-report.ts)
 *
 * With labels (`evaluation`), records gain `expected` and `outcome` after the seed's keys, the
 * Summary sheet the same two columns, and an "Evaluation" sheet is added; with a comparison, a
 * "Compare" sheet.
 *
 * The workbook is declared, not assembled by position:
 *   - SUMMARY_COLUMNS: one entry per column {header, width, numFmt, value(record)}; per-contract
 *     columns come from the contract's `reportFields` (data in contracts.ts);
 *   - RUN_ROWS: one entry per row of the Run sheet {field, numFmt, value(context)};
 *   - SHEETS: the sheets in workbook order, each a name and a build(context). A new sheet
 *     (e.g. an Evaluation sheet) is one more entry there.
 *
 * Cell types: numbers are numeric cells, booleans boolean cells, Dates date cells (an Excel serial
 * with a date format, in UTC), null is an empty cell.
 *
 * fflate and xlsx are loaded on demand. xlsx is only ever used to WRITE here. The community xlsx
 * 0.18.5 writer has no cell styles or panes; `boldFrozenHeaderParts` (xlsx-header.ts) adds a bold,
 * frozen header row to what it writes. Column widths, the autofilter and number formats come from
 * xlsx itself.
 */
import type { WorkSheet } from 'xlsx';
import { readPath, type ProviderContract, type ReportField, type Verdict } from '../contracts/contracts.ts';
import type { RunManifest } from './manifest.ts';
import { recordJson, recordVerdict, type PairRecord, type SkippedEntry } from '../run/records.ts';
import type { Comparison } from '../evaluation/compare.ts';
import {
  evaluationOf, evaluationSheetRows, compareSheetRows, buildReportHtml, cardOf, differenceOf, differenceRows, groupTables, isPercentFigure, isRateMetric,
  GROUP_COLUMNS, GROUP_RATIO_COLUMNS, type ColumnKind, type EvaluationInput,
} from '../evaluation/evaluation-report.ts';
import { withOutcomes, type Evaluation } from '../evaluation/evaluation.ts';
import { archiveEntryName } from './sanitize.ts';
import { redactRecords, scrubber } from '../secrets/secrets.ts';
import { safeEndpoint } from '../secrets/safe-url.ts';
import type { SheetCell } from './sheet-rows.ts';
import { summarise, type RunStats } from '../run/stats.ts';
import { boldFrozenHeaderParts, type WorkbookParts } from './xlsx-header.ts';
import { robustnessCompareRows, robustnessOf, robustnessRows, ROBUSTNESS_COLUMNS, ROBUSTNESS_COMPARE_COLUMNS, ROBUSTNESS_RATE_COLUMNS, type Robustness } from '../sweep/robustness.ts';
import type { SweepManifest } from '../sweep/variants.ts';

/** The settings a run used, as the Run sheet states them (never a credential). */
export interface ReportRunSettings {
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  /** Extra attempts after the first for retryable failures. */
  retries: number;
  /** Calls in flight at once (1 = sequential). */
  concurrency?: number;
  /** Most calls started per second; null or absent when not limited. */
  ratePerSecond?: number | null;
}

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
  /** Timeout, retries, concurrency and rate limit the run used. */
  settings?: ReportRunSettings;
  /** The input ZIP's file name and size in bytes. */
  inputZip?: { name: string; size: number };
  /** The reference server's engine mode, from its x-facematch-engine response header. */
  engine?: string;
  /** The playground's version (APP_VERSION). */
  appVersion?: string;
  /** The run's manifest, written as run.json at the archive root (built by manifest.ts, already scrubbed). */
  manifest?: RunManifest;
  /** Labels and the chosen threshold: adds expected/outcome, the Evaluation sheet and report.html's evaluation. */
  evaluation?: EvaluationInput;
  /** A comparison with a previous run (this run is "after"): adds the Compare sheet and a report.html section. */
  comparison?: Comparison;
  /** A robustness sweep (run.json's sweep section): adds the Robustness sheet and a report.html section. */
  sweep?: SweepManifest;
}


/** What a cell may hold. A Date becomes a date cell; null an empty one. */
export type Cell = string | number | boolean | Date | null;

/**
 * One row's context for a Summary column: its input position and its verdict, read once. A
 * Summary cell depends on its record and this only (never on run-wide figures): the archive
 * writes each row as its record arrives (archive-stream.ts).
 */
export interface SummaryRowContext {
  /** 0-based position of the pair in the input (records are in input order). */
  index: number;
  contract: ProviderContract;
  verdict: Verdict | null;
}

/** A column of a table sheet, declared once. */
export interface Column<Row, Ctx> {
  header: string;
  /** Width in characters. */
  width: number;
  /** Excel number format for numeric (and date) cells of this column. */
  numFmt?: string;
  value: (row: Row, ctx: Ctx) => Cell;
}

export type SummaryColumn = Column<PairRecord, SummaryRowContext> & {
  /** Present only when this returns true (absent: always), e.g. for one contract or when labels exist. */
  when?: (ctx: ReportContext) => boolean;
};

/** An entry of SUMMARY_COLUMNS: one column, or a group of columns that depends on the run. */
export type SummaryColumnEntry = SummaryColumn | ((ctx: ReportContext) => readonly SummaryColumn[]);

/** Everything a sheet may read: the input, the redacted records, run figures and a scrubber. */
export interface ReportContext {
  input: ReportInput;
  /** The records with every secret replaced by "[redacted]". */
  records: readonly PairRecord[];
  contract: ProviderContract;
  stats: RunStats;
  /** Sum of credits_consumed over the records whose body reports it; null when none does. */
  totalCredits: number | null;
  /** Replaces secrets in a string written to a sheet. */
  scrub: (s: string) => string;
  /** The labelled evaluation, when the run has labels. */
  evaluation: Evaluation | null;
  /** A sweep's robustness curves, from the records (null when the run is not a sweep). */
  robustness: Robustness | null;
}

export interface SheetContent {
  /** Header cells and widths (and the default number format of each column). */
  columns: readonly Pick<Column<unknown, unknown>, 'header' | 'width' | 'numFmt'>[];
  /** Data rows. A cell may be `{ value, numFmt }` to format one cell differently from its column. */
  rows: readonly (readonly (Cell | FormattedCell)[])[];
  /** Adds an autofilter over the header and rows. */
  autofilter?: boolean;
  /**
   * Data rows the autofilter covers when they are not `rows` (a Summary probe, archive-stream.ts,
   * which also sets the sheet's dimension: the writer visits every cell of the range, ~30 ms for
   * 10,000 empty rows).
   */
  filterRows?: number;
}

export interface FormattedCell {
  value: Cell;
  numFmt: string;
}

export interface SheetSpec {
  name: string;
  /** The sheet's content; null leaves the sheet out. */
  build: (ctx: ReportContext) => SheetContent | null;
}

/** Excel formats used across sheets. */
export const FORMATS = {
  ms: '0.0',
  percent: '0.00%',
  integer: '0',
  dateTime: 'yyyy-mm-dd hh:mm:ss',
} as const;

const isFormatted = (c: Cell | FormattedCell): c is FormattedCell =>
  c !== null && typeof c === 'object' && !(c instanceof Date);

/** The contract's own response fields, as sent (e.g. Deepvue's 0–100 confidence, transaction_id). */
function fieldCell(rec: PairRecord, field: ReportField): Cell {
  if (!rec.success) return null;
  const v = readPath(rec.body, field.path);
  if (typeof v === 'number' || typeof v === 'boolean') return Number.isFinite(v) || typeof v === 'boolean' ? v : null;
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/** The contract's `reportFields`, one column each. */
const contractFieldColumns = ({ contract }: ReportContext): SummaryColumn[] =>
  (contract.reportFields ?? []).map((f) => ({
    header: f.header,
    width: f.width,
    ...(f.numFmt ? { numFmt: f.numFmt } : {}),
    value: (rec: PairRecord) => fieldCell(rec, f),
  }));

/**
 * The Summary sheet's columns, in order, one entry per column; the contract's own `reportFields`
 * (data in contracts.ts) are expanded where `contractFieldColumns` stands.
 */
export const SUMMARY_COLUMNS: readonly SummaryColumnEntry[] = [
  { header: 'input_order', width: 11, numFmt: FORMATS.integer, value: (_r, c) => c.index + 1 },
  { header: 'pair_id', width: 28, value: (r) => r.pair_id },
  { header: 'image1_path', width: 40, value: (r) => r.image1_path },
  { header: 'image2_path', width: 40, value: (r) => r.image2_path },
  { header: 'success', width: 9, value: (r) => r.success },
  { header: 'http_status', width: 11, value: (r) => r.http_status },
  { header: 'response_time_ms', width: 17, numFmt: FORMATS.ms, value: (r) => r.response_time_ms },
  { header: 'facematch_result', width: 16, value: (_r, c) => c.verdict?.match ?? null },
  { header: 'confidence_score', width: 16, numFmt: FORMATS.percent, value: (_r, c) => c.verdict?.confidence ?? null },
  // The same for every provider: the score as the vendor sent it (its own scale) and the threshold
  // the verdict was decided at (0–1; empty when the vendor decides without one it states).
  { header: 'raw_score', width: 10, value: (_r, c) => c.verdict?.rawConfidence ?? null },
  { header: 'threshold', width: 10, numFmt: FORMATS.percent, value: (_r, c) => c.verdict?.threshold ?? null },
  contractFieldColumns,
  {
    header: 'credits_consumed', width: 16, value: (_r, c) => c.verdict?.credits ?? null,
    when: (ctx) => ctx.contract.credits !== undefined,
  },
  { header: 'error_type', width: 12, value: (r) => (r.success ? null : r.error.type) },
  { header: 'error_message', width: 70, value: (r) => (r.success ? null : r.error.message) },
  { header: 'attempts', width: 9, value: (r) => r.attempts },
  { header: 'expected', width: 10, value: (r) => r.expected ?? null, when: (ctx) => ctx.evaluation !== null },
  { header: 'outcome', width: 9, value: (r) => r.outcome ?? null, when: (ctx) => ctx.evaluation !== null },
];

/** The Summary columns of one run, in order. */
export function summaryColumns(ctx: ReportContext): SummaryColumn[] {
  return SUMMARY_COLUMNS.flatMap((c) => (typeof c === 'function' ? c(ctx) : [c])).filter((c) => !c.when || c.when(ctx));
}

/** One row of the Run sheet, declared once. */
export interface RunRow {
  field: string;
  numFmt?: string;
  value: (ctx: ReportContext) => Cell;
}

const utcDate = (iso: string): Cell => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms);
};
const round1 = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(n * 10) / 10);

export const RUN_ROWS: readonly RunRow[] = [
  { field: 'endpoint', value: (c) => c.scrub(safeEndpoint(c.input.endpoint)) },
  { field: 'provider', value: (c) => c.contract.label },
  { field: 'started (UTC)', numFmt: FORMATS.dateTime, value: (c) => utcDate(c.input.startedAt) },
  { field: 'finished (UTC)', numFmt: FORMATS.dateTime, value: (c) => utcDate(c.input.finishedAt) },
  {
    field: 'duration (s)', numFmt: '0.0',
    value: (c) => {
      const d = Date.parse(c.input.finishedAt) - Date.parse(c.input.startedAt);
      return Number.isFinite(d) ? Math.round(d / 100) / 10 : null;
    },
  },
  { field: 'input ZIP', value: (c) => (c.input.inputZip ? c.scrub(c.input.inputZip.name) : null) },
  { field: 'input ZIP size (bytes)', numFmt: '#,##0', value: (c) => c.input.inputZip?.size ?? null },
  { field: 'engine mode', value: (c) => c.input.engine ?? null },
  { field: 'app version', value: (c) => c.input.appVersion ?? null },
  { field: 'timeout (s)', numFmt: '0.0##', value: (c) => (c.input.settings ? c.input.settings.timeoutMs / 1000 : null) },
  { field: 'retries', value: (c) => c.input.settings?.retries ?? null },
  { field: 'concurrency', value: (c) => c.input.settings?.concurrency ?? null },
  {
    field: 'rate limit (calls/s)',
    value: (c) => {
      const s = c.input.settings;
      if (!s || s.ratePerSecond === undefined) return null;
      return s.ratePerSecond === null ? 'none' : s.ratePerSecond;
    },
  },
  { field: 'pairs', value: (c) => c.stats.pairs },
  { field: 'succeeded', value: (c) => c.stats.succeeded },
  { field: 'failed', value: (c) => c.stats.failed },
  { field: 'not run', value: (c) => c.stats.notRun },
  // Re-run failed / Run remaining and Resume (journal.ts): how many records say so.
  { field: 'pairs re-run', value: (c) => c.records.filter((r) => r.previous_error !== undefined).length },
  { field: 'pairs resumed', value: (c) => c.records.filter((r) => r.resumed === true).length },
  { field: 'matches', value: (c) => c.stats.matches },
  { field: 'non-matches', value: (c) => c.stats.nonMatches },
  { field: 'total credits consumed', value: (c) => c.totalCredits },
  { field: 'mean response time (ms)', numFmt: FORMATS.ms, value: (c) => round1(c.stats.meanMs) },
  { field: 'p50 response time (ms)', numFmt: FORMATS.ms, value: (c) => round1(c.stats.p50Ms) },
  { field: 'p95 response time (ms)', numFmt: FORMATS.ms, value: (c) => round1(c.stats.p95Ms) },
  { field: 'skipped files', value: (c) => c.input.skipped.length },
  { field: 'notices', value: (c) => c.input.notices.length },
  { field: 'stop reason', value: (c) => (c.input.stopReason ? c.scrub(c.input.stopReason) : null) },
];

/** One record's Summary cells. */
export function summaryRow(columns: readonly SummaryColumn[], contract: ProviderContract, rec: PairRecord, index: number): Cell[] {
  const row: SummaryRowContext = { index, contract, verdict: recordVerdict(contract, rec) };
  return columns.map((c) => c.value(rec, row));
}

/**
 * A stand-in Summary row: 0 in every column with a number format, so the workbook writer gives
 * each such column its cell format (archive-stream.ts reads them back from the row it wrote).
 */
export function summaryProbeRow(columns: readonly SummaryColumn[]): Cell[] {
  return columns.map((c) => (c.numFmt ? 0 : null));
}

/** The Summary sheet; with `probe`, a probe row stands in for that many data rows (workbookParts). */
function summarySheet(ctx: ReportContext, probe?: number): SheetContent {
  const columns = summaryColumns(ctx);
  if (probe !== undefined) return { columns, rows: [summaryProbeRow(columns)], filterRows: probe, autofilter: true };
  const rows = ctx.records.map((rec, index) => summaryRow(columns, ctx.contract, rec, index));
  return { columns, rows, autofilter: true };
}

function runSheet(ctx: ReportContext): SheetContent {
  return {
    columns: [{ header: 'field', width: 26 }, { header: 'value', width: 80 }],
    rows: RUN_ROWS.map((r) => {
      const v = r.value(ctx);
      return [r.field, r.numFmt && (typeof v === 'number' || v instanceof Date) ? { value: v, numFmt: r.numFmt } : v];
    }),
  };
}

function noticesSheet(ctx: ReportContext): SheetContent {
  const rows = ctx.input.notices.map((n) => [ctx.scrub(n)]);
  return { columns: [{ header: 'notice', width: 120 }], rows: rows.length ? rows : [['There are no notices.']] };
}

function skippedSheet(ctx: ReportContext): SheetContent {
  const rows: Cell[][] = ctx.input.skipped.map((s) => [ctx.scrub(s.path), ctx.scrub(s.reason)]);
  return {
    columns: [{ header: 'path', width: 50 }, { header: 'reason', width: 110 }],
    rows: rows.length ? rows : [[null, 'No files were skipped.']],
  };
}

/** The xlsx number format of a sheet column's kind. */
const KIND_FORMATS: Record<ColumnKind, string | undefined> = {
  text: undefined, integer: FORMATS.integer, percent: FORMATS.percent, ratio: '0.00', threshold: '0.0000',
};

const pctCell = (v: Cell): Cell | FormattedCell => (typeof v === 'number' ? { value: v, numFmt: FORMATS.percent } : v);

/** The Evaluation sheet: metric, value, ci_low, ci_high, n, note; rates are numbers shown as percentages. */
function evaluationSheet(ctx: ReportContext): SheetContent | null {
  if (!ctx.evaluation || !ctx.input.evaluation) return null;
  const [, ...rows] = evaluationSheetRows(ctx.evaluation, ctx.input.evaluation);
  return {
    columns: [
      { header: 'metric', width: 28 }, { header: 'value', width: 12 }, { header: 'ci_low', width: 10 }, { header: 'ci_high', width: 10 },
      { header: 'n', width: 8 }, { header: 'note', width: 100 },
    ],
    rows: rows.map((r) => {
      const metric = String(r[0]);
      return isRateMetric(metric) ? [r[0]!, pctCell(r[1]!), pctCell(r[2]!), pctCell(r[3]!), r[4]!, r[5] === null ? null : ctx.scrub(String(r[5]))] : r.map((c, k) => (k === 5 && typeof c === 'string' ? ctx.scrub(c) : c));
    }),
  };
}

/** The Groups sheet: per value of each extra labels.csv column, its figures; then the highest ÷ lowest ratios. */
function groupsSheet(ctx: ReportContext): SheetContent | null {
  if (!ctx.evaluation || !ctx.input.evaluation) return null;
  const tables = groupTables(cardOf(ctx.evaluation, ctx.input.evaluation));
  if (!tables) return null;
  const typed = (cols: readonly { kind: ColumnKind }[], row: readonly Cell[]) =>
    row.map((c, k) => {
      const fmt = KIND_FORMATS[cols[k]!.kind];
      return typeof c === 'string' ? ctx.scrub(c) : fmt && typeof c === 'number' ? { value: c, numFmt: fmt } : c;
    });
  return {
    columns: GROUP_COLUMNS.map((c, k) => ({ header: c.header, width: Math.max(c.width, GROUP_RATIO_COLUMNS[k]?.width ?? 0) })),
    rows: [
      ...tables.groups.map((r) => typed(GROUP_COLUMNS, r)),
      [],
      GROUP_RATIO_COLUMNS.map((c) => c.header),
      ...tables.ratios.map((r) => typed(GROUP_RATIO_COLUMNS, r)),
    ],
  };
}

/** The Compare sheet: one row per pair of either run, then the run figures. */
function compareSheet(ctx: ReportContext): SheetContent | null {
  if (!ctx.input.comparison) return null;
  const comparison = redactedComparison(ctx.input.comparison, ctx.scrub);
  const [head, ...pairRows] = compareSheetRows(comparison);
  const difference = ctx.input.evaluation ? differenceOf(comparison, ctx.input.evaluation) : null;
  const rows = difference
    ? [...pairRows, ...differenceRows(difference).map((r) => (isPercentFigure(String(r[0])) ? r.map((c, k) => (k === 0 ? c : pctCell(c))) : r))]
    : pairRows;
  // Two sweeps: each perturbation level's rates in both runs, side by side.
  if (comparison.robustness) {
    rows.push([], [...ROBUSTNESS_COMPARE_COLUMNS], ...robustnessCompareRows(comparison.robustness).map((r) => r.map((c, k) => (k === 0 ? c : pctCell(c)))));
  }
  const widths = [28, 14, 12, 12, 17, 17, 17, 23, 23, 50, 50];
  return {
    columns: head!.map((h, k) => ({ header: String(h), width: widths[k] ?? 12 })),
    rows,
  };
}

/** The Robustness sheet of a sweep: one row per level (the baseline first), rates as percentages. */
function robustnessSheet(ctx: ReportContext): SheetContent | null {
  if (!ctx.robustness) return null;
  const widths: Record<string, number> = { perturbation: 18, note: 90 };
  return {
    columns: ROBUSTNESS_COLUMNS.map((h) => ({
      header: h, width: widths[h] ?? Math.max(9, h.length + 2),
      ...(ROBUSTNESS_RATE_COLUMNS.has(h) ? { numFmt: FORMATS.percent } : h === 'score_change_mean' || h === 'score_change_sd' ? { numFmt: '0.0000' } : {}),
    })),
    rows: robustnessRows(ctx.robustness).map((r) => r.map((c, k) => (k === r.length - 1 && typeof c === 'string' ? ctx.scrub(c) : c))),
    autofilter: true,
  };
}

/** The workbook's sheets, in order. Add a sheet by adding an entry. */
/** The Summary sheet: one row per pair, first in the workbook. */
export const SUMMARY_SHEET: SheetSpec = { name: 'Summary', build: summarySheet };

export const SHEETS: readonly SheetSpec[] = [
  SUMMARY_SHEET,
  { name: 'Run', build: runSheet },
  { name: 'Notices', build: noticesSheet },
  { name: 'Skipped files', build: skippedSheet },
  { name: 'Evaluation', build: evaluationSheet },
  { name: 'Groups', build: groupsSheet },
  { name: 'Compare', build: compareSheet },
  { name: 'Robustness', build: robustnessSheet },
];

/** The endpoint without userinfo, query string or fragment (credentials removed by safe-url.ts, the one redactor). */

/** Sum of the credits each successful record reports; null when no record reports any. */
export function totalCredits(contract: ProviderContract, records: readonly PairRecord[]): number | null {
  if (!contract.credits) return null;
  let total: number | null = null;
  for (const rec of records) {
    const c = recordVerdict(contract, rec)?.credits;
    if (c !== null && c !== undefined) total = (total ?? 0) + c;
  }
  return total;
}

/** The context every sheet builds from. */
export function reportContext(input: ReportInput, records: readonly PairRecord[] = redactRecords(input.records, input.secrets)): ReportContext {
  const scrub = scrubber(input.secrets) ?? ((s: string) => s);
  return {
    input, records, contract: input.contract,
    stats: summarise(records, input.contract),
    totalCredits: totalCredits(input.contract, records),
    scrub,
    evaluation: input.evaluation ? evaluationOf(records, input.contract, input.evaluation) : null,
    robustness: input.sweep ? robustnessOf(records, input.contract) : null,
  };
}

export async function buildSummaryWorkbook(input: ReportInput): Promise<Uint8Array> {
  return workbookFromRedacted(input, archiveRecords(input));
}

/** The records as the archive writes them: secrets redacted; with labels, expected/outcome (and label_columns) appended. */
export function archiveRecords(input: ReportInput): PairRecord[] {
  const records = redactRecords(input.records, input.secrets);
  return input.evaluation ? withOutcomes(records, input.contract, new Map(input.evaluation.labels), input.evaluation.attributes) : records;
}

/** report.html for the run: the same figures as the sheets, every chart as inline SVG. */
export async function buildReportPage(input: ReportInput, records: readonly PairRecord[] = archiveRecords(input), ctx: ReportContext = reportContext(input, records)): Promise<string> {
  return buildReportHtml({
    provider: input.contract.label,
    endpoint: ctx.scrub(safeEndpoint(input.endpoint)),
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    records,
    run: reportCardFacts(ctx),
    stats: ctx.stats,
    contract: input.contract,
    ...(ctx.evaluation && input.evaluation ? { evaluation: { ev: ctx.evaluation, input: input.evaluation } } : {}),
    ...(input.comparison ? { comparison: redactedComparison(input.comparison, ctx.scrub) } : {}),
    ...(ctx.robustness ? { robustness: ctx.robustness } : {}),
  });
}

/** The Run sheet's facts about the run (before its counts, and the stop reason), as report.html's first table. */
function reportCardFacts(ctx: ReportContext): [string, Cell][] {
  const upTo = RUN_ROWS.findIndex((r) => r.field === 'pairs');
  return [...RUN_ROWS.slice(0, upTo), ...RUN_ROWS.filter((r) => r.field === 'stop reason')].map((r) => [r.field, r.value(ctx)]);
}

/** The comparison with every secret replaced (its strings come from two runs' records). */
function redactedComparison(c: Comparison, scrub: (s: string) => string): Comparison {
  return JSON.parse(scrub(JSON.stringify(c))) as Comparison;
}

/** Options of workbookParts. */
export interface WorkbookPartsOptions {
  /**
   * Write the Summary sheet with only a probe row (summaryProbeRow) in place of its data rows,
   * while declaring this many data rows: archive-stream.ts splices in the rows it wrote itself.
   */
  summaryProbe?: number;
  /** The report context, when the caller already has it (reportContext of the same input and records). */
  ctx?: ReportContext;
}

/** summary.xlsx as its parts (path → bytes), bold frozen headers applied; records already redacted. */
export async function workbookParts(input: ReportInput, records: readonly PairRecord[], o: WorkbookPartsOptions = {}): Promise<WorkbookParts> {
  const [XLSX, { unzipSync }] = await Promise.all([import('xlsx'), import('fflate')]);
  const wb = XLSX.utils.book_new();
  const ctx = o.ctx ?? reportContext(input, records);
  for (const spec of SHEETS) {
    const content = spec === SUMMARY_SHEET && o.summaryProbe !== undefined ? summarySheet(ctx, o.summaryProbe) : spec.build(ctx);
    if (content) XLSX.utils.book_append_sheet(wb, worksheet(content), spec.name);
  }
  // Uncompressed: the parts are opened again here, and compressed once when zipped.
  const out = XLSX.write(wb, { type: 'array', bookType: 'xlsx', compression: false }) as ArrayBuffer;
  const files = unzipSync(new Uint8Array(out));
  await boldFrozenHeaderParts(files);
  return files;
}

async function workbookFromRedacted(input: ReportInput, records: readonly PairRecord[]): Promise<Uint8Array> {
  const [files, { zipSync }] = await Promise.all([workbookParts(input, records), import('fflate')]);
  return zipSync(files, { level: 6 });
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(c: number): string {
  let name = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Days since 1899-12-30 (Excel's serial date), from a UTC instant: the sheet shows UTC. */
export function excelSerial(date: Date): number {
  return date.getTime() / 86_400_000 + 25_569;
}

/**
 * A worksheet object in the shape xlsx writes, built directly: XLSX.utils.aoa_to_sheet costs
 * ~0.3 s for 10,000 rows. Null cells are left out.
 */
function worksheet(content: SheetContent): WorkSheet {
  const sheet: WorkSheet = {};
  const { columns, rows } = content;
  const width = Math.max(1, columns.length, ...rows.map((r) => r.length));
  const letters = columnLetters(width);
  columns.forEach((col, c) => { sheet[`${letters[c]}1`] = { t: 's', v: col.header }; });
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const line = String(r + 2);
    for (let c = 0; c < row.length; c++) {
      const cell = sheetCell(row[c]!, columns[c]?.numFmt);
      if (cell) sheet[letters[c]! + line] = cell;
    }
  }
  sheet['!ref'] = `A1:${letters[width - 1]}${rows.length + 1}`;
  sheet['!cols'] = columns.map((c) => ({ wch: c.width }));
  if (content.autofilter) sheet['!autofilter'] = { ref: `A1:${letters[Math.max(0, columns.length - 1)]}${(content.filterRows ?? rows.length) + 1}` };
  return sheet;
}

/** Column letters A, B, … for `width` columns. */
export function columnLetters(width: number): string[] {
  return Array.from({ length: width }, (_, c) => columnName(c));
}

/**
 * A cell as the workbook writer takes it, from a declared cell and its column's number format:
 * a Date becomes an Excel serial with a date format, a number keeps the format, null is no cell.
 */
export function sheetCell(raw: Cell | FormattedCell, columnFmt: string | undefined): SheetCell | null {
  const value = isFormatted(raw) ? raw.value : raw;
  if (value === null || value === undefined) return null;
  const fmt = isFormatted(raw) ? raw.numFmt : columnFmt;
  if (value instanceof Date) return { t: 'n', v: excelSerial(value), z: fmt ?? FORMATS.dateTime };
  if (typeof value === 'number') return fmt ? { t: 'n', v: value, z: fmt } : { t: 'n', v: value };
  if (typeof value === 'boolean') return { t: 'b', v: value };
  return { t: 's', v: value };
}

/**
 * The archive the user downloads: summary.xlsx, report.html, run.json and one JSON per pair.
 *
 * Written with fflate rather than JSZip: JSZip's per-file stream pipeline costs ~0.2 ms per entry,
 * which alone breaks the 1.5 s budget for 10,000 pairs; fflate's zipSync is about three times
 * cheaper per entry.
 *
 * A pair's JSON under STORE_BELOW bytes is stored, not deflated: a typical record is ~300 B, and
 * deflating 10,000 of them cost 10–20× more than storing them (measured with fflate 0.8: 1.7–3.3 s
 * against 0.10–0.17 s on 2 loaded cores) to save 1.3 MB of 4.3 MB. Larger ones (long error bodies)
 * are still deflated, as are the report and the manifest.
 */
export async function buildResultsZip(input: ReportInput): Promise<Uint8Array> {
  const records = archiveRecords(input);
  const [{ zipSync, strToU8 }, workbook, page] = await Promise.all([import('fflate'), workbookFromRedacted(input, records), buildReportPage(input, records)]);
  // Entries in the order of the archive written as the run goes (archive-stream.ts): one per pair, then the run's own.
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {};
  const taken = new Set<string>();
  for (const rec of records) {
    const entry = resultEntry(rec, taken, strToU8);
    files[entry.name] = entry.store ? [entry.data, { level: 0 }] : entry.data;
  }
  // The workbook is itself a compressed ZIP: store it as is.
  files['summary.xlsx'] = [workbook, { level: 0 }];
  files['report.html'] = strToU8(page);
  if (input.manifest) files['run.json'] = strToU8(`${JSON.stringify(input.manifest, null, 2)}\n`);
  return zipSync(files, { level: 6 });
}

/** One pair's results/<pair>.json entry: its name (unique in `taken`), bytes, and whether it is stored rather than deflated. */
export function resultEntry(rec: PairRecord, taken: Set<string>, encode: (s: string) => Uint8Array): { name: string; data: Uint8Array; store: boolean } {
  const data = encode(recordJson(rec));
  return { name: archiveEntryName(rec.pair_id, taken), data, store: data.length < STORE_BELOW };
}

/** Pair JSON smaller than this is stored in the archive rather than deflated (see buildResultsZip). */
export const STORE_BELOW = 2048;

export { safeEndpoint };
/** The scrubber lives in secrets/secrets.ts; these names stay importable from here. */
export { REDACTED, redactRecords, scrubber, secretValues, type Scrubber } from '../secrets/secrets.ts';
