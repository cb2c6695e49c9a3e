/**
 * The writers of one process that wait for the same document lock, in arrival order.
 *
 * Why: the lock is a row in `_locks`, and a writer that finds it held can only poll. When every
 * waiter of a process polled on its own, N racing writers of one document sent N failing inserts
 * per back-off period; on a starved CPU those inserts were most of the work, and the random
 * back-off let a late waiter win while an early one ran past its wait (a 503 "busy" in a test
 * run with both cores loaded). Here only the first waiter of a process asks the server; the others
 * wait here, and a release hands the turn on at once, to the one that came first.
 *
 * Between processes the server's insert still decides, and no order is promised there.
 */
export interface LocalTurn {
  /** Hands the turn to the next waiter of this process. Idempotent. */
  pass(): void;
}

export class TurnTimeout extends Error {}

export class LocalTurns {
  /** Per key that has a holder: the waiters behind it, first come first. */
  private readonly waiting = new Map<string, (() => void)[]>();

  /**
   * @param holdLimitMs a turn not passed within this time passes itself on, as a lock row left by
   *   a holder that died is taken over once stale: a bug that forgets a release must not stop every
   *   later writer of that document in this process.
   */
  constructor(private readonly holdLimitMs: number) {}

  /** Waits for this caller's turn on `key`; rejects with `TurnTimeout` if it has not come by `deadline`. */
  take(key: string, deadline: number): Promise<LocalTurn> {
    const queue = this.waiting.get(key);
    if (!queue) {
      this.waiting.set(key, []);
      return Promise.resolve(this.grant(key));
    }
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(this.grant(key));
      };
      const timer = setTimeout(
        () => {
          // Leaves the line without holding up the ones behind: its place is simply gone.
          const place = queue.indexOf(wake);
          if (place >= 0) queue.splice(place, 1);
          reject(new TurnTimeout(`no turn on ${key} by the deadline`));
        },
        Math.max(0, deadline - Date.now()),
      );
      queue.push(wake);
    });
  }

  /** Keys with a holder in this process (for tests and diagnostics). */
  get size(): number {
    return this.waiting.size;
  }

  private grant(key: string): LocalTurn {
    let passed = false;
    const pass = () => {
      if (passed) return;
      passed = true;
      clearTimeout(expiry);
      const queue = this.waiting.get(key)!;
      const next = queue.shift();
      if (next) next();
      else this.waiting.delete(key);
    };
    const expiry = setTimeout(pass, this.holdLimitMs);
    expiry.unref();
    return { pass };
  }
}
