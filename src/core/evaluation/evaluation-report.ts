/**
 * The evaluation and the comparison in the archive: rows of the "Evaluation" and "Compare" sheets
 * of summary.xlsx, and the self-contained report.html (tables + every chart as inline SVG, no
 * script, a CSP that forbids any request, so it opens offline).
 *
 * Everything here is computed from the records only, so it equals a recomputation from
 * results/*.json. Strings reaching this module are already redacted by report.ts.
 */
import type { ProviderContract } from '../contracts/contracts.ts';
import { comparisonCharts, evaluationCharts, latencyChart, robustnessCharts, type ChartDef } from '../charts/charts.ts';
import { ROBUSTNESS_COLUMNS, ROBUSTNESS_COMPARE_COLUMNS, robustnessCompareRows, robustnessRows, type Robustness } from '../sweep/robustness.ts';
import { renderChartSvg } from '../charts/chart-render.ts';
import { describeChange, errorNotes, type Comparison, type ComparedPair } from './compare.ts';
import { atThreshold, evalRows, evaluate, outcomeAt, pct, type Evaluation, type Rate } from './evaluation.ts';
import type { Expected } from '../pairing/labels.ts';
import { CONVENTION_LABELS, CONVENTION_NOTES } from './acquisition.ts';
import { cardDifference, reportCard, type ReportCard } from './card.ts';
import type { AttributeTable } from './input.ts';
import type { Grouping } from './groups.ts';
import { comparisonDet, type RunDifference } from './significance.ts';
import { recordVerdict, type PairRecord } from '../run/records.ts';
import type { RunStats } from '../run/stats.ts';

/** What the archive needs to know about the labels and the chosen threshold (structured-clone friendly). */
export interface EvaluationInput {
  /** [pair_id, expected] for every labelled pair. */
  labels: readonly (readonly [string, Expected])[];
  /** Where they came from, e.g. "labels.csv in pairs.zip". */
  labelsSource: string;
  /** The threshold chosen in the what-if (0–1 confidence), or null for the API's own decision. */
  threshold: number | null;
  /** labels.csv's other columns: subjects (for the intervals) and groupings. */
  attributes?: AttributeTable;
  /** Target FMRs (fractions) to give thresholds for; default 1 % and 0.1 %. */
  targetFmrs?: readonly number[];
  /** The bootstrap's seed (default DEFAULT_SEED). */
  seed?: number;
}

const cards = new WeakMap<Evaluation, Map<EvaluationInput, ReportCard>>();

/** The report card of an evaluation (computed once per evaluation and input: the bootstrap is not free). */
export function cardOf(ev: Evaluation, input: EvaluationInput): ReportCard {
  let byInput = cards.get(ev);
  if (!byInput) cards.set(ev, (byInput = new Map()));
  let card = byInput.get(input);
  if (!card) {
    card = reportCard(ev.rows, {
      threshold: input.threshold,
      ...(input.attributes ? { attributes: input.attributes } : {}),
      ...(input.targetFmrs ? { targetFmrs: input.targetFmrs } : {}),
      ...(input.seed !== undefined ? { seed: input.seed } : {}),
    });
    byInput.set(input, card);
  }
  return card;
}

/** The difference between the runs of a comparison, on this run's labels (null without labelled pairs in both). */
export function differenceOf(c: Comparison, input: EvaluationInput): RunDifference | null {
  return cardDifference(c, new Map(input.labels), { ...(input.attributes ? { attributes: input.attributes } : {}), ...(input.seed !== undefined ? { seed: input.seed } : {}) });
}

export type Cell = string | number | boolean | null;

/** A threshold as shown in words (the cells keep full precision). */
export const round4 = (t: number): string => String(Math.round(t * 10000) / 10000);

export const EVALUATION_COLUMNS = ['metric', 'value', 'ci_low', 'ci_high', 'n', 'note'] as const;

export function evaluationOf(records: readonly PairRecord[], contract: ProviderContract, input: EvaluationInput): Evaluation {
  return evaluate(evalRows(records, contract, new Map(input.labels)));
}

const rateRow = (metric: string, r: Rate, note: string): Cell[] => [metric, r.value, r.low, r.high, r.n, r.value === null ? `${r.text}; ${note}` : note];

