import { commissionChartSvg, salesChartSvg } from '../charts';
import { fillDays } from '../sellers';

/** The text nodes of an SVG string (axis labels, legend). */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('charts drawn on the server', () => {
  const days = fillDays(
    [
      { date: '2026-11-30', revenue: 120, orders: 3 },
      { date: '2026-12-01', revenue: 40.5, orders: 1 },
    ],
    3,
    new Date('2026-12-01T12:00:00Z'),
  );

  test('the sales chart is one SVG with a bar per day, the days on its axis, a legend and an accessible name', () => {
    const { svg, label } = salesChartSvg(days);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/viewBox="0 0 720 320"/);
    expect(label).toMatch(/^Revenue and orders per day over 3 days: 4 orders\./);
    const labels = texts(svg);
    expect(labels).toEqual(expect.arrayContaining(['Nov 29', 'Nov 30', 'Dec 1', 'Revenue', 'Orders']));
    // The revenue axis is in dollars.
    expect(labels.some((t) => /^\$\d/.test(t))).toBe(true);
  });

  test('each bar is as tall as its revenue: no bar on an empty day, the $120 one about three times the $40.50 one', () => {
    const { svg } = salesChartSvg(days);
    // Revenue bars are series 0's paths "M x y l w 0 l 0 -height ...", one per day with revenue.
    const heights = [...svg.matchAll(/<path d="M[\d.]+ [\d.]+l[\d.]+ 0l0 -([\d.]+)[^"]*"[^>]*ecmeta_series_index="0"/g)].map((m) =>
      Number(m[1]),
    );
    expect(heights).toHaveLength(2);
    const [nov30, dec1] = heights;
    expect(Math.abs(nov30 / dec1 - 120 / 40.5)).toBeLessThan(0.05);
  });

  test('the commission chart names its period', () => {
    const { svg, label } = commissionChartSvg([{ date: '2026-12-01', commission: 4.05 }]);
    expect(label).toMatch(/^Platform commission per day over 1 day\./);
    expect(texts(svg)).toContain('Dec 1');
  });
});
