import { createLogger, PeriodicTask } from '..';

const logger = createLogger('test', { level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PeriodicTask', () => {
  it('runs passes one after another, never overlapping, and keeps going after a failing pass', async () => {
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    const task = new PeriodicTask(
      'test pass',
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        passes++;
        await sleep(15);
        running--;
        if (passes === 2) throw new Error('transient');
      },
      5,
      logger,
    ).start();
    // Until four passes ran, rather than a fixed time: on a loaded machine (the CI run with
    // stress-ng beside it) 200 ms held one pass.
    const deadline = Date.now() + 10_000;
    while (passes < 4 && Date.now() < deadline) await sleep(20);
    await task.stop();
    expect(passes).toBeGreaterThanOrEqual(4);
    expect(maxRunning).toBe(1);
  });

  it('stop() waits for the pass under way and no pass starts afterwards', async () => {
    let finished = 0;
    let started = 0;
    const task = new PeriodicTask(
      'slow pass',
      async () => {
        started++;
        await sleep(100);
        finished++;
      },
      1,
      logger,
    ).start();
    await sleep(30);
    await task.stop();
    expect(finished).toBe(started);
    const after = started;
    await sleep(50);
    expect(started).toBe(after);
  });
});