/** The "Evaluation" sheet: one row per figure; numbers are numbers, an absent figure has an empty value and a note. */
export function evaluationSheetRows(ev: Evaluation, input: EvaluationInput): Cell[][] {
  const c = ev.api.confusion;
  const decided = ev.scores.same.length + ev.scores.different.length;
  const card = cardOf(ev, input);
  const a = card.acquisition;
  const where = input.threshold === null ? "at the API's decision" : `at threshold ${round4(input.threshold)}`;
  const ci = card.intervals.method === 'wilson' ? '95 % Wilson interval' : '95 % subject-bootstrap interval';
  const rows: Cell[][] = [
    [...EVALUATION_COLUMNS],
    rateRow('FMR', ev.api.fmr, `false matches ÷ different-person pairs decided, at the API's decision (${CONVENTION_LABELS.excluded}); 95 % Wilson interval`),
    rateRow('FNMR', ev.api.fnmr, `false non-matches ÷ same-person pairs decided, at the API's decision (${CONVENTION_LABELS.excluded}); 95 % Wilson interval`),
    rateRow('FTA same-person', a.fta.same, `failures to acquire: same-person pairs without a decision (error, timeout, no face, never sent) ÷ same-person pairs; ${ci}`),
    rateRow('FTA different-person', a.fta.different, `failures to acquire: different-person pairs without a decision ÷ different-person pairs; ${ci}`),
    rateRow(`FMR ${CONVENTION_LABELS.excluded}`, a.excluded.fmr, `${where}; ${CONVENTION_NOTES.excluded}; ${ci}`),
    rateRow(`FNMR ${CONVENTION_LABELS.excluded}`, a.excluded.fnmr, `${where}; ${CONVENTION_NOTES.excluded}; ${ci}`),
    rateRow(`FMR ${CONVENTION_LABELS.included}`, a.included.fmr, `${where}; ${CONVENTION_NOTES.included}; ${ci}`),
    rateRow(`FNMR ${CONVENTION_LABELS.included}`, a.included.fnmr, `${where}; ${CONVENTION_NOTES.included}; ${ci}`),
    ['EER', ev.eer?.value ?? null, null, null, decided, ev.eer ? 'where FMR and FNMR cross as the confidence threshold moves (linear between operating points)' : ev.eerNote],
    ['EER threshold', ev.eer?.threshold ?? null, null, null, decided, ev.eer ? 'confidence (0–1) at which a pair counts as a match: score ≥ threshold' : ev.eerNote],
  ];
  for (const t of card.targets) {
    rows.push(
      [`threshold for FMR ≤ ${t.label}`, t.threshold, null, null, t.impostors, t.warning ? `${t.note}. ${t.warning}` : t.note],
      rateRow(`FNMR at FMR ≤ ${t.label}`, t.fnmr, `at that threshold (${CONVENTION_LABELS.excluded}); ${ci}`),
      rateRow(`FMR at FMR ≤ ${t.label}`, t.fmr, `reached on these pairs at that threshold; ${ci}`),
    );
  }
  rows.push(['intervals', card.intervals.method, null, null, null, card.intervals.sentence]);
  for (const f of ev.fnmrAt) {
    rows.push([`FNMR@FMR=${f.label}`, f.value, null, null, ev.scores.different.length, f.note ?? (f.threshold === null ? 'reached only by rejecting every pair' : `at threshold ${round4(f.threshold)}`)]);
  }
  rows.push(
    ['TP', c.tp, null, null, ev.labelled, "same person, matched (API's decision)"],
    ['TN', c.tn, null, null, ev.labelled, "different people, not matched (API's decision)"],
    ['FP', c.fp, null, null, ev.labelled, "false match: different people, matched (API's decision)"],
    ['FN', c.fn, null, null, ev.labelled, "false non-match: same person, not matched (API's decision)"],
    ['errors', c.errors, null, null, ev.labelled, 'labelled pairs with no decision (HTTP error, timeout, no face, never sent): counted apart, not as non-matches'],
    ['unlabelled', ev.unlabelled, null, null, ev.rows.length, `pairs without a label in ${input.labelsSource}`],
  );
  if (input.threshold === null) {
    rows.push(['threshold used', null, null, null, null, "none chosen: the figures above are at the API's own decision"]);
  } else {
    const at = atThreshold(ev.rows, input.threshold);
    rows.push(
      ['threshold used', input.threshold, null, null, null, 'chosen in the threshold what-if: a pair matches when its confidence (0–1) ≥ threshold'],
      rateRow('FMR at threshold used', at.fmr, '95 % Wilson interval'),
      rateRow('FNMR at threshold used', at.fnmr, '95 % Wilson interval'),
      ['TP at threshold used', at.confusion.tp, null, null, ev.labelled, null],
      ['TN at threshold used', at.confusion.tn, null, null, ev.labelled, null],
      ['FP at threshold used', at.confusion.fp, null, null, ev.labelled, null],
      ['FN at threshold used', at.confusion.fn, null, null, ev.labelled, null],
    );
  }
  return rows;
}

