import type { ReactNode } from 'react';
import type { ServerChart } from '@/lib/charts';

/**
 * A chart drawn on the server (an SVG string from lib/charts.ts) with its caption, and the same
 * figures as a table under it: the picture is named for screen readers, the table is how its
 * numbers are read without it (and what assistive technology navigates).
 */
export function ChartFigure({
  chart,
  caption,
  testId,
  children,
}: {
  chart: ServerChart;
  caption: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{caption}</figcaption>
      {/* The markup is ECharts' own output for figures from our API, not user HTML. */}
      <div className="chart-svg" role="img" aria-label={chart.label} dangerouslySetInnerHTML={{ __html: chart.svg }} />
      {children}
    </figure>
  );
}
