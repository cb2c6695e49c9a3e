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
  type ContactFields,
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

type RecordFields = Record<string, unknown> & { _id: Types.ObjectId; key: string };

/**
 * Inserts the records, all in one command; returns the ones it inserted, by key. Unordered: every
 * new record is written whatever happened to the others. A duplicate key is a record written
 * before (a redelivery, the event published twice, another replica): it is left as it is.
 */
async function insertOnce(deps: DeliveryDeps, records: RecordFields[]): Promise<Map<string, NotificationDoc>> {
  const { Notification } = deps.models;
  const byKey = (docs: NotificationDoc[]) => new Map(docs.map((d) => [d.key, d]));
  if (!records.length) return new Map();
  try {
    return byKey(await Notification.insertMany(records, { ordered: false, throwOnValidationError: true }));
  } catch (err) {
    const { writeErrors, insertedDocs } = err as { writeErrors?: unknown[]; insertedDocs?: NotificationDoc[] };
    if (!writeErrors?.length || !insertedDocs || !writeErrors.every(isDuplicateKey)) throw err;
    return byKey(insertedDocs);
  }
}

/** A record written before this delivery, found by its _id (by key only for one written before ids were derived from keys). */
async function findRecord(deps: DeliveryDeps, key: string): Promise<NotificationDoc> {
  const { Notification } = deps.models;
  const doc = (await Notification.findById(recordIdFor(key))) ?? (await Notification.findOne({ key }));
  if (!doc) throw new Error(`notification ${key} vanished after a duplicate insert`);
  return doc;
}

/** The contacts of the recipients, by id: one look-up by `_id` each (FerretDB/SQLite scans the collection for `_id: {$in}`). */
async function contactsOf(deps: DeliveryDeps, userIds: string[]): Promise<Map<string, ContactFields>> {
  const unique = [...new Set(userIds)];
  const found = await Promise.all(unique.map((id) => deps.models.Contact.findById(id).lean<ContactFields>()));
  return new Map(found.filter((c): c is ContactFields => !!c).map((c) => [c._id, c]));
}

/** What one notice writes: its in-app entry (not for an account mail) and its email, pending and claimed. */
interface Planned {
  notice: Notice;
  inApp?: RecordFields;
  email: RecordFields;
}

function plan(deps: DeliveryDeps, eventId: string, notice: Notice, now: Date): Planned {
  const entry = { eventId, userId: notice.userId, kind: notice.kind, title: notice.subject, body: notice.paragraphs[0], link: notice.link };
  const record = (channel: Channel, fields: Record<string, unknown>): RecordFields => {
    const key = recordKey(eventId, notice.userId, channel);
    return { _id: recordIdFor(key), ...entry, key, channel, ...fields };
  };
  const emailKey = recordKey(eventId, notice.userId, 'email');
  return {
    notice,
    ...(notice.direct ? {} : { inApp: record('in-app', { read: false, status: 'sent' }) }),
    email: record('email', {
      read: true,
      status: 'pending',
      // A contact's address is known only after the look-up that follows this insert; it is
      // written with the outcome of the send (completeEmail, failEmail, releaseEmail).
      ...(notice.direct ? { to: notice.direct.to } : {}),
      subject: notice.subject,
      messageId: messageIdFor(emailKey, deps.mail.publicUrl),
      claimedUntil: new Date(now.getTime() + (deps.claimMs ?? DEFAULT_CLAIM_MS)),
    }),
  };
}

/** Removes a notice's records: its person has left, or is not known yet (an insert of this call only). */
async function removeRecords(deps: DeliveryDeps, ids: unknown[]): Promise<void> {
  // One by _id each: a filter on `_id: {$in}` reads the whole collection on FerretDB/SQLite.
  for (const _id of ids) await deps.models.Notification.deleteOne({ _id });
}

/**
 * One notice to one person, after its records were inserted (`inserted`: those this call wrote)
 * and its person's contact was read (`contact`). The email's record is written (pending, claimed
 * by this instance) BEFORE the mail server is asked, and completed after it accepted:
 * - a redelivery, a duplicate event or another replica finds the record: `sent` → nothing;
 *   `failed` → the same refusal again; pending and claimed by someone else → wait.
 * - A person who left is told nothing: the contact is read after the records' insert, and
 *   user.deleted writes the tombstone before it removes the person's records, so either this
 *   look-up sees the tombstone, or the removal comes after the insert and finds the records.
 *   (Records of a person seen deleted, or not known yet, are removed again here.)
 * - The window that remains: this instance crashes (or loses the database) after the server
 *   accepted the mail and before `completeEmail` is written. The record stays pending; once its
 *   claim runs out (claimMs) the next delivery of the event sends it again, so the person gets
 *   the mail at most twice, both copies with the same Message-ID (from the record's key). SMTP
 *   has no way to ask a server "did you already take this one?", so this window cannot be
 *   closed from here; it is as small as one database write.
 */