/** The kind of a sheet column: how its numbers are shown (the xlsx format and report.html's text). */
export type ColumnKind = 'text' | 'integer' | 'percent' | 'ratio' | 'threshold';

export interface SheetColumn {
  header: string;
  width: number;
  kind: ColumnKind;
}

/** A metric of the Evaluation sheet whose value (and interval) is a rate shown as a percentage. */
export function isRateMetric(metric: string): boolean {
  return metric === 'EER' || /^(FMR|FNMR|FTA)\b/.test(metric);
}

type GroupRow = { grouping: Grouping; group: Grouping['groups'][number] };

/** The Groups sheet's columns, declared once with their values (the sheet and report.html both use them). */
export const GROUP_COLUMNS: readonly (SheetColumn & { value: (r: GroupRow) => Cell })[] = [
  { header: 'grouping', width: 14, kind: 'text', value: (r) => r.grouping.column },
  { header: 'group', width: 16, kind: 'text', value: (r) => r.group.value },
  { header: 'pairs', width: 8, kind: 'integer', value: (r) => r.group.figures.pairs },
  { header: 'same', width: 8, kind: 'integer', value: (r) => r.group.figures.same },
  { header: 'different', width: 10, kind: 'integer', value: (r) => r.group.figures.different },
  { header: 'FTA', width: 9, kind: 'percent', value: (r) => r.group.figures.fta.all.value },
  { header: 'FTA_low', width: 9, kind: 'percent', value: (r) => r.group.figures.fta.all.low },
  { header: 'FTA_high', width: 9, kind: 'percent', value: (r) => r.group.figures.fta.all.high },
  { header: 'FMR', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fmr.value },
  { header: 'FMR_low', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fmr.low },
  { header: 'FMR_high', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fmr.high },
  { header: 'FMR_n', width: 8, kind: 'integer', value: (r) => r.group.figures.excluded.fmr.n },
  { header: 'FNMR', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fnmr.value },
  { header: 'FNMR_low', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fnmr.low },
  { header: 'FNMR_high', width: 9, kind: 'percent', value: (r) => r.group.figures.excluded.fnmr.high },
  { header: 'FNMR_n', width: 8, kind: 'integer', value: (r) => r.group.figures.excluded.fnmr.n },
];

type RatioRow = { grouping: Grouping; ratio: Grouping['ratios'][number] };

/** The ratio table under the groups: per grouping and rate, highest ÷ lowest among groups large enough to show it. */
export const GROUP_RATIO_COLUMNS: readonly (SheetColumn & { value: (r: RatioRow) => Cell })[] = [
  { header: 'grouping', width: 14, kind: 'text', value: (r) => r.grouping.column },
  { header: 'rate', width: 16, kind: 'text', value: (r) => r.ratio.rate },
  { header: 'ratio', width: 8, kind: 'ratio', value: (r) => r.ratio.value },
  { header: 'highest', width: 10, kind: 'text', value: (r) => r.ratio.highest },
  { header: 'lowest', width: 10, kind: 'text', value: (r) => r.ratio.lowest },
  { header: 'pooled', width: 9, kind: 'percent', value: (r) => r.ratio.pooled },
  { header: 'min_pairs', width: 9, kind: 'integer', value: (r) => r.ratio.needed },
  { header: 'too_small', width: 24, kind: 'text', value: (r) => (r.ratio.tooSmall.length ? r.ratio.tooSmall.join(', ') : null) },
  { header: 'note', width: 100, kind: 'text', value: (r) => r.ratio.note },
];

export interface GroupTables {
  groups: Cell[][];
  ratios: Cell[][];
}

/** The Groups sheet's two tables (data rows only); null when labels.csv has no grouping column. */
export function groupTables(card: ReportCard): GroupTables | null {
  if (!card.groups.length) return null;
  return {
    groups: card.groups.flatMap((grouping) => grouping.groups.map((group) => GROUP_COLUMNS.map((c) => c.value({ grouping, group })))),
    ratios: card.groups.flatMap((grouping) => grouping.ratios.map((ratio) => GROUP_RATIO_COLUMNS.map((c) => c.value({ grouping, ratio })))),
  };
}

