/**
 * ECharts with only the parts the evaluation charts use (line, bar, grid, legend, markLine,
 * tooltip, SVG renderer). Named static imports let the bundler drop every other chart type and
 * component; chart-render.ts loads this module on demand.
 */
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

export { echarts };
