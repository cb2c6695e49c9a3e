import { Router, type Request } from 'express';
import { BadRequestError, CustomError, NotFoundError, ConflictError, requireAdmin, ServiceUnavailableError } from '@jetmart/common';
import { OPS_DEAD_LETTERS_DEFAULT_LIMIT, OPS_DEAD_LETTERS_MAX_LIMIT } from '@jetmart/common/contracts';
import { listDeadLetters, replayDeadLetter, type DeadLetterDeps } from '../dead-letters';
import { readStatus, type StatusDeps } from '../status';
import { presentDeadLetter, presentReplay } from './presenters';

export interface OpsRouterDeps extends StatusDeps, DeadLetterDeps {
  admins: ReadonlySet<string>;
}

class UnsupportedMediaTypeError extends CustomError {
  readonly statusCode = 415;
}

/** A positive whole number written plainly (no sign, exponent, spaces or leading zeros). */
const WHOLE = /^[1-9][0-9]{0,15}$/;

function limitOf(req: Request): number {
  const raw = req.query.limit;
  if (raw === undefined) return OPS_DEAD_LETTERS_DEFAULT_LIMIT;
  const n = typeof raw === 'string' && WHOLE.test(raw) ? Number(raw) : NaN;
  if (!(n <= OPS_DEAD_LETTERS_MAX_LIMIT))
    throw new BadRequestError(`limit must be a whole number from 1 to ${OPS_DEAD_LETTERS_MAX_LIMIT}`, 'limit');
  return n;
}

function seqOf(raw: string): number {
  const n = WHOLE.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw new BadRequestError('seq must be a positive whole number', 'seq');
  return n;
}

/** NATS did not answer (or refused): the admin can try again; nothing half-done is left. */
async function viaNats<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CustomError) throw err;
    throw new ServiceUnavailableError(`NATS: ${(err as Error)?.message || 'no answer'}`);
  }
}

export function opsRouter(deps: OpsRouterDeps): Router {
  const router = Router();
  const admin = requireAdmin(deps.admins);

  router.get('/api/ops/status', admin, async (_req, res) => {
    res.json(await readStatus(deps));
  });

  router.get('/api/ops/deadletters', admin, async (req, res) => {
    const limit = limitOf(req);
    const page = await viaNats(() => listDeadLetters(deps.jsm, limit));
    res.json({ total: page.total, messages: page.messages.map(presentDeadLetter) });
  });

  // JSON requests only: a cross-site HTML form cannot send one without a CORS preflight (the
  // session cookie is sameSite=lax besides), so a replay is always the admin's own click.
  router.post('/api/ops/deadletters/:seq/replay', admin, async (req, res) => {
    if (!req.is('application/json')) throw new UnsupportedMediaTypeError('Send application/json');
    const seq = seqOf(String(req.params.seq));
    const outcome = await viaNats(() => replayDeadLetter(deps, seq));
    switch (outcome.kind) {
      case 'not-found':
        throw new NotFoundError(`No dead-lettered message ${seq}`);
      case 'no-original-subject':
        throw new ConflictError(`Message ${seq} has no original subject to replay to`);
      case 'replayed':
        res.json(presentReplay(outcome.subject, outcome.ack));
    }
  });

  return router;
}
