import type { Response } from 'express';
import { ServiceUnavailableError, TooManyRequestsError } from '@jetmart/common';
import type { AttemptCounter } from '../limits/shared-attempt-limiter';

/** Counts one attempt; over the limit → 429 with Retry-After. A store that cannot count → 503 (fails closed). */
export async function limit(counter: AttemptCounter, key: string, message: string, res: Response): Promise<void> {
  let verdict;
  try {
    verdict = await counter.hit(key);
  } catch {
    throw new ServiceUnavailableError('Cannot check the attempt limit now, try again');
  }
  if (!verdict.allowed) {
    res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
    throw new TooManyRequestsError(message);
  }
}
