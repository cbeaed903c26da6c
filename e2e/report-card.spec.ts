/**
 * report.html printed on A4: a labelled run with a `capture` grouping column and a comparison of
 * two runs, built with core (no run in the browser), opened at A4 width (794 px) with print media.
 * In every chart, the legend and the axis texts overlap neither each other nor the plot, and no
 * chart or table is wider than the page.
 */
import { expect, test, type Page } from '@playwright/test';
import { compareRuns } from '../src/core/evaluation/compare.ts';
import { kwikid } from '../src/core/contracts/contracts.ts';
import { withOutcomes } from '../src/core/evaluation/evaluation.ts';
import { buildReportHtml, evaluationOf, type EvaluationInput } from '../src/core/evaluation/evaluation-report.ts';
import { recordFromCall, type PairRecord } from '../src/core/run/records.ts';
import { summarise } from '../src/core/run/stats.ts';

/** A4 at 96 px per inch: 210 mm. */
const A4_WIDTH = 794;

const pair = (id: string) => ({ pair_id: id, image1_path: `${id}_image1.jpg`, image2_path: `${id}_image2.jpg` });
const kw = (id: string, match: boolean, conf: number): PairRecord =>
  recordFromCall(pair(id), { ok: true, status: 200, timeMs: 100 + conf * 100, attempts: 1, body: { facematch_result: match ? 'True' : 'False', confidence_score: conf } });

/** Twelve labelled pairs, half ID-card captures, and a second run where two verdicts changed. */
async function reportCard(): Promise<string> {
  const same = [0.93, 0.88, 0.81, 0.74, 0.62, 0.41];
  const different = [0.08, 0.14, 0.22, 0.35, 0.57, 0.69];
  const before = [
    ...same.map((c, i) => kw(`s${i}`, c >= 0.6, c)),
    ...different.map((c, i) => kw(`d${i}`, c >= 0.6, c)),
  ];
  const after = before.map((r) => (r.pair_id === 's5' ? kw('s5', true, 0.66) : r.pair_id === 'd5' ? kw('d5', false, 0.48) : r));
  const input: EvaluationInput = {
    labels: before.map((r) => [r.pair_id, r.pair_id.startsWith('s') ? 'same' : 'different']),
    labelsSource: 'labels.csv in pairs.zip',
    threshold: 0.6,
    attributes: { columns: ['capture'], rows: before.map((r, i) => [r.pair_id, [i % 2 ? 'selfie' : 'id_card']]) },
  };
  return buildReportHtml({
    provider: 'KwikID', endpoint: 'http://127.0.0.1/facematch', startedAt: 's', finishedAt: 'f',
    records: withOutcomes(after, kwikid, new Map(input.labels)), contract: kwikid, stats: summarise(after, kwikid),
    run: [['provider', 'KwikID'], ['input ZIP', 'new.zip']],
    evaluation: { ev: evaluationOf(after, kwikid, input), input },
    comparison: compareRuns({ name: 'old.zip', records: before, contract: kwikid }, { name: 'new.zip', records: after, contract: kwikid }),
  });
}

interface Box { x: number; y: number; w: number; h: number }
interface ChartLayout {
  chart: string;
  /** The plot: the area the axis lines, grid lines and series span. */
  plot: Box | null;
  /** Legend items (texts and symbols) and axis texts (tick labels, axis names), as drawn. */
  legend: { text: string; box: Box }[];
  axis: { text: string; box: Box }[];
}

