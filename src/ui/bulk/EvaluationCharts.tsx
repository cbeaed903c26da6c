import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChartDef } from '../../core/charts/charts.ts';
import { loadECharts } from '../../core/charts/chart-render.ts';

type Instance = ReturnType<Awaited<ReturnType<typeof loadECharts>>['init']>;

/**
 * The evaluation's charts, drawn in the browser from the same definitions as report.html
 * (core/charts/charts.ts). ECharts is loaded on demand, the first time a chart is shown.
 */
export function EvaluationCharts({ charts }: { charts: readonly ChartDef[] }) {
  const [failed, setFailed] = useState(false);
  const onFail = useCallback(() => setFailed(true), []);
  if (!charts.length) return null;
  return (
    <div className="mt-4 grid gap-4 lg:grid-cols-2">
      {failed && <p role="alert" className="text-sm text-red-800 dark:text-red-200">The charts could not be drawn in this browser; report.html in the downloaded archive has them.</p>}
      {charts.map((def) => <Chart key={def.id} def={def} onFail={onFail} />)}
    </div>
  );
}

function Chart({ def, onFail }: { def: ChartDef; onFail: () => void }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<Instance | null>(null);

  useEffect(() => {
    let cancelled = false;
    void loadECharts().then((echarts) => {
      if (cancelled || !host.current) return;
      chart.current ??= echarts.init(host.current, null, { renderer: 'svg' });
      chart.current.setOption(def.option, true);
    }, () => { if (!cancelled) onFail(); });
    return () => { cancelled = true; };
  }, [def, onFail]);

  // The chart takes its box's width (up to the definition's), and follows it when the page is resized.
  useEffect(() => {
    const el = host.current;
    const observer = typeof ResizeObserver === 'undefined' || !el ? null : new ResizeObserver(() => chart.current?.resize());
    if (observer && el) observer.observe(el);
    return () => {
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  return (
    <figure className="min-w-0 rounded-md border border-slate-200 bg-white p-3 text-slate-900 dark:border-slate-700">
      <figcaption className="text-sm">
        <span className="font-semibold">{def.title}</span>
        <span className="block text-xs text-slate-700">{def.caption}</span>
      </figcaption>
      <div ref={host} role="img" aria-label={def.title} data-chart={def.id} className="mt-2 w-full" style={{ maxWidth: def.width, height: def.height }} />
    </figure>
  );
}
