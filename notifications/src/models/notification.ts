import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn } from '@jetmart/common';

export const CHANNELS = ['email', 'in-app'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * pending  written before the email is handed to the mail server (`claimedUntil`: the instance
 *          sending it holds it until then)
 * sent     the mail server accepted it (an in-app entry is `sent` when written: it is its own delivery)
 * failed   the mail server refused the address for good (a 5xx): never tried again
 */
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/**
 * One fact told to one person on one channel. `key` (`<event id>:<recipient>:<channel>`) is unique:
 * it is what makes a redelivered event, the same event published twice, or two replicas handling
 * it at once write (and send) one record, because an insert is atomic even on FerretDB.
 */
export interface NotificationFields {
  key: string;
  eventId: string;
  userId: string;
  channel: Channel;
  /** What happened, e.g. `order.confirmed`, `sale.made` (the API's NotificationRecord.kind). */
  kind: string;
  title: string;
  body: string;
  /** A storefront path, e.g. `/orders/<id>`. */
  link: string;
  /** In-app: seen by its person. Email records are created read (they have no feed). */
  read: boolean;
  status: DeliveryStatus;
  /**
   * Email: the address and subject it was (or is being) sent with, and its Message-ID (from `key`).
   * `to` of a contact's email is written with the first attempt's outcome (see completeEmail).
   */
  to?: string;
  subject?: string;
  messageId?: string;
  claimedUntil?: Date;
  attempts: number;
  /** The last error from the mail server (a failed record: why it was refused). */
  error?: string;
  sentAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export type NotificationModel = Model<NotificationFields>;
export type NotificationDoc = HydratedDocument<NotificationFields>;

const notificationSchema = new Schema<NotificationFields>(
  {
    key: { type: String, required: true },
    eventId: { type: String, required: true },
    userId: { type: String, required: true },
    channel: { type: String, required: true, enum: CHANNELS },
    kind: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    link: { type: String, required: true },
    read: { type: Boolean, required: true, default: false },
    status: { type: String, required: true, enum: ['pending', 'sent', 'failed'] },
    to: { type: String },
    subject: { type: String },
    messageId: { type: String },
    claimedUntil: { type: Date },
    attempts: { type: Number, required: true, default: 0 },
    error: { type: String },
    sentAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);
notificationSchema.index({ key: 1 }, { unique: true });
// A person's feed, newest first, with a (createdAt, _id) cursor; and the unread count.
notificationSchema.index({ userId: 1, channel: 1, createdAt: -1, _id: -1 });
notificationSchema.index({ userId: 1, channel: 1, read: 1 });

export function notificationModelOn(conn: Connection): NotificationModel {
  return modelOn<NotificationModel>(conn, 'Notification', notificationSchema);
}

/**
 * The guarded transitions of an email record, each one conditional single-document update (locked
 * per document on FerretDB). `claim` takes a pending record whose previous claim has run out (its
 * holder crashed, or gave it back after a temporary failure); only one caller wins it.
 */
export async function claimEmail(Notification: NotificationModel, id: unknown, leaseMs: number, now = new Date()): Promise<boolean> {
  const res = await Notification.updateOne(
    { _id: id, status: 'pending', $or: [{ claimedUntil: { $lte: now } }, { claimedUntil: { $exists: false } }] },
    { $set: { claimedUntil: new Date(now.getTime() + leaseMs) } },
  );
  return res.modifiedCount === 1;
}

/*
 * `to`: the address the mail was handed over for. A contact's record is inserted before its
 * address is read (deliverNotices), so the outcome of the attempt writes it down; a resend after
 * it uses the record's address.
 */

/** pending → sent: the mail server accepted it. */
export async function completeEmail(Notification: NotificationModel, id: unknown, to: string, now = new Date()): Promise<void> {
  await Notification.updateOne(
    { _id: id, status: 'pending' },
    { $set: { status: 'sent', sentAt: now, to }, $unset: { claimedUntil: 1, error: 1 }, $inc: { attempts: 1 } },
  );
}

/** pending → failed: the mail server refused the address for good. */
export async function failEmail(Notification: NotificationModel, id: unknown, error: string, to: string): Promise<void> {
  await Notification.updateOne(
    { _id: id, status: 'pending' },
    { $set: { status: 'failed', error: error.slice(0, 1000), to }, $unset: { claimedUntil: 1 }, $inc: { attempts: 1 } },
  );
}

/** Gives a claim back after a temporary failure, so the next delivery (here or elsewhere) can send at once. */
export async function releaseEmail(Notification: NotificationModel, id: unknown, error: string, to: string): Promise<void> {
  await Notification.updateOne(
    { _id: id, status: 'pending' },
    { $set: { error: error.slice(0, 1000), to }, $unset: { claimedUntil: 1 }, $inc: { attempts: 1 } },
  );
}
