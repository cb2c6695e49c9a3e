import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { isDuplicateKey } from '@jetmart/common';
import type { Mailer } from '../mail/mailer';
import { renderMail, type MailSettings } from '../mail/render';
import {
  claimEmail,
  completeEmail,
  failEmail,
  releaseEmail,
  type Channel,
  type NotificationDoc,
  type NotificationsModels,
} from '../models';
import type { Notice } from './notice';

export interface DeliveryDeps {
  models: NotificationsModels;
  mailer: Mailer;
  mail: MailSettings;
  /**
   * How long an instance holds an email it is sending. Longer than a send can take (Nodemailer's
   * timeouts are 5 s to connect and 20 s per socket operation), so a slow send is never doubled by
   * another replica; after it, a record left pending by a crashed instance is taken over.
   */
  claimMs?: number;
}

export const DEFAULT_CLAIM_MS = 60_000;

/**
 * What telling an event's notices came to:
 *   delivered    every notice was sent now or before (or its person has left: nothing to send)
 *   waiting      a person has no contact yet (user.created not here yet), or another instance is
 *                sending one of the emails right now: try again later
 *   unavailable  the mail server could not be reached or said "try later": try again later
 *   rejected     the mail server refused an address for good: its record is `failed`
 * The others of the same event are delivered whatever one of them came to; `sent` counts the
 * emails the mail server accepted in this call whatever the outcome (one seller's mail can go out
 * while the other's waits), so the service's log accounts for every mail it handed over.
 */
export type DeliveryOutcome =
  | { kind: 'delivered'; sent: number; skipped: number }
  | { kind: 'waiting'; reason: string; sent: number }
  | { kind: 'unavailable'; reason: string; sent: number }
  | { kind: 'rejected'; reason: string; sent: number };

export const recordKey = (eventId: string, userId: string, channel: Channel) => `${eventId}:${userId}:${channel}`;

/**
 * The Message-ID of an email, from its record's key: every attempt of one record carries the same
 * id, so a resend after a crash (see deliverNotices) is recognisable as the same message, and mail
 * clients that deduplicate by Message-ID show it once.
 */
