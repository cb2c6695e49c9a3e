/**
 * Charts drawn on the server: Apache ECharts in its server-side mode renders an option to an SVG
 * string (no DOM, no canvas, no browser JavaScript), which the page embeds as it is. Only the
 * parts of ECharts the charts use are registered, so the server bundle stays small.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { formatMoney } from './money';
import { shortDay, type CommissionDay, type SalesDay } from './sellers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, SVGRenderer]);

export const CHART_SIZE = { width: 720, height: 320 } as const;

/** The palette of globals.css (--brand, --ok), so the chart reads as part of the page. */
const BRAND = '#1f5eff';
const OK = '#067647';
const MUTED = '#5b6470';

type Option = Parameters<echarts.ECharts['setOption']>[0];

/** A chart's SVG markup and the accessible name the page gives the picture (the figures are in a table beside it). */
export interface ServerChart {
  svg: string;
  label: string;
}

/**
 * The SVG markup of one chart. Animation is off: a server-drawn chart is a still picture, and the
 * page is complete the moment it arrives. (ECharts' own aria option labels the DOM container,
 * which server rendering has none of, so the page labels the picture: ChartFigure.)
 */
function renderSvg(option: Option, label: string): ServerChart {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...CHART_SIZE });
  try {
    chart.setOption({ animation: false, ...option });
    return { svg: chart.renderToSVGString(), label };
  } finally {
    chart.dispose();
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const axisLabel = { color: MUTED, fontSize: 12 };

/** Revenue (bars, left axis, money) and orders (line, right axis, whole numbers) per day. */
export function salesChartSvg(days: SalesDay[]): ServerChart {
  const total = days.reduce((sum, d) => sum + d.orders, 0);
  return renderSvg(
    {
      legend: { top: 0, data: ['Revenue', 'Orders'], textStyle: { color: MUTED } },
      grid: { left: 64, right: 48, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: days.map((d) => shortDay(d.date)), axisLabel: { ...axisLabel, hideOverlap: true } },
      yAxis: [
        { type: 'value', name: '', axisLabel: { ...axisLabel, formatter: (v: number) => formatMoney(v).replace(/\.00$/, '') } },
        { type: 'value', minInterval: 1, splitLine: { show: false }, axisLabel },
      ],
      series: [
        { name: 'Revenue', type: 'bar', data: days.map((d) => d.revenue), itemStyle: { color: BRAND }, barMaxWidth: 18 },
        { name: 'Orders', type: 'line', yAxisIndex: 1, data: days.map((d) => d.orders), itemStyle: { color: OK }, symbolSize: 5 },
      ],
    },
    `Revenue and orders per day over ${plural(days.length, 'day')}: ${plural(total, 'order')}. The same figures are in the table below the chart.`,
  );
}

/** The platform's commission per day (bars). */
export function commissionChartSvg(days: CommissionDay[]): ServerChart {
  return renderSvg(
    {
      grid: { left: 64, right: 24, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: days.map((d) => shortDay(d.date)), axisLabel: { ...axisLabel, hideOverlap: true } },
      yAxis: { type: 'value', axisLabel: { ...axisLabel, formatter: (v: number) => formatMoney(v).replace(/\.00$/, '') } },
      series: [{ name: 'Commission', type: 'bar', data: days.map((d) => d.commission), itemStyle: { color: BRAND }, barMaxWidth: 18 }],
    },
    `Platform commission per day over ${plural(days.length, 'day')}. The same figures are in the table below the chart.`,
  );
}
