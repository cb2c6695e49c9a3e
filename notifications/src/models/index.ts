import type { Connection } from 'mongoose';
import { contactModelOn, type ContactModel } from './contact';
import { notificationModelOn, type NotificationModel } from './notification';

export * from './contact';
export * from './notification';

export interface NotificationsModels {
  Contact: ContactModel;
  Notification: NotificationModel;
}

/** Every notifications model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function notificationsModels(conn: Connection): NotificationsModels {
  return { Contact: contactModelOn(conn), Notification: notificationModelOn(conn) };
}