export function messageIdFor(key: string, publicUrl: string): string {
  const host = new URL(publicUrl).hostname || 'jetmart.invalid';
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 40)}@${host}>`;
}

type One = 'sent' | 'skipped' | { kind: 'waiting' | 'unavailable' | 'rejected'; reason: string };

/**
 * A record's _id, derived from its key, so a repeat finds the first by _id: the one look-up
 * FerretDB on SQLite answers without reading the whole collection. A look-up by `key` scans every
 * record (it is why a burst with duplicates slowed down as the collection grew; see
 * bench/notifications-burst.js in docs/BENCHMARKS.md).
 */
export const recordIdFor = (key: string) => new Types.ObjectId(createHash('sha256').update(key).digest('hex').slice(0, 24));

/** Inserts a record once; a second insert of the same key finds the first. */
async function insertOnce(
  deps: DeliveryDeps,
  fields: Record<string, unknown> & { key: string },
): Promise<{ doc: NotificationDoc; inserted: boolean }> {
  const { Notification } = deps.models;
  const _id = recordIdFor(fields.key);
  try {
    return { doc: await Notification.create({ _id, ...fields }), inserted: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // By key only for a record written before ids were derived from keys.
    const doc = (await Notification.findById(_id)) ?? (await Notification.findOne({ key: fields.key }));
    if (!doc) throw new Error(`notification ${fields.key} vanished after a duplicate insert`, { cause: err });
    return { doc, inserted: false };
  }
}

/**
 * One notice to one person. The email's record is written (pending, claimed by this instance)
 * BEFORE the mail server is asked, and completed after it accepted:
 * - a redelivery, a duplicate event or another replica finds the record: `sent` → nothing;
 *   `failed` → the same refusal again; pending and claimed by someone else → wait.
 * - The window that remains: this instance crashes (or loses the database) after the server
 *   accepted the mail and before `completeEmail` is written. The record stays pending; once its
 *   claim runs out (claimMs) the next delivery of the event sends it again, so the person gets
 *   the mail at most twice, both copies with the same Message-ID (from the record's key). SMTP
 *   has no way to ask a server "did you already take this one?", so this window cannot be
 *   closed from here; it is as small as one database write.
 */
async function deliverOne(deps: DeliveryDeps, eventId: string, notice: Notice): Promise<One> {
  const { Contact, Notification } = deps.models;
  const contact = await Contact.findById(notice.userId).lean();
  // A person who deleted their account is told nothing more.
  if (contact?.deleted) return 'skipped';
  let to: string;
  if (notice.direct) {
    to = notice.direct.to;
  } else {
    if (!contact) return { kind: 'waiting', reason: `no contact for user ${notice.userId} yet (waiting for user.created)` };
    if (!contact.email) return 'skipped';
    to = contact.email;
  }

  const entry = { eventId, userId: notice.userId, kind: notice.kind, title: notice.subject, body: notice.paragraphs[0], link: notice.link };
  if (!notice.direct) {
    await insertOnce(deps, { ...entry, key: recordKey(eventId, notice.userId, 'in-app'), channel: 'in-app', read: false, status: 'sent' });
  }

  const claimMs = deps.claimMs ?? DEFAULT_CLAIM_MS;
  const key = recordKey(eventId, notice.userId, 'email');
  const now = new Date();
  const { doc, inserted } = await insertOnce(deps, {
    ...entry,
    key,
    channel: 'email',
    read: true,
    status: 'pending',
    to,
    subject: notice.subject,
    messageId: messageIdFor(key, deps.mail.publicUrl),
    claimedUntil: new Date(now.getTime() + claimMs),
  });
  if (!inserted) {
    if (doc.status === 'sent') return 'skipped';
    if (doc.status === 'failed') return { kind: 'rejected', reason: `${doc.to} refused: ${doc.error ?? 'unknown'}` };
    if (!(await claimEmail(Notification, doc._id, claimMs, now))) {
      return { kind: 'waiting', reason: `email ${key} is being sent by another instance` };
    }
  }

  let rendered: Awaited<ReturnType<typeof renderMail>>;
  try {
    // The person may have left between the look-up and the claim: send nothing to them (an
    // account mail needs no contact, only that the person has not left).
    const still = await Contact.findById(notice.userId).lean();
    if (still ? still.deleted : !notice.direct) {
      await Notification.deleteOne({ _id: doc._id });
      return 'skipped';
    }
    rendered = await renderMail(notice, deps.mail);
  } catch (err) {
    // Nothing was sent: give the claim back so the retry need not wait for it to run out.
    await releaseEmail(Notification, doc._id, (err as Error).message).catch(() => undefined);
    throw err;
  }
  // The address and subject of the record: a resend is the same message as the first attempt.
  const outcome = await deps.mailer.send({ ...rendered, to: doc.to!, subject: doc.subject!, messageId: doc.messageId! });
  switch (outcome.kind) {
    case 'accepted':
      await completeAfterAccepted(Notification, doc._id);
      return 'sent';
    case 'rejected':
      await failEmail(Notification, doc._id, outcome.reason);
      return { kind: 'rejected', reason: `${doc.to} refused: ${outcome.reason}` };
    case 'unavailable':
      await releaseEmail(Notification, doc._id, outcome.reason);
      return { kind: 'unavailable', reason: `mail server unavailable: ${outcome.reason}` };
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The mail is out: writing that down is tried a few times before giving up (a database that is
 * busy for a moment must not turn into a resend). If it still fails the claim is kept, so nobody
 * sends again until it runs out: the crash window of deliverOne, not a loop of resends.
 */
async function completeAfterAccepted(Notification: NotificationsModels['Notification'], id: unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await completeEmail(Notification, id);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await pause(500 * attempt);
    }
  }
}

/**
 * Tells every notice of one event (`eventId`: the record keys), each on every channel, once.
 * Called by every listener; the outcome says whether to ack, wait, or give up on the event.
 */
export async function deliverNotices(deps: DeliveryDeps, eventId: string, notices: Notice[]): Promise<DeliveryOutcome> {
  const results: One[] = [];
  // One at a time: an event has one or a few notices (one per seller at most).
  for (const n of notices) results.push(await deliverOne(deps, eventId, n));
  const problems = results.filter((r): r is Exclude<One, string> => typeof r === 'object');
  // Something that can still succeed is retried before a refusal ends the event in the dead-letter
  // stream, so the other recipients of the same event are not given up with it.
  const sent = results.filter((r) => r === 'sent').length;
  const retry = problems.find((p) => p.kind === 'unavailable') ?? problems.find((p) => p.kind === 'waiting');
  if (retry) return { ...retry, sent };
  const rejected = problems.find((p) => p.kind === 'rejected');
  if (rejected) return { ...rejected, sent };
  return { kind: 'delivered', sent, skipped: results.filter((r) => r === 'skipped').length };
}
