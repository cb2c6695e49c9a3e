import {
  dashboardPeriod,
  fillDays,
  formatPercent,
  parseStripeAccountId,
  salesCsvHref,
  salesFilter,
  salesQuery,
  shipmentLabel,
  shortDay,
  type SalesFilter,
} from '../sellers';

const today = new Date('2026-12-02T10:19:00Z');

describe('fillDays', () => {
  test('one row per day of the period ending today, zeros where the API sent nothing', () => {
    const days = fillDays([{ date: '2026-11-30', revenue: 12.5, orders: 2 }], 4, today);
    expect(days).toEqual([
      { date: '2026-11-29', revenue: 0, orders: 0 },
      { date: '2026-11-30', revenue: 12.5, orders: 2 },
      { date: '2026-12-01', revenue: 0, orders: 0 },
      { date: '2026-12-02', revenue: 0, orders: 0 },
    ]);
  });

  test('a full answer is kept as it is, in date order', () => {
    const api = [
      { date: '2026-12-02', revenue: 3, orders: 1 },
      { date: '2026-12-01', revenue: 4, orders: 2 },
    ];
    expect(fillDays(api, 2, today)).toEqual([api[1], api[0]]);
  });

  test('a day the API counts outside the period (its today ahead of ours) widens it instead of being dropped', () => {
    const days = fillDays([{ date: '2026-12-03', revenue: 9, orders: 1 }], 2, today);
    expect(days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(days.at(-1)).toEqual({ date: '2026-12-03', revenue: 9, orders: 1 });
  });

  test('rows whose date is not a day are ignored; a month boundary and a leap day are walked', () => {
    const days = fillDays([{ date: 'yesterday', revenue: 1, orders: 1 }], 3, new Date('2028-03-01T00:00:00Z'));
    expect(days.map((d) => d.date)).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(days.every((d) => d.revenue === 0)).toBe(true);
  });
});

describe('dashboardPeriod', () => {
  test.each([
    [undefined, 30],
    ['7', 7],
    ['90', 90],
    ['31', 30],
    ['7abc', 30],
    ['-7', 30],
  ])('%s → %s', (value, period) => expect(dashboardPeriod(value)).toBe(period));
});

describe('formatting', () => {
  test('a share as a percentage with one decimal', () => {
    expect([0, 0.125, 1 / 3, 1, Number.NaN].map(formatPercent)).toEqual(['0.0%', '12.5%', '33.3%', '100.0%', '0.0%']);
  });

  test('a day as month and day, in UTC whatever the server zone', () => {
    expect(shortDay('2026-12-02')).toBe('Dec 2');
    expect(shortDay('not a day')).toBe('not a day');
  });

  test('a shipment state for the seller; none yet is a dash', () => {
    expect([shipmentLabel('pending'), shipmentLabel(null), shipmentLabel('lost')]).toEqual(['To ship', '—', 'lost']);
  });
});

describe('the sales filter and its query strings', () => {
  test('only days and known statuses are kept from the form', () => {
    expect(salesFilter({ from: '2026-11-01', to: '2026-11-30', status: 'returned' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      status: 'returned',
    });
    expect(salesFilter({ from: '1/11/2026', to: '2026-11-30T00:00', status: '{"$ne":null}' })).toEqual({});
  });

  test('the page query and the CSV link carry the same filter; the CSV has no cursor or page size', () => {
    const filter: SalesFilter = { from: '2026-11-01', status: 'paid' };
    expect(salesQuery(filter, { cursor: 'a b&c', limit: 25 })).toBe('from=2026-11-01&status=paid&cursor=a+b%26c&limit=25');
    expect(salesCsvHref(filter)).toBe('/api/sales?format=csv&from=2026-11-01&status=paid');
    expect(salesCsvHref({})).toBe('/api/sales?format=csv');
  });
});

describe('parseStripeAccountId', () => {
  test('a connected account id, trimmed', () => {
    expect(parseStripeAccountId('  acct_1Nv0FGQ9RKHgCVdK ')).toEqual({ ok: true, id: 'acct_1Nv0FGQ9RKHgCVdK' });
  });

  test.each(['', '   ', 'acct_', 'cus_123', 'acct_12 34', 'acct_<script>'])('%p is refused with a message', (value) => {
    const parsed = parseStripeAccountId(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toMatch(/Stripe account id/);
  });
});