/** Each chart's plot, legend and axis texts as the browser lays them out (page coordinates). */
function chartLayouts(page: Page): Promise<ChartLayout[]> {
  return page.locator('svg[data-chart]').evaluateAll((svgs) => svgs.map((svg) => {
    const box = (e: Element) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const legendNodes = [...svg.querySelectorAll('[ecmeta_ssr_type="legend"]')];
    const inLegend = (e: Element) => legendNodes.some((l) => l === e || l.contains(e));
    const legend = [...svg.querySelectorAll('*')].filter((e) => inLegend(e) && !e.querySelector('*')).map((e) => ({ text: e.textContent ?? '', box: box(e) }));
    // Axis texts: texts of neither a series (its marker labels) nor the legend.
    const axis = [...svg.querySelectorAll('text')].filter((t) => !inLegend(t) && !t.closest('[ecmeta_series_index]') && !t.hasAttribute('ecmeta_series_index'))
      .map((t) => ({ text: t.textContent ?? '', box: box(t) }));
    // The plot: series shapes, and the straight axis and grid lines across it (longer than a tick or a legend's line symbol).
    const shapes = [...svg.querySelectorAll('path, rect, polyline')].filter((e) => {
      if (inLegend(e) || e.parentElement !== svg && e.closest('text')) return false;
      if (e.hasAttribute('ecmeta_series_index')) return true;
      const d = e.getAttribute('d') ?? '';
      const m = /^M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)$/.exec(d);
      return !!m && Math.hypot(Number(m[3]) - Number(m[1]), Number(m[4]) - Number(m[2])) > 100;
    }).map(box).filter((b) => b.w > 0 || b.h > 0);
    const plot = shapes.length ? shapes.reduce((u, b) => {
      const x = Math.min(u.x, b.x);
      const y = Math.min(u.y, b.y);
      return { x, y, w: Math.max(u.x + u.w, b.x + b.w) - x, h: Math.max(u.y + u.h, b.y + b.h) - y };
    }) : null;
    return { chart: svg.getAttribute('data-chart') ?? '', plot, legend, axis };
  }));
}

/** True when two boxes share more than a hairline (half a pixel each way). */
const overlap = (a: Box, b: Box) =>
  Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 0.5 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 0.5;

test('report.html at A4 width: legends and axis labels overlap neither each other nor the plot; nothing is wider than the page', async ({ page }) => {
  await page.setViewportSize({ width: A4_WIDTH, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  await page.setContent(await reportCard());

  const layouts = await chartLayouts(page);
  // The evaluation's charts and the comparison's, each drawn with a plot and axis texts.
  expect(layouts.map((l) => l.chart)).toEqual(expect.arrayContaining(['roc', 'scores', 'rates', 'latency', 'det-compare', 'deltas']));
  for (const { chart, plot, legend, axis } of layouts) {
    expect(plot, `${chart}: no plot found`).not.toBeNull();
    expect(axis.length, `${chart}: no axis texts`).toBeGreaterThan(0);
    const clashes: string[] = [];
    const legendTexts = legend.filter((l) => l.text);
    for (const item of legend) {
      if (overlap(item.box, plot!)) clashes.push(`legend "${item.text || 'symbol'}" over the plot`);
    }
    const texts = [...legendTexts, ...axis];
    texts.forEach((a, i) => texts.slice(i + 1).forEach((b) => {
      if (overlap(a.box, b.box)) clashes.push(`"${a.text}" over "${b.text}"`);
    }));
    for (const a of axis) {
      if (overlap(a.box, plot!)) clashes.push(`axis text "${a.text}" over the plot`);
    }
    expect(clashes, `${chart} at ${A4_WIDTH} px`).toEqual([]);
  }

  // The page does not scroll sideways, and every chart and table ends inside it.
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  const wide = await page.locator('svg[data-chart], table').evaluateAll((els, w) => els
    .map((e) => ({ what: e.getAttribute('data-chart') ?? e.querySelector('caption')?.textContent ?? e.tagName, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.left < 0 || r.right > w)
    .map(({ what, r }) => `${what} spans ${Math.round(r.left)}–${Math.round(r.right)} px`), width);
  expect(wide).toEqual([]);
  // The group table is there (the run has a grouping column), so its width was checked too.
  await expect(page.getByRole('table', { name: 'Error rates by group (failures excluded)' })).toBeVisible();
});
