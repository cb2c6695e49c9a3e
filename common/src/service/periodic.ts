import type { Logger } from 'pino';
import type { BackgroundTask } from './run';

/**
 * Runs `pass` every `intervalMs`, measured from the end of the previous pass (passes never
 * overlap), until stopped. A failing pass is logged and the next one runs on schedule.
 * `stop()` waits for the pass under way.
 */
export class PeriodicTask implements BackgroundTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(
    private readonly what: string,
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): this {
    this.stopped = false;
    this.schedule();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .catch((err) => this.log.warn({ err }, `${this.what} failed; will retry`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
  }
}