export const COMPARE_COLUMNS = [
  'pair_id', 'change', 'before_match', 'after_match', 'before_confidence', 'after_confidence', 'confidence_delta',
  'before_response_time_ms', 'after_response_time_ms', 'before_error', 'after_error',
] as const;

const CHANGE_ORDER: Record<ComparedPair['change'], number> = { flip: 0, newly_failing: 1, recovered: 2, both_failed: 3, same_verdict: 4 };
/** A verdict as a boolean cell, as the Summary sheet's facematch_result (empty when there is none). */
const matchCell = (m: boolean | null): Cell => m;

/** Joined pairs, the most telling first (flips, newly failing, recovered), then pairs in one run only. */
export function orderedPairs(c: Comparison): ComparedPair[] {
  return [...c.pairs].sort((a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change]);
}

/** The "Compare" sheet: one row per pair (pairs in one run only included), then the run figures. */
export function compareSheetRows(c: Comparison): Cell[][] {
  const rows: Cell[][] = [[...COMPARE_COLUMNS]];
  for (const p of orderedPairs(c)) {
    rows.push([
      p.pair_id, p.change, matchCell(p.before.match), matchCell(p.after.match), p.before.confidence, p.after.confidence, p.delta,
      p.before.latencyMs, p.after.latencyMs, p.before.error, p.after.error,
    ]);
  }
  for (const id of c.onlyBefore) rows.push([id, 'only_before']);
  for (const id of c.onlyAfter) rows.push([id, 'only_after']);
  rows.push([], ['figure', 'before', 'after']);
  rows.push(
    ['run', c.before, c.after],
    ['p50 response time (ms)', c.latency.before.p50, c.latency.after.p50],
    ['p95 response time (ms)', c.latency.before.p95, c.latency.after.p95],
    ['verdict flips', null, c.flips.length],
    ['newly failing', null, c.newlyFailing.length],
    ['recovered', null, c.recovered.length],
    ['only in one run', c.onlyBefore.length, c.onlyAfter.length],
    ['confidence delta median', null, c.deltas.median],
    ['confidence delta mean', null, c.deltas.mean],
    ['confidence delta min', null, c.deltas.min],
    ['confidence delta max', null, c.deltas.max],
  );
  return rows;
}

/** Rows under the Compare sheet's run figures: McNemar's test and the FMR/FNMR deltas (figure, before, after). */
export function differenceRows(d: RunDifference): Cell[][] {
  const delta = (name: string, r: RunDifference['fmr']): Cell[][] => [
    [`${name} ${CONVENTION_LABELS.excluded}`, r.before.value, r.after.value],
    [`${name} delta (after − before)`, null, r.delta],
    [`${name} delta 95 % interval low`, null, r.low],
    [`${name} delta 95 % interval high`, null, r.high],
  ];
  return [
    ['labelled pairs in both runs', d.pairs, d.pairs],
    ['labelled pairs decided wrongly or failed', d.errorsBefore, d.errorsAfter],
    ['right before, wrong after', null, d.b],
    ['wrong before, right after', null, d.c],
    ["McNemar's exact p", null, d.p],
    ['significance', null, d.sentence],
    ...delta('FMR', d.fmr),
    ...delta('FNMR', d.fnmr),
  ];
}

/** Figures of the Compare sheet shown as percentages. */
export const isPercentFigure = (figure: string): boolean => /^(FMR|FNMR) /.test(figure);

export interface ReportHtmlInput {
  provider: string;
  endpoint: string;
  startedAt: string;
  finishedAt: string;
  records: readonly PairRecord[];
  /** The run's facts as the Run sheet states them (field, value), already scrubbed; shown first. */
  run?: readonly (readonly [string, Cell | Date])[];
  /** Run counts and response-time percentiles. */
  stats?: RunStats;
  /** Reads verdicts, so a 2xx answer without one is counted as "no verdict". */
  contract?: ProviderContract;
  evaluation?: { ev: Evaluation; input: EvaluationInput };
  comparison?: Comparison;
  /** A sweep's robustness curves: a section with the Robustness table and a chart per perturbation. */
  robustness?: Robustness;
}

