import fc from 'fast-check';
import { commissionOf, refundSplit, saleSplit } from '../commission';

describe('commissionOf', () => {
  it('is round(gross × percent / 100) with halves rounded up', () => {
    expect(commissionOf(1000, 10)).toBe(100);
    expect(commissionOf(15, 10)).toBe(2); // 1.5 → 2
    expect(commissionOf(14, 10)).toBe(1); // 1.4 → 1
    expect(commissionOf(999, 10)).toBe(100); // 99.9 → 100
    expect(commissionOf(0, 10)).toBe(0);
    expect(commissionOf(1234, 0)).toBe(0);
    expect(commissionOf(1234, 100)).toBe(1234);
  });
  it('refuses fractional or out-of-range percentages and non-integer money', () => {
    expect(() => commissionOf(100, 10.5)).toThrow(RangeError);
    expect(() => commissionOf(100, 101)).toThrow(RangeError);
    expect(() => commissionOf(100, -1)).toThrow(RangeError);
    expect(() => commissionOf(10.5, 10)).toThrow(RangeError);
  });
});

describe('saleSplit', () => {
  it('credits price × quantity − commission', () => {
    expect(saleSplit(1999, 3, 10)).toEqual({ grossMinor: 5997, commissionMinor: 600, netMinor: 5397 });
  });
});

describe('refundSplit', () => {
  it('gives back the whole commission when every unit is refunded at once', () => {
    const sale = saleSplit(5, 3, 10); // gross 15, commission 2
    expect(refundSplit(sale, 3, 5, 3)).toEqual({ grossMinor: -15, commissionMinor: -2, netMinor: -13 });
  });
  it('rounds the commission share of a partial refund down (the platform never gives back more than it took)', () => {
    const sale = saleSplit(5, 3, 10); // commission 2
    expect(refundSplit(sale, 3, 5, 1)).toEqual({ grossMinor: -5, commissionMinor: 0, netMinor: -5 }); // 2/3 → 0
    expect(refundSplit(sale, 3, 5, 2)).toEqual({ grossMinor: -10, commissionMinor: -1, netMinor: -9 }); // 4/3 → 1
  });
  it('refuses more units than were sold', () => {
    expect(() => refundSplit(saleSplit(5, 3, 10), 3, 5, 4)).toThrow(RangeError);
  });

  it('property: every entry is gross = net + commission; an order of lines and any refunds balances to the minor unit', () => {
    const line = fc.record({ price: fc.integer({ min: 0, max: 1_000_000 }), quantity: fc.integer({ min: 1, max: 100 }) });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 100 })), { maxLength: 20 }),
        (lines, percent, refunds) => {
          const sales = lines.map((l) => saleSplit(l.price, l.quantity, percent));
          const left = lines.map((l) => l.quantity);
          const entries = [...sales];
          let charged = 0;
          let refunded = 0;
          for (const s of sales) charged += s.grossMinor;
          for (const [i, n] of refunds) {
            const at = i % lines.length;
            const units = Math.min(n, left[at]);
            if (units === 0) continue;
            left[at] -= units;
            const r = refundSplit(sales[at], lines[at].quantity, lines[at].price, units);
            refunded += -r.grossMinor;
            entries.push(r);
          }
          let credits = 0;
          let commission = 0;
          for (const e of entries) {
            expect(e.netMinor + e.commissionMinor).toBe(e.grossMinor);
            credits += e.netMinor;
            commission += e.commissionMinor;
          }
          expect(credits + commission).toBe(charged - refunded);
          // Per line, the commission given back never exceeds the commission taken.
          expect(commission).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
