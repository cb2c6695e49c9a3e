import { Router } from 'express';
import { NotAuthorizedError, requireAuth, ServiceUnavailableError } from '@jetmart/common';
import type { AccountExport, AccountExportPart } from '@jetmart/common/contracts';
import { gatherExportParts } from '../exporting';
import type { AuthModels, UserDoc } from '../models';
import { presentSavedAddress } from './presenters';

export interface ExportRouteDeps {
  models: AuthModels;
  /** EXPORT_SOURCES: every other service's `…/me/export` URL. */
  sources: readonly string[];
  timeoutMs: number;
}

/** Auth's own part: the account and the address book (never the password hash or tokens). */
function accountPart(user: UserDoc): AccountExportPart {
  const createdAt = user.get('createdAt') as Date | undefined;
  return {
    user: {
      id: user.id as string,
      email: user.email,
      displayName: user.displayName ?? null,
      emailVerified: user.get('emailVerified') === true,
      createdAt: (createdAt ?? user._id.getTimestamp()).toISOString(),
    },
    addresses: (user.addresses ?? []).map(presentSavedAddress),
  };
}

/**
 * `GET /api/users/me/export`: everything jetmart holds about the signed-in person, as one JSON
 * file. Auth's own part, then each other service's part asked with the person's own session
 * (gatherExportParts); if any part cannot be had the answer is 503 and nothing is exported.
 */
export function exportRouter({ models, sources, timeoutMs }: ExportRouteDeps): Router {
  const router = Router();
  router.get('/api/users/me/export', requireAuth, async (req, res) => {
    const user = await models.User.findLive(req.currentUser!.id);
    if (!user) throw new NotAuthorizedError();
    const own = accountPart(user);
    const gathered = await gatherExportParts({ sources, cookie: req.get('cookie') ?? '', timeoutMs, requestId: req.id });
    if (gathered.kind === 'source-failed') {
      req.log.warn({ source: gathered.source, reason: gathered.reason }, 'data export: a part could not be gathered');
      throw new ServiceUnavailableError(
        'Part of your data could not be gathered right now, so nothing was exported; please try again shortly',
      );
    }
    const document = { exportedAt: new Date().toISOString(), ...own, ...gathered.parts } as AccountExport;
    res.setHeader('Content-Disposition', `attachment; filename="jetmart-export-${user.id as string}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(document);
  });
  return router;
}
