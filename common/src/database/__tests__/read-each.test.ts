import fc from 'fast-check';
import { readEach } from '..';

const tick = () => new Promise((r) => setImmediate(r));

describe('readEach', () => {
  it('property: one read per key, answers in the keys order, never more than inFlight at once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), async (keys, inFlight) => {
        let running = 0;
        let most = 0;
        const seen: number[] = [];
        const out = await readEach(
          keys,
          async (k) => {
            running++;
            most = Math.max(most, running);
            seen.push(k);
            for (let i = 0; i <= (k & 3); i++) await tick();
            running--;
            return k * 2;
          },
          inFlight,
        );
        expect(out).toEqual(keys.map((k) => k * 2));
        expect(seen.sort()).toEqual([...keys].sort());
        expect(most).toBeLessThanOrEqual(inFlight);
        if (keys.length >= inFlight) expect(most).toBe(inFlight);
      }),
      { numRuns: 50 },
    );
  });

  it('a failed read fails the whole call', async () => {
    await expect(readEach([1, 2, 3], async (k) => (k === 2 ? Promise.reject(new Error('gone')) : k))).rejects.toThrow('gone');
  });
});
