/**
 * Draws a ChartDef (charts.ts): as an SVG string without a DOM (report.html, the CLI) or into an
 * element (the Bulk UI, through `loadECharts`). ECharts is loaded on first use only, with just the parts the charts use.
 */
import type { ChartDef } from './charts.ts';

type ECharts = typeof import('echarts/core');
let loading: Promise<ECharts> | null = null;

/** ECharts with the parts the charts use (line, bar, grid, legend, markLine, tooltip, SVG renderer), loaded once. */
export function loadECharts(): Promise<ECharts> {
  loading ??= import('./echarts-setup.ts').then((m) => m.echarts);
  return loading;
}

/** The chart as a standalone <svg> element string, with its title as the accessible name. */
export async function renderChartSvg(def: ChartDef): Promise<string> {
  const echarts = await loadECharts();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: def.width, height: def.height });
  try {
    chart.setOption(def.option);
    const svg = chart.renderToSVGString();
    return svg.replace(/^<svg /, `<svg role="img" aria-label="${escapeAttr(def.title)}" data-chart="${escapeAttr(def.id)}" `);
  } finally {
    chart.dispose();
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
