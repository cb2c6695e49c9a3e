import { applyVersion, createReplica, Subjects, type EventData, type ReplicaOutcome } from '@jetmart/common';
import type { NotificationsModels } from '../models';

type Deps = { models: NotificationsModels };

/** user.created: the contact at its first version (a repeat, or one after the person left, is a no-op). */
export async function contactCreated(deps: Deps, d: EventData<typeof Subjects.UserCreated>): Promise<ReplicaOutcome> {
  return createReplica(deps.models.Contact, {
    _id: d.id,
    email: d.email,
    ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
    deleted: false,
    version: d.version,
  });
}

/** user.updated: version N onto N-1 only (RetryLater on a gap); a tombstone is newer than any update. */
export async function contactUpdated(deps: Deps, d: EventData<typeof Subjects.UserUpdated>): Promise<ReplicaOutcome> {
  return applyVersion(deps.models.Contact, d.id, d.version, {
    $set: { email: d.email, ...(d.displayName !== undefined ? { displayName: d.displayName } : {}) },
    ...(d.displayName === undefined ? { $unset: { displayName: 1 } } : {}),
  });
}

export type ForgetOutcome = { kind: 'forgotten'; removed: number } | { kind: 'already-forgotten' };

/**
 * user.deleted (SPEC invariant 13): the contact becomes a tombstone (id and version, nothing
 * personal) and every notification record of the person is removed. Whatever version it carries
 * (deletion is final, even before user.created arrives); later events about them send nothing.
 */
export async function forgetPerson(deps: Deps, d: EventData<typeof Subjects.UserDeleted>): Promise<ForgetOutcome> {
  const { Contact, Notification } = deps.models;
  const before = await Contact.findOneAndUpdate(
    { _id: d.id },
    { $set: { deleted: true, version: d.version }, $unset: { email: 1, displayName: 1 } },
    { upsert: true },
  ).lean();
  // Removed again on a redelivery too: a notice being sent while the person left may have written one.
  const { deletedCount } = await Notification.deleteMany({ userId: d.id });
  return before?.deleted && deletedCount === 0 ? { kind: 'already-forgotten' } : { kind: 'forgotten', removed: deletedCount };
}
