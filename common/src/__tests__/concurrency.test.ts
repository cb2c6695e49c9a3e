import { concurrencyLimit } from '..';

describe('concurrencyLimit', () => {
  it('never runs more than the limit at once, runs everything, and passes results and errors through', async () => {
    const run = concurrencyLimit(2);
    let active = 0;
    let peak = 0;
    const task = (i: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 + (i % 3) * 5));
      active--;
      if (i === 3) throw new Error('task 3');
      return i;
    };
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => run(task(i))));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([
      0, 1, 2, 4, 5, 6, 7, 8, 9,
    ]);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('task 3');
    // The slots are all free again: a new burst starts at once.
    await run(async () => undefined);
  });
});
