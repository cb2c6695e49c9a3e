/**
 * At most `limit` calls of `run(fn)` run at once; the rest wait in arrival order. For work whose
 * cost multiplies with concurrency (memory-hard hashing, calls to a slow dependency).
 */
export function concurrencyLimit(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    // A freed slot is handed to the next waiter directly, so a newcomer cannot take it in between.
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
