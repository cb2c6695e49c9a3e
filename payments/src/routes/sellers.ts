import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { ForbiddenError, parseQuery, requireAuth, RequestValidationError, validateBody } from '@jetmart/common';
import { LEDGER_PAGE_SIZE, STRIPE_ACCOUNT_ID_PATTERN, type Ledger, type SellerAccount } from '@jetmart/common/contracts';
import { balanceOf, decodeLedgerCursor, ledgerPage } from '../ledger';
import { setPayoutAccount, type PaymentsModels } from '../models';
import { presentBalance, presentLedgerEntry } from './presenters';

const accountBody = z.object({
  stripeAccountId: z
    .string({ error: 'stripeAccountId must be a string' })
    .trim()
    .regex(STRIPE_ACCOUNT_ID_PATTERN, 'stripeAccountId must be a Stripe connected account id (acct_…)'),
});

const ledgerQuery = z.object({ cursor: z.string({ error: 'cursor must be a single string' }).max(400, 'cursor is not valid').optional() });

/** Policy (contracts: accounts): money leaves only for a confirmed address. */
export const requireVerifiedEmail: RequestHandler = (req, _res, next) => {
  if (req.currentUser?.emailVerified !== true) throw new ForbiddenError('Verify your email address before receiving payouts');
  next();
};

export function sellersRouter(deps: { models: PaymentsModels }): Router {
  const router = Router();
  const { SellerAccount } = deps.models;

  router.get('/api/sellers/me/account', requireAuth, async (req, res) => {
    const account = await SellerAccount.findById(req.currentUser!.id, { stripeAccountId: 1 }).lean();
    const body: SellerAccount = { stripeAccountId: account?.stripeAccountId ?? null };
    res.json(body);
  });

  router.put('/api/sellers/me/account', requireAuth, requireVerifiedEmail, validateBody(accountBody), async (req, res) => {
    const { stripeAccountId } = req.body as z.infer<typeof accountBody>;
    await setPayoutAccount(SellerAccount, req.currentUser!.id, stripeAccountId);
    const body: SellerAccount = { stripeAccountId };
    res.json(body);
  });

  router.get('/api/sellers/me/ledger', requireAuth, async (req, res) => {
    const { cursor } = parseQuery(ledgerQuery, req);
    let after = null;
    if (cursor !== undefined) {
      after = decodeLedgerCursor(cursor);
      if (!after) throw new RequestValidationError([{ message: 'cursor is not valid', field: 'cursor' }]);
    }
    const sellerId = req.currentUser!.id;
    const [balance, page] = await Promise.all([
      balanceOf(deps.models, sellerId),
      ledgerPage(deps.models, sellerId, after, LEDGER_PAGE_SIZE),
    ]);
    const body: Ledger = {
      balance: presentBalance(balance),
      entries: page.entries.map(({ entry, availableAt }) => presentLedgerEntry(entry, availableAt)),
      nextCursor: page.nextCursor,
    };
    res.json(body);
  });

  return router;
}
