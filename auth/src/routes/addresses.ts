import { Router } from 'express';
import { ConflictError, NotAuthorizedError, NotFoundError, addressSchema, requireAuth, validateBody } from '@jetmart/common';
import { ADDRESS_BOOK_LIMIT, type Address } from '@jetmart/common/contracts';
import type { AuthModels } from '../models';
import { presentSavedAddress } from './presenters';

export interface AddressesRouterOptions {
  models: AuthModels;
}

/** A valid session whose account no longer exists is treated as no session. */
const noAccount = () => new NotAuthorizedError();
const notFound = () => new NotFoundError('Address not found');

/** The signed-in user's address book: /api/users/me/addresses. */
export function addressesRouter({ models }: AddressesRouterOptions): Router {
  const { User } = models;
  const router = Router();
  const base = '/api/users/me/addresses';

  router.get(base, requireAuth, async (req, res) => {
    const outcome = await User.listAddresses(req.currentUser!.id);
    if (outcome.kind === 'no-user') throw noAccount();
    res.json(outcome.addresses.map(presentSavedAddress));
  });

  router.post(base, requireAuth, validateBody(addressSchema), async (req, res) => {
    const outcome = await User.addAddress(req.currentUser!.id, req.body as Address);
    switch (outcome.kind) {
      case 'no-user':
        throw noAccount();
      case 'book-full':
        throw new ConflictError(`The address book holds at most ${ADDRESS_BOOK_LIMIT} addresses; remove one first`);
      case 'added':
        res.status(201).json(presentSavedAddress(outcome.address));
    }
  });

  router.put(`${base}/:id`, requireAuth, validateBody(addressSchema), async (req, res) => {
    const outcome = await User.replaceAddress(req.currentUser!.id, String(req.params.id), req.body as Address);
    switch (outcome.kind) {
      case 'no-user':
        throw noAccount();
      case 'not-found':
        throw notFound();
      case 'replaced':
        res.json(presentSavedAddress(outcome.address));
    }
  });

  router.delete(`${base}/:id`, requireAuth, async (req, res) => {
    const outcome = await User.removeAddress(req.currentUser!.id, String(req.params.id));
    switch (outcome.kind) {
      case 'no-user':
        throw noAccount();
      case 'not-found':
        throw notFound();
      case 'removed':
        res.status(204).end();
    }
  });

  return router;
}
