/**
 * Counts attempts per key in fixed windows, in memory. Used to slow down password guessing:
 * sign-in attempts are counted per client IP + email, so one attacker cannot lock a victim out
 * from everywhere (other IPs are unaffected) and one IP cannot guess freely against an email.
 *
 * In memory means per process. A running auth service counts in the shared bucket instead
 * (SharedAttemptLimiter, same windows), so R replicas allow the limit once; this one serves an
 * app built without NATS.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly maxAttempts: number,
    readonly windowMs: number,
    /** Bound on remembered keys, so a flood of distinct keys cannot exhaust memory. */
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records one attempt for `key`. Returns `allowed: false` (and how long to wait) when the key
   * has already used up its attempts in the current window.
   */
  hit(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      this.makeRoom(now);
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.delete(key);
      this.windows.set(key, w);
    }
    if (w.count >= this.maxAttempts) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
    }
    w.count += 1;
    return { allowed: true };
  }

  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number) {
    if (this.windows.size < this.maxKeys) return;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
    // Still full of live windows: forget the oldest (Map keeps insertion order).
    while (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}