const esc = (v: unknown): string => String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: Cell): string => (v === null ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : esc(v));
/** A cell as report.html shows it, by its column's kind. */
const shown = (v: Cell, kind: ColumnKind): string => (typeof v !== 'number' ? num(v) : kind === 'percent' ? esc(pct(v)) : kind === 'ratio' ? `${v.toFixed(2)}×` : num(v));
/** Rows of a table, at most this many pairs are listed in one table of report.html. */
export const MAX_HTML_ROWS = 1000;

function table(head: readonly string[], rows: readonly (readonly Cell[])[], caption?: string, kinds?: readonly ColumnKind[]): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${head.map((_, k) => `<td>${kinds ? shown(r[k] ?? null, kinds[k]!) : num(r[k] ?? null)}</td>`).join('')}</tr>`).join('\n');
  return `<table>${caption ? `<caption>${esc(caption)}</caption>` : ''}<thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function confusionTable(c: { tp: number; tn: number; fp: number; fn: number; errors: number }, caption: string): string {
  return `<table class="cm"><caption>${esc(caption)}</caption>
<thead><tr><th></th><th scope="col">matched</th><th scope="col">not matched</th><th scope="col">error</th></tr></thead>
<tbody><tr><th scope="row">same person</th><td>TP ${c.tp}</td><td>FN ${c.fn}</td><td rowspan="2">${c.errors}</td></tr>
<tr><th scope="row">different people</th><td>FP ${c.fp}</td><td>TN ${c.tn}</td></tr></tbody></table>`;
}

async function figures(defs: readonly ChartDef[]): Promise<string> {
  const svgs = await Promise.all(defs.map((d) => renderChartSvg(d)));
  return defs.map((d, k) => `<figure><figcaption><strong>${esc(d.title)}</strong> — ${esc(d.caption)}</figcaption>${svgs[k]}</figure>`).join('\n');
}

/** The kind of failure of a record: its error type, "no_verdict" for an answer without one; null when decided. */
function failureOf(rec: PairRecord, contract: ProviderContract | undefined): string | null {
  if (!rec.success) return rec.error.type;
  return contract && !recordVerdict(contract, rec) ? 'no_verdict' : null;
}

const ms = (v: number | null): Cell => (v === null ? null : v.toFixed(1));

