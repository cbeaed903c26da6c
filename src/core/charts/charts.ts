/**
 * The evaluation's charts, defined once as ECharts options: the Bulk UI draws them in the browser
 * (chart-render.ts `mountChart`), report.html and the CLI get the same options as SVG strings
 * (chart-render.ts `renderChartSvg`, ECharts' server-side SVG renderer, no DOM).
 *
 * This module is data only: it never loads ECharts, so building a definition costs nothing.
 */
import type { EChartsCoreOption } from 'echarts/core';
import type { Comparison } from '../evaluation/compare.ts';
import { histogram, latencyHistogram, probit, type DetPoint, type Evaluation, type Rate } from '../evaluation/evaluation.ts';
import type { Robustness, RobustnessCurve, RobustnessLevel } from '../sweep/robustness.ts';
import { levelText, PERTURBATIONS } from '../sweep/spec.ts';

export interface ChartDef {
  /** Stable id, used for test ids and file names: "roc", "det", "scores", "latency", "rates", "deltas". */
  id: string;
  /** The chart's heading (also its accessible name). */
  title: string;
  /** One sentence on how to read it. */
  caption: string;
  option: EChartsCoreOption;
  width: number;
  height: number;
}

const W = 520;
const H = 340;
const SAME = '#15803d';
const DIFF = '#b91c1c';
const LINE = '#1d4ed8';
const base = {
  animation: false,
  textStyle: { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', color: '#1f2937' },
  grid: { left: 64, right: 24, top: 40, bottom: 56 },
} as const;
const axisName = (name: string, gap = 32) => ({ name, nameLocation: 'middle', nameGap: gap });
const fmt2 = (v: number) => (Math.round(v * 100) / 100).toString();

/** Probabilities marked on DET axes (as NIST draws them). */
const DET_TICKS = [0.0001, 0.001, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8];

function detAxis(name: string, lo: number, hi: number, gap: number) {
  const ticks = DET_TICKS.filter((p) => p >= lo && p <= hi);
  const values = ticks.map((p) => probit(p));
  const label = new Map(values.map((v, k) => [v, pctTick(ticks[k]!)]));
  return {
    type: 'value',
    min: probit(lo),
    max: probit(hi),
    ...axisName(name, gap),
    axisLabel: { customValues: values, formatter: (v: number) => label.get(v) ?? '' },
    axisTick: { customValues: values },
    axisLine: { onZero: false },
    splitLine: { show: false },
  };
}

function pctTick(p: number): string {
  const v = p * 100;
  return `${v >= 1 ? v.toFixed(0) : v.toPrecision(1)}%`;
}

/** The charts of a labelled evaluation, at the chosen threshold (null: none marked). */
export function evaluationCharts(ev: Evaluation, threshold: number | null): ChartDef[] {
  const charts: ChartDef[] = [];
  const points = ev.points.filter((p) => Number.isFinite(p.threshold));

  if (ev.points.length) {
    charts.push({
      id: 'roc',
      title: 'ROC curve',
      caption: 'True match rate (1 − FNMR) against false match rate as the threshold moves; the top-left corner is best.',
      width: W,
      height: H,
      option: {
        ...base,
        xAxis: { type: 'value', min: 0, max: 1, ...axisName('False match rate (FMR)'), axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
        yAxis: { type: 'value', min: 0, max: 1, ...axisName('True match rate (1 − FNMR)', 44), axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
        series: [{ type: 'line', name: 'ROC', showSymbol: false, step: false, color: LINE, data: [[0, 0], ...[...ev.points].reverse().map((p) => [p.fmr, 1 - p.fnmr]), [1, 1]] }],
      },
    });
  }

  if (ev.det.length) {
    const fmrs = ev.det.map((p) => p.fmr);
    const fnmrs = ev.det.map((p) => p.fnmr);
    const lo = Math.min(...fmrs, ...fnmrs);
    const floor = DET_TICKS.filter((p) => p <= lo).at(-1) ?? DET_TICKS[0]!;
    charts.push({
      id: 'det',
      title: 'DET curve',
      caption: 'FNMR against FMR on normal-deviate axes (as NIST draws them); lower-left is better. Points where a rate is 0 or 1 cannot be drawn on these axes.',
      width: W,
      height: H,
      option: {
        ...base,
        xAxis: detAxis('False match rate (FMR)', floor, 0.8, 32),
        yAxis: detAxis('False non-match rate (FNMR)', floor, 0.8, 44),
        series: [{ type: 'line', name: 'DET', showSymbol: ev.det.length < 40, symbolSize: 4, color: LINE, data: ev.det.map((p) => [p.x, p.y]) }],
      },
    });
  }

  if (ev.scores.same.length || ev.scores.different.length) {
    const bins = 20;
    const s = histogram(ev.scores.same, 0, 1, bins);
    const d = histogram(ev.scores.different, 0, 1, bins);
    const labels = s.edges.map((e) => fmt2(e + s.width / 2));
    const mark = threshold === null ? undefined : {
      symbol: 'none', silent: true, label: { formatter: `threshold ${threshold.toFixed(2)}` }, lineStyle: { color: '#111827', type: 'dashed' },
      data: [{ xAxis: Math.min(bins - 1, Math.floor(threshold * bins)) }],
    };
    charts.push({
      id: 'scores',
      title: 'Confidence by expected label',
      caption: 'How many same-person and different-person pairs got each confidence; the less the two overlap, the easier the threshold.',
      width: W,
      height: H,
      option: {
        ...base,
        // Room under the legend for the threshold marker's label, which sits above the plot.
        grid: { ...base.grid, top: 56 },
        legend: { top: 4, data: ['same person', 'different people'] },
        xAxis: { type: 'category', data: labels, ...axisName('Confidence (bin centre)') },
        yAxis: { type: 'value', minInterval: 1, ...axisName('Pairs', 44) },
        series: [
          { type: 'bar', name: 'same person', color: SAME, barGap: '0%', data: s.counts, markLine: mark },
          { type: 'bar', name: 'different people', color: DIFF, data: d.counts },
        ],
      },
    });
  }

  if (points.length) {
    charts.push({
      id: 'rates',
      title: 'Error rates by threshold',
      caption: 'FMR falls and FNMR rises as the threshold goes up; they cross at the EER.',
      width: W,
      height: H,
      option: {
        ...base,
        grid: { ...base.grid, top: 56 },
        legend: { top: 4, data: ['FMR', 'FNMR'] },
        xAxis: { type: 'value', min: 0, max: 1, ...axisName('Threshold') },
        yAxis: { type: 'value', min: 0, max: 1, ...axisName('Rate', 44), axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
        series: [
          { type: 'line', name: 'FMR', step: 'end', showSymbol: false, color: DIFF, data: points.map((p) => [p.threshold, p.fmr]) },
          {
            type: 'line', name: 'FNMR', step: 'end', showSymbol: false, color: SAME, data: points.map((p) => [p.threshold, p.fnmr]),
            markLine: threshold === null ? undefined : { symbol: 'none', silent: true, label: { formatter: `threshold ${threshold.toFixed(2)}` }, lineStyle: { color: '#111827', type: 'dashed' }, data: [{ xAxis: threshold }] },
          },
        ],
      },
    });
  }

  const lat = latencyChart(ev.latencies);
  if (lat) charts.push(lat);
  return charts;
}

export function latencyChart(ms: readonly number[]): ChartDef | null {
  if (!ms.length) return null;
  const h = latencyHistogram(ms);
  return {
    id: 'latency',
    title: 'Response time',
    caption: 'How many calls answered within each response-time bin (all calls that got an HTTP answer).',
    width: W,
    height: H,
    option: {
      ...base,
      xAxis: { type: 'category', data: h.edges.map((e) => `${fmtMs(e)}–${fmtMs(e + h.width)}`), ...axisName('Response time (ms)') },
      yAxis: { type: 'value', minInterval: 1, ...axisName('Calls', 44) },
      series: [{ type: 'bar', name: 'calls', color: LINE, data: h.counts }],
    },
  };
}

const fmtMs = (v: number) => (v >= 100 ? Math.round(v).toString() : (Math.round(v * 10) / 10).toString());

/** Both runs' DET curves on one chart (labelled pairs both runs have). */
export function detComparisonChart(c: Pick<Comparison, 'before' | 'after'>, det: { before: readonly DetPoint[]; after: readonly DetPoint[] }): ChartDef | null {
  const all = [...det.before, ...det.after];
  if (!det.before.length && !det.after.length) return null;
  const lo = Math.min(...all.map((p) => p.fmr), ...all.map((p) => p.fnmr));
  const floor = DET_TICKS.filter((p) => p <= lo).at(-1) ?? DET_TICKS[0]!;
  const line = (name: string, points: readonly DetPoint[], color: string, type: 'solid' | 'dashed') => ({
    type: 'line', name, showSymbol: points.length < 40, symbolSize: 4, color, lineStyle: { type }, data: points.map((p) => [p.x, p.y]),
  });
  return {
    id: 'det-compare',
    title: 'DET curves of both runs',
    caption: `FNMR against FMR for ${c.before} (solid) and ${c.after} (dashed) on the labelled pairs both runs have; the curve nearer the lower left is better.`,
    width: W,
    height: H,
    option: {
      ...base,
      grid: { ...base.grid, top: 56 },
      legend: { top: 4, left: 'center', data: [c.before, c.after], textStyle: { width: 220, overflow: 'truncate' } },
      xAxis: detAxis('False match rate (FMR)', floor, 0.8, 32),
      yAxis: detAxis('False non-match rate (FNMR)', floor, 0.8, 44),
      series: [line(c.before, det.before, LINE, 'solid'), line(c.after, det.after, DIFF, 'dashed')],
    },
  };
}

/** The distribution of confidence changes between two runs, and (given DET points) both DET curves. */
export function comparisonCharts(c: Comparison, det?: { before: readonly DetPoint[]; after: readonly DetPoint[] }): ChartDef[] {
  const both = det ? detComparisonChart(c, det) : null;
  const deltas = c.pairs.flatMap((p) => (p.delta === null ? [] : [p.delta]));
  if (!deltas.length) return both ? [both] : [];
  const h = histogram(deltas, -1, 1, 40);
  return [...(both ? [both] : []), {
    id: 'deltas',
    title: 'Confidence change (after − before)',
    caption: `How far each pair's confidence moved from ${c.before} to ${c.after}; a run without change is one bar at 0.`,
    width: W,
    height: H,
    option: {
      ...base,
      xAxis: { type: 'category', data: h.edges.map((e) => fmt2(e + h.width / 2)), ...axisName('Change in confidence (bin centre)') },
      yAxis: { type: 'value', minInterval: 1, ...axisName('Pairs', 44) },
      series: [{ type: 'bar', name: 'pairs', color: LINE, data: h.counts }],
    },
  }];
}


const FTA_COLOUR = '#6b7280';

/** A level as an axis tick: "baseline", "30", "12.5 %". */
const axisLevel = (l: RobustnessLevel): string =>
  l.level === null || l.perturbation === null ? 'baseline' : `${levelText(l.level)}${PERTURBATIONS[l.perturbation].unit}`;
const FLIP_COLOUR = '#b45309';

/**
 * A sweep's chart for one perturbation: its levels on x (the baseline first), FNMR, FMR and FTA on
 * y (without labels: FTA and the verdict-flip rate), the baseline's values as dashed lines.
 */
export function robustnessChart(curve: RobustnessCurve, baseline: RobustnessLevel, labelled: boolean): ChartDef {
  const levels = [baseline, ...curve.levels];
  const pick = (get: (l: RobustnessLevel) => Rate | null) => levels.map((l) => {
    const v = get(l)?.value;
    return v === null || v === undefined ? null : Math.round(v * 10000) / 100;
  });
  const line = (name: string, color: string, data: (number | null)[], base: number | null | undefined) => ({
    type: 'line', name, color, data, connectNulls: true, symbolSize: 6,
    ...(base === null || base === undefined ? {} : {
      markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { type: 'dashed', color }, data: [{ yAxis: base }] },
    }),
  });
  const series = labelled
    ? [
        line('FNMR', SAME, pick((l) => l.fnmr), pick((l) => l.fnmr)[0]),
        line('FMR', DIFF, pick((l) => l.fmr), pick((l) => l.fmr)[0]),
        line('FTA', FTA_COLOUR, pick((l) => l.fta), pick((l) => l.fta)[0]),
      ]
    : [
        line('verdict flips', FLIP_COLOUR, pick((l) => l.flips), null),
        line('FTA', FTA_COLOUR, pick((l) => l.fta), pick((l) => l.fta)[0]),
      ];
  return {
    id: `robustness-${curve.perturbation}`,
    title: `Robustness: ${curve.label}`,
    caption: `${labelled ? 'FNMR, FMR and failures to acquire' : 'Verdict flips against the original pair and failures to acquire'} at each level of ${curve.label}; dashed lines mark the baseline (the pairs as loaded). ${curve.sentence}`,
    width: W,
    height: H,
    option: {
      ...base,
      legend: { top: 4 },
      xAxis: { type: 'category', data: levels.map(axisLevel), ...axisName(curve.label) },
      yAxis: { type: 'value', min: 0, ...axisName('Rate (%)', 44) },
      series,
    },
  };
}

/** One chart per perturbation of a sweep. */
export function robustnessCharts(r: Robustness): ChartDef[] {
  return r.curves.map((c) => robustnessChart(c, r.baseline, r.labelled));
}
