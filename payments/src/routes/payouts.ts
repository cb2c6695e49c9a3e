import { Router } from 'express';
import { z } from 'zod';
import {
  ConflictError,
  parseQuery,
  requireAdmin,
  requireAuth,
  ServiceUnavailableError,
  validateBody,
  type CustomError,
} from '@jetmart/common';
import { COMMISSION_LIMITS, type CommissionReport, type PayoutList, type UnclaimedBalances } from '@jetmart/common/contracts';
import { commissionPerDay } from '../ledger';
import { requestPayout, unclaimedBalances, type PayoutDeps, type PayoutOutcome } from '../payouts';
import { fromMinorDays, presentPayout, presentUnclaimedBalance } from './presenters';
import { requireVerifiedEmail } from './sellers';

/**
 * The body is `{}` (a payout is always the whole available balance), as JSON: a body-less or
 * text/plain POST (what a cross-site form or no-cors fetch can send) is refused, so only the
 * storefront's own JSON request can move money.
 */
const payoutBody = z.object({}).strict();

const commissionQuery = z.object({
  days: z
    .string({ error: 'days must be a single number' })
    .regex(/^\d{1,3}$/, `days must be a whole number 1-${COMMISSION_LIMITS.maxDays}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= COMMISSION_LIMITS.maxDays, `days must be a whole number 1-${COMMISSION_LIMITS.maxDays}`)
    .optional(),
});

function errorFor(outcome: Exclude<PayoutOutcome, { kind: 'sent' }>): CustomError {
  switch (outcome.kind) {
    case 'no-account':
      return new ConflictError('Set a payout account (PUT /api/sellers/me/account) before asking for a payout');
    case 'nothing-available':
      return new ConflictError('Nothing is available to pay out');
    case 'in-progress':
      return new ConflictError('A payout is already being made; try again shortly');
    case 'refused':
      return new ConflictError(`The payout was refused: ${outcome.message}`);
    case 'processor-unavailable':
      return new ServiceUnavailableError('The payment provider did not answer; the payout is reserved and will be completed');
  }
}

export function payoutsRouter(deps: PayoutDeps & { admins: ReadonlySet<string> }): Router {
  const router = Router();

  router.post('/api/payouts', requireAuth, requireVerifiedEmail, validateBody(payoutBody), async (req, res) => {
    const outcome = await requestPayout(deps, req.currentUser!.id);
    if (outcome.kind !== 'sent') throw errorFor(outcome);
    res.status(201).json(presentPayout(outcome.payout));
  });

  router.get('/api/payouts', requireAuth, async (req, res) => {
    const payouts = await deps.models.Payout.find({ sellerId: req.currentUser!.id }).sort({ createdAt: -1 }).limit(100);
    const body: PayoutList = { payouts: payouts.map((p) => presentPayout(p)) };
    res.json(body);
  });

  router.get('/api/payments/commission', requireAdmin(deps.admins), async (req, res) => {
    const { days } = parseQuery(commissionQuery, req);
    const body: CommissionReport = { days: fromMinorDays(await commissionPerDay(deps.models, days ?? COMMISSION_LIMITS.defaultDays)) };
    res.json(body);
  });

  /** Deleted sellers' money with nowhere to send it: the platform still owes it (docs/SPEC.md). */
  router.get('/api/payments/unclaimed-balances', requireAdmin(deps.admins), async (_req, res) => {
    const body: UnclaimedBalances = { balances: (await unclaimedBalances(deps.models)).map(presentUnclaimedBalance) };
    res.json(body);
  });

  return router;
}