/** The first screen: the run, counts by outcome and by error type (every failed pair, labelled or not), response times. */
function runCard(input: ReportHtmlInput): string {
  const facts = (input.run ?? [['provider', input.provider], ['endpoint', input.endpoint], ['started (UTC)', input.startedAt], ['finished (UTC)', input.finishedAt]])
    .filter(([, v]) => v !== null && v !== '');
  const factsTable = `<table class="facts"><caption>Run</caption><tbody>${facts.map(([f, v]) => `<tr><th scope="row">${esc(f)}</th><td>${v instanceof Date ? esc(v.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')) : num(v as Cell)}</td></tr>`).join('')}</tbody></table>`;
  const st = input.stats;
  const labelled = input.records.some((r) => r.expected === 'same' || r.expected === 'different');
  const outcomes: Cell[][] = st ? [
    ['pairs', st.pairs], ['succeeded', st.succeeded], ['failed', st.failed], ['not run', st.notRun], ['matches', st.matches], ['non-matches', st.nonMatches],
  ] : [['pairs', input.records.length]];
  if (labelled) {
    const count = (o: string) => input.records.filter((r) => r.outcome === o).length;
    outcomes.push(['TP', count('TP')], ['TN', count('TN')], ['FP', count('FP')], ['FN', count('FN')], ['labelled, no decision', count('error')],
      ['unlabelled', input.records.filter((r) => r.expected !== 'same' && r.expected !== 'different').length]);
  }
  const failed = input.records.flatMap((r) => {
    const type = failureOf(r, input.contract);
    return type === null ? [] : [{ r, type }];
  });
  const types = new Map<string, { all: number; unlabelled: number }>();
  for (const { r, type } of failed) {
    const t = types.get(type) ?? { all: 0, unlabelled: 0 };
    t.all++;
    if (r.expected !== 'same' && r.expected !== 'different') t.unlabelled++;
    types.set(type, t);
  }
  const byType = failed.length
    ? table(['error type', 'pairs', 'of them unlabelled'], [...types].sort((a, b) => b[1].all - a[1].all).map(([t, v]) => [t, v.all, v.unlabelled]), 'Pairs without a decision, by error type')
    : '<p>Every pair got a decision.</p>';
  const latency = st ? table(['response time', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)'], [['calls with an HTTP answer', ms(st.p50Ms), ms(st.p95Ms), ms(st.p99Ms)]], 'Response time') : '';
  const list = failed.length
    ? table(['pair_id', 'label', 'error type', 'message'], failed.slice(0, MAX_HTML_ROWS).map(({ r, type }) => [
      r.pair_id, r.expected === 'same' || r.expected === 'different' ? r.expected : 'unlabelled', type, r.success ? 'the answer holds no verdict' : r.error.message,
    ]), `Failed pairs (${failed.length})`) + (failed.length > MAX_HTML_ROWS ? `<p>${failed.length - MAX_HTML_ROWS} more are in the Summary sheet.</p>` : '')
    : '';
  return `<section aria-labelledby="run" class="card"><h2 id="run">Run</h2>
<div class="grid">${factsTable}<div>${table(['outcome', 'pairs'], outcomes, 'Counts by outcome')}${latency}</div></div>
${byType}
${list}
</section>`;
}

function acquisitionTable(card: ReportCard, threshold: number | null): string {
  const a = card.acquisition;
  const where = threshold === null ? "at the API's decision" : `at threshold ${round4(threshold)}`;
  const r = (x: Rate) => esc(x.text);
  return `<table class="conv"><caption>Failures to acquire and both conventions, ${esc(where)}</caption>
<thead><tr><th></th><th scope="col">${esc(CONVENTION_LABELS.excluded)}</th><th scope="col">${esc(CONVENTION_LABELS.included)}</th></tr></thead>
<tbody><tr><th scope="row">FMR</th><td>${r(a.excluded.fmr)}</td><td>${r(a.included.fmr)}</td></tr>
<tr><th scope="row">FNMR</th><td>${r(a.excluded.fnmr)}</td><td>${r(a.included.fnmr)}</td></tr>
<tr><th scope="row">FTA same-person</th><td colspan="2">${r(a.fta.same)}</td></tr>
<tr><th scope="row">FTA different-person</th><td colspan="2">${r(a.fta.different)}</td></tr></tbody></table>
<p class="note">${esc(CONVENTION_LABELS.excluded)}: ${esc(CONVENTION_NOTES.excluded)}. ${esc(CONVENTION_LABELS.included)}: ${esc(CONVENTION_NOTES.included)}. ${esc(card.intervals.sentence)}</p>`;
}

function groupsSection(card: ReportCard): string {
  const t = groupTables(card);
  if (!t) return '<section aria-labelledby="groups"><h2 id="groups">Groups</h2><p>labels.csv has no grouping column. Add one (e.g. capture, sex, age_band) to see error rates by group.</p></section>';
  return `<section aria-labelledby="groups"><h2 id="groups">Groups</h2>
${table(GROUP_COLUMNS.map((c) => c.header), t.groups, 'Error rates by group (failures excluded)', GROUP_COLUMNS.map((c) => c.kind))}
${table(GROUP_RATIO_COLUMNS.map((c) => c.header), t.ratios, 'Highest ÷ lowest rate, between groups with enough pairs to show it', GROUP_RATIO_COLUMNS.map((c) => c.kind))}
</section>`;
}

function targetsSection(card: ReportCard): string {
  const rows = card.targets.map((t) => [t.label, t.threshold, t.fnmr.text, t.fmr.text, t.impostors, t.warning ? `${t.note}. ${t.warning}` : t.note]);
  return `<section aria-labelledby="targets"><h2 id="targets">Threshold for a target FMR</h2>
${table(['target FMR', 'threshold', 'FNMR there', 'FMR there', 'different-person pairs', 'note'], rows, 'Lowest threshold meeting each target on these pairs')}
</section>`;
}

/** report.html: a report card of the run — the run and its counts first, then the evaluation, groups, target FMRs and the comparison. */
export async function buildReportHtml(input: ReportHtmlInput): Promise<string> {
  const parts: string[] = [];
  parts.push(`<header><h1>Facematch report card</h1>
<p>${esc(input.provider)} · ${esc(input.endpoint)}<br>Started ${esc(input.startedAt)} · finished ${esc(input.finishedAt)} · ${input.records.length} pair(s)</p></header>`);
  parts.push(runCard(input));

  if (input.evaluation) {
    const { ev, input: evi } = input.evaluation;
    const card = cardOf(ev, evi);
    const rows = evaluationSheetRows(ev, evi);
    parts.push(`<section aria-labelledby="evaluation" class="page"><h2 id="evaluation">Evaluation</h2>
<p>${ev.labelled} labelled pair(s) (${ev.same} same, ${ev.different} different) from ${esc(evi.labelsSource)}; ${ev.unlabelled} unlabelled.
FMR ${esc(ev.api.fmr.text)}. FNMR ${esc(ev.api.fnmr.text)}.${ev.eer ? ` EER ${esc(pct(ev.eer.value))} at threshold ${esc(round4(ev.eer.threshold))}.` : ''}</p>
${confusionTable(ev.api.confusion, "Confusion matrix at the API's decision")}
${evi.threshold === null ? '' : confusionTable(atThreshold(ev.rows, evi.threshold).confusion, `Confusion matrix at threshold ${evi.threshold}`)}
${acquisitionTable(card, evi.threshold)}
</section>`);
    parts.push(groupsSection(card));
    parts.push(targetsSection(card));
    parts.push(`<section aria-labelledby="figures"><h2 id="figures">Figures and charts</h2>
${table(rows[0] as string[], rows.slice(1), 'Figures (as in the Evaluation sheet of summary.xlsx)')}
${await figures(evaluationCharts(ev, evi.threshold))}
${wrongPairs(ev, evi.threshold)}
</section>`);
  } else {
    parts.push('<section aria-labelledby="evaluation"><h2 id="evaluation">Evaluation</h2><p>No labels were given for this run, so there are no error rates. Add a labels.csv (pair_id,expected) to the ZIP or choose one beside it.</p></section>');
    const lat = latencyChart(input.records.flatMap((r) => (r.http_status !== null && r.response_time_ms !== null ? [r.response_time_ms] : [])));
    if (lat) parts.push(await figures([lat]));
  }

  if (input.comparison) parts.push(await comparisonSection(input.comparison, input.evaluation?.input ?? null));
  if (input.robustness) parts.push(await robustnessSection(input.robustness));

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Facematch report card</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;max-width:1100px;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:1rem 0;max-width:100%;font-size:13px}th,td{border:1px solid #d1d5db;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
caption{text-align:left;font-weight:600;padding:.25rem 0}figure{display:inline-block;vertical-align:top;margin:1rem 1rem 1rem 0;max-width:540px;width:100%}
figcaption{font-size:13px;margin-bottom:.25rem}svg{max-width:100%;height:auto;display:block}.cm td{text-align:center;min-width:6rem}
.grid{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}.facts th{font-weight:500;color:#4b5563}.note{font-size:13px;color:#4b5563}
.verdict{font-size:16px;font-weight:600}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none;font-size:11px}table{font-size:9.5px}figure{max-width:100%;display:block}figure,table,tr,.cm,.conv{break-inside:avoid}h2{break-after:avoid}.page{break-before:page}}
</style></head>
<body>
${parts.join('\n')}
</body></html>
`;
}

function wrongPairs(ev: Evaluation, threshold: number | null): string {
  const wrong = ev.rows.filter((r) => {
    const o = outcomeAt(r, null);
    return o === 'FP' || o === 'FN' || o === 'error' || (threshold !== null && outcomeAt(r, threshold) !== o);
  });
  const head = ['pair_id', 'expected', 'API decision', 'confidence', 'outcome', ...(threshold === null ? [] : [`outcome at ${threshold}`])];
  const rows = wrong.slice(0, MAX_HTML_ROWS).map((r) => [
    r.pair_id, r.expected, r.match === null ? 'error' : r.match ? 'match' : 'no match', r.score, outcomeAt(r, null),
    ...(threshold === null ? [] : [outcomeAt(r, threshold)]),
  ]);
  const more = wrong.length > MAX_HTML_ROWS ? `<p>${wrong.length - MAX_HTML_ROWS} more pair(s) are in the Summary sheet and results/*.json.</p>` : '';
  if (!wrong.length) return '<p>No labelled pair was decided wrongly or failed.</p>';
  return table(head, rows, `Pairs decided wrongly or failed (${wrong.length})`) + more;
}

async function comparisonSection(c: Comparison, evi: EvaluationInput | null): Promise<string> {
  const list = (title: string, pairs: readonly ComparedPair[]) => {
    if (!pairs.length) return `<p>${esc(title)}: none.</p>`;
    const rows = pairs.slice(0, MAX_HTML_ROWS).map((p) => [p.pair_id, describeChange(p), p.before.confidence, p.after.confidence, p.delta, p.after.errorKind ?? p.before.errorKind]);
    // Each error's sentence once under the table, its kind in the rows.
    const notes = errorNotes(pairs).map((n) => `<li><strong>${esc(n.kind)}</strong> (${n.pairs} pair${n.pairs === 1 ? '' : 's'}): ${esc(n.message)}</li>`).join('');
    return table(['pair_id', 'change', 'confidence before', 'confidence after', 'delta', 'error'], rows, `${title} (${pairs.length})`) + (notes ? `<ul>${notes}</ul>` : '');
  };
  const only = (title: string, ids: readonly string[]) => (ids.length ? `<p>${esc(title)} (${ids.length}): ${ids.slice(0, MAX_HTML_ROWS).map(esc).join(', ')}</p>` : '');
  const lat = table(['figure', 'before', 'after'], [
    ['p50 response time (ms)', c.latency.before.p50, c.latency.after.p50],
    ['p95 response time (ms)', c.latency.before.p95, c.latency.after.p95],
    ['confidence delta median', null, c.deltas.median],
    ['confidence delta min / max', null, c.deltas.min === null ? null : `${c.deltas.min.toFixed(4)} / ${c.deltas.max!.toFixed(4)}`],
  ], 'Run figures');
  const d = evi ? differenceOf(c, evi) : null;
  const labels = evi ? new Map(evi.labels) : null;
  const diff = d ? `<p class="verdict">${esc(d.sentence)}</p>
${table(['figure', 'before', 'after', 'delta (after − before)', '95 % interval'], [
    [`FMR (${CONVENTION_LABELS.excluded})`, d.fmr.before.text, d.fmr.after.text, d.fmr.delta === null ? null : signedPct(d.fmr.delta), deltaInterval(d.fmr)],
    [`FNMR (${CONVENTION_LABELS.excluded})`, d.fnmr.before.text, d.fnmr.after.text, d.fnmr.delta === null ? null : signedPct(d.fnmr.delta), deltaInterval(d.fnmr)],
  ], 'Error rates of both runs on the labelled pairs they share')}`
    : `<p>${esc(NO_SHARED_LABELS)}</p>`;
  return `<section aria-labelledby="compare" class="page"><h2 id="compare">Comparison with a previous run</h2>
<p>Before: ${esc(c.before)} · after: ${esc(c.after)} · ${c.pairs.length} pair(s) in both runs.</p>
${diff}
${list('Verdict flips', c.flips)}
${list('Newly failing', c.newlyFailing)}
${list('Recovered', c.recovered)}
${only('Only in the previous run', c.onlyBefore)}
${only('Only in this run', c.onlyAfter)}
${c.robustness ? table(ROBUSTNESS_COMPARE_COLUMNS, robustnessCompareRows(c.robustness), 'Robustness of both sweeps, per perturbation level', ROBUSTNESS_COMPARE_COLUMNS.map((_, k) => (k === 0 ? 'text' : 'percent'))) : ''}
${lat}
${await figures(comparisonCharts(c, labels ? comparisonDet(c, labels) : undefined))}
</section>`;
}

async function robustnessSection(r: Robustness): Promise<string> {
  const sentences = r.curves.map((c) => `<li><strong>${esc(c.label)}</strong>: ${esc(c.sentence)}</li>`).join('');
  return `<section aria-labelledby="robustness"><h2 id="robustness">Robustness</h2>
<p>Each pair was sent as it is (the baseline) and once per perturbation level; the Evaluation figures above pool them all, this section breaks them down. ${r.labelled ? 'FNMR and FMR at the API\'s decision, with 95 % intervals.' : 'No labels: the flip rate compares each variant\'s verdict with its own pair\'s.'}</p>
<ul>${sentences}</ul>
${table(ROBUSTNESS_COLUMNS, robustnessRows(r), 'Figures (as in the Robustness sheet of summary.xlsx)')}
${await figures(robustnessCharts(r))}
</section>`;
}

/** What a comparison says when no labelled pair is in both runs. */
export const NO_SHARED_LABELS = 'No labelled pair is in both runs, so the runs cannot be tested against each other. Give this run a labels.csv to see whether the difference is real.';

/** A signed difference of rates in percentage points. */
export function signedPct(v: number): string {
  return `${v > 0 ? '+' : v < 0 ? '−' : ''}${pct(Math.abs(v))}`;
}

/** A rate delta's 95 % interval in words ("−1.50 % to +0.500 %"); empty when there is none. */
export function deltaInterval(r: RunDifference['fmr']): string {
  return r.low === null || r.high === null ? '' : `${signedPct(r.low)} to ${signedPct(r.high)}`;
}
