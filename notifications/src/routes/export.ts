import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { ExportedNotification, NotificationsExportPart } from '@jetmart/common/contracts';
import type { NotificationFields, NotificationsModels } from '../models';

type Stored = NotificationFields & { _id: unknown };

function presentRecord(doc: Stored): ExportedNotification {
  return {
    id: String(doc._id),
    channel: doc.channel,
    kind: doc.kind,
    title: doc.title,
    body: doc.body,
    link: doc.link,
    read: doc.read,
    status: doc.status,
    ...(doc.to ? { to: doc.to } : {}),
    ...(doc.subject ? { subject: doc.subject } : {}),
    createdAt: doc.createdAt.toISOString(),
    ...(doc.sentAt ? { sentAt: doc.sentAt.toISOString() } : {}),
  };
}

/**
 * Notifications' part of the person's data export (auth's `GET /api/users/me/export` asks for it
 * with the person's session): the contact it mails (its copy of their email and name) and every
 * record of what they were told, in the shop and by email (the address it went to).
 */
export function exportRouter({ models }: { models: NotificationsModels }): Router {
  const router = Router();
  router.get('/api/notifications/me/export', requireAuth, async (req, res) => {
    const userId = req.currentUser!.id;
    const [contact, records] = await Promise.all([
      models.Contact.findById(userId).lean(),
      models.Notification.find({ userId }).sort({ createdAt: 1, _id: 1 }).lean(),
    ]);
    const part: NotificationsExportPart = {
      notificationContact: contact ? { email: contact.email ?? null, displayName: contact.displayName ?? null } : null,
      notifications: records.map(presentRecord),
    };
    res.json(part);
  });
  return router;
}
