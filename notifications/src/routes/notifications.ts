import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, parseQuery, RequestValidationError, requireAuth } from '@jetmart/common';
import { markAllRead, markRead, readFeed } from '../notify';
import type { NotificationsModels } from '../models';
import { presentFeed, presentNotification } from './presenters';

const feedQuery = z.object({
  cursor: z.string({ error: 'cursor must be a single string' }).max(200, 'cursor is not valid').optional(),
});

export interface NotificationsRouteDeps {
  models: NotificationsModels;
}

/** The signed-in person's in-shop notifications: the feed with its unread count, and marking them read. */
export function notificationsRouter(deps: NotificationsRouteDeps): Router {
  const router = Router();

  router.get('/api/notifications', requireAuth, async (req, res) => {
    const { cursor } = parseQuery(feedQuery, req);
    const feed = await readFeed(deps, req.currentUser!.id, cursor);
    if (feed.kind === 'bad-cursor') throw new RequestValidationError([{ message: 'cursor is not valid', field: 'cursor' }]);
    res.json(presentFeed(feed.items, feed.unread, feed.nextCursor));
  });

  router.post('/api/notifications/read-all', requireAuth, async (req, res) => {
    const result = await markAllRead(deps, req.currentUser!.id);
    res.json({ marked: result.marked, unread: 0 });
  });

  router.post('/api/notifications/:id/read', requireAuth, async (req, res) => {
    const result = await markRead(deps, req.currentUser!.id, String(req.params.id));
    if (result.kind === 'not-found') throw new NotFoundError('Notification not found');
    res.json(presentNotification(result.entry));
  });

  return router;
}