async function deliverOne(
  deps: DeliveryDeps,
  { notice, inApp, email }: Planned,
  inserted: Map<string, NotificationDoc>,
  contact: ContactFields | undefined,
  now: Date,
): Promise<One> {
  const { Notification } = deps.models;
  const mine = [inApp, email].filter((r): r is RecordFields => !!r);
  // A person who deleted their account is told nothing more (a contact without an address
  // neither), and keeps no record of it.
  if (contact?.deleted || (contact && !contact.email && !notice.direct)) {
    await removeRecords(
      deps,
      mine.map((r) => r._id),
    );
    return 'skipped';
  }
  if (!contact && !notice.direct) {
    // Nothing of a person not known yet: written again when the event is retried.
    await removeRecords(
      deps,
      mine.filter((r) => inserted.has(r.key)).map((r) => r._id),
    );
    return { kind: 'waiting', reason: `no contact for user ${notice.userId} yet (waiting for user.created)` };
  }

  const claimMs = deps.claimMs ?? DEFAULT_CLAIM_MS;
  const key = email.key;
  let doc = inserted.get(key);
  if (!doc) {
    doc = await findRecord(deps, key);
    if (doc.status === 'sent') return 'skipped';
    if (doc.status === 'failed') return { kind: 'rejected', reason: `${doc.to} refused: ${doc.error ?? 'unknown'}` };
    if (!(await claimEmail(Notification, doc._id, claimMs, now))) {
      return { kind: 'waiting', reason: `email ${key} is being sent by another instance` };
    }
  }
  // The record's address when it has one (an account mail, or a record written with one before):
  // a resend is the same message as the first attempt.
  const to = doc.to ?? notice.direct?.to ?? contact!.email!;

  let rendered: Awaited<ReturnType<typeof renderMail>>;
  try {
    rendered = await renderMail(notice, deps.mail);
  } catch (err) {
    // Nothing was sent: give the claim back so the retry need not wait for it to run out.
    await releaseEmail(Notification, doc._id, (err as Error).message, to).catch(() => undefined);
    throw err;
  }
  const outcome = await deps.mailer.send({ ...rendered, to, subject: doc.subject!, messageId: doc.messageId! });
  switch (outcome.kind) {
    case 'accepted':
      await completeAfterAccepted(Notification, doc._id, to);
      return 'sent';
    case 'rejected':
      await failEmail(Notification, doc._id, outcome.reason, to);
      return { kind: 'rejected', reason: `${to} refused: ${outcome.reason}` };
    case 'unavailable':
      await releaseEmail(Notification, doc._id, outcome.reason, to);
      return { kind: 'unavailable', reason: `mail server unavailable: ${outcome.reason}` };
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The mail is out: writing that down is tried a few times before giving up (a database that is
 * busy for a moment must not turn into a resend). If it still fails the claim is kept, so nobody
 * sends again until it runs out: the crash window of deliverOne, not a loop of resends.
 */
async function completeAfterAccepted(Notification: NotificationsModels['Notification'], id: unknown, to: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await completeEmail(Notification, id, to);
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
  const now = new Date();
  // A second notice to the same person in one event has the same keys: told once, as before.
  const seen = new Set<string>();
  const planned: Planned[] = [];
  const results: One[] = [];
  for (const n of notices) {
    const p = plan(deps, eventId, n, now);
    if (seen.has(p.email.key)) results.push('skipped');
    else planned.push(p);
    seen.add(p.email.key);
  }
  // Every record of the event in one insert, then every recipient's contact: the look-up must
  // follow the insert (see deliverOne), and gives the address too.
  const inserted = await insertOnce(
    deps,
    planned.flatMap((p) => (p.inApp ? [p.inApp, p.email] : [p.email])),
  );
  const contacts = await contactsOf(
    deps,
    planned.map((p) => p.notice.userId),
  );
  // One at a time: an event has one or a few notices (one per seller at most).
  for (const p of planned) results.push(await deliverOne(deps, p, inserted, contacts.get(p.notice.userId), now));
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
