import { Schema, Types, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
import { ADDRESS_BOOK_LIMIT, type Address } from '@jetmart/common/contracts';
import {
  addressBookFields,
  addressEntry,
  atRevision,
  isObjectId,
  MAX_ADDRESS_BOOK_ROUNDS,
  type AddressAddOutcome,
  type AddressBookAttrs,
  type AddressEntry,
  type AddressListOutcome,
  type AddressRemoveOutcome,
  type AddressReplaceOutcome,
} from './address-book';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';

export interface UserAttrs extends AddressBookAttrs, WithOutbox {
  email: string;
  passwordHash: string;
  displayName?: string;
  /**
   * Set when the account is deleted. The same save erases the person (email replaced by a
   * placeholder that frees the address, password hash, display name, address book) and records
   * user.deleted, so the event survives a crash and no personal data waits for the relay. The
   * document stays as a tombstone holding only the id and version: ids are never reused and a
   * repeated delete finds "already deleted".
   */
  deletedAt?: Date;
  /**
   * Bumped by every save (optimistic concurrency) and carried by the user.* events, so the
   * contact replicas of other services apply them in order. Address-book writes are conditional
   * updates that leave it alone: no event is about the address book. Accounts created before
   * events existed have none (and published no user.created).
   */
  version: number;
}

export type UserDoc = HydratedDocument<UserAttrs>;

export type RegisterOutcome = { kind: 'created'; user: UserDoc } | { kind: 'email-taken' };
export type ProfileOutcome = { kind: 'updated'; user: UserDoc } | { kind: 'no-user' };
export type PasswordChangeOutcome = { kind: 'changed' } | { kind: 'wrong-password' } | { kind: 'no-user' };
export type DeleteOutcome = { kind: 'deleted' } | { kind: 'wrong-password' } | { kind: 'no-user' };

export interface UserModel extends Model<UserAttrs> {
  /**
   * Creates an account, or says the email is registered already (also when two sign-ups race).
   * Both take one password derivation, so the time taken does not tell which emails have accounts.
   */
  register(email: string, password: string): Promise<RegisterOutcome>;
  /** The user whose email and password match, else null (same work and time either way). */
  authenticate(email: string, password: string): Promise<UserDoc | null>;
  /** The user's address-book entries, oldest first. */
  listAddresses(userId: string): Promise<AddressListOutcome>;
  /** Adds an entry unless the book holds ADDRESS_BOOK_LIMIT already (also under concurrent adds). */
  addAddress(userId: string, address: Address): Promise<AddressAddOutcome>;
  /** Replaces every field of entry `entryId` (an optional field not given is removed). */
  replaceAddress(userId: string, entryId: string, address: Address): Promise<AddressReplaceOutcome>;
  removeAddress(userId: string, entryId: string): Promise<AddressRemoveOutcome>;
  /** A live (not deleted) account by id, else null. */
  findLive(userId: string): Promise<UserDoc | null>;
  /** Sets the display name; user.updated (with the next version) goes out with the same save. */
  updateProfile(userId: string, displayName: string): Promise<ProfileOutcome>;
  /**
   * Replaces the password if `currentPassword` is right. Publishes nothing and leaves the version
   * alone (the replicas' copy has no password): a version bump without an event would be a gap.
   */
  changePassword(userId: string, currentPassword: string, newPassword: string): Promise<PasswordChangeOutcome>;
  /** Deletes the account if `password` is right (see `deletedAt`). */
  deleteAccount(userId: string, password: string): Promise<DeleteOutcome>;
}

/** The filter of an account that is not deleted: a deleted account's tombstone never gains data again. */
const live = (userId: string) => ({ _id: userId, deletedAt: { $exists: false } });

/** Emails are compared and stored in one canonical form: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const userSchema = new Schema<UserAttrs, UserModel>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    displayName: { type: String },
    deletedAt: { type: Date },
    ...addressBookFields,
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
userSchema.plugin(outboxPlugin);
// The unique index, not a read-then-write check, is what makes "one account per email" hold
// when two sign-ups for the same email arrive at once (on any number of replicas).
userSchema.index({ email: 1 }, { unique: true });

userSchema.static('register', async function register(this: UserModel, email: string, password: string): Promise<RegisterOutcome> {
  // The password is hashed before the insert, so a taken email costs the same derivation as a new
  // one. No read-before-write check: the unique index answers "taken" for the plain case and for
  // concurrent sign-ups alike, so there is one code path and it is always exercised.
  const user = new this({ email: normalizeEmail(email), passwordHash: await hashPassword(password) });
  // In the same insert as the account: a sign-up that fails (taken email) publishes nothing, and
  // one that succeeds publishes even if the process dies right after the write.
  recordEvent(user, Subjects.UserCreated, { id: user.id as string, email: user.email, version: 0 });
  try {
    await user.save();
  } catch (err) {
    if (isDuplicateKey(err)) return { kind: 'email-taken' };
    throw err;
  }
  return { kind: 'created', user };
});

userSchema.static('authenticate', async function authenticate(this: UserModel, email: string, password: string) {
  const user = await this.findOne({ email: normalizeEmail(email) });
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
  return user && matches ? user : null;
});

userSchema.static('listAddresses', async function listAddresses(this: UserModel, userId: string): Promise<AddressListOutcome> {
  if (!isObjectId(userId)) return { kind: 'no-user' };
  const user = await this.findOne(live(userId), { addresses: 1 }).lean();
  return user ? { kind: 'listed', addresses: user.addresses ?? [] } : { kind: 'no-user' };
});

userSchema.static('addAddress', async function addAddress(this: UserModel, userId: string, address: Address): Promise<AddressAddOutcome> {
  if (!isObjectId(userId)) return { kind: 'no-user' };
  const added = addressEntry(new Types.ObjectId(), address);
  for (let round = 0; round < MAX_ADDRESS_BOOK_ROUNDS; round++) {
    // The limit is in the filter of the one write (no entry at the last allowed index yet), so
    // concurrent adds cannot pass a check together. The revision is bumped so that a replace or
    // remove which read the book before this add does not write over it.
    const pushed = await this.updateOne(
      { ...live(userId), [`addresses.${ADDRESS_BOOK_LIMIT - 1}`]: { $exists: false } },
      { $push: { addresses: added }, $inc: { addressBookRevision: 1 } },
    );
    if (pushed.matchedCount === 1) return { kind: 'added', address: added };
    const user = await this.findOne(live(userId), { addresses: 1 }).lean();
    if (!user) return { kind: 'no-user' };
    if ((user.addresses?.length ?? 0) >= ADDRESS_BOOK_LIMIT) return { kind: 'book-full' };
    // An entry was removed between the write and the read: there is room again.
  }
  throw new Error(`the address book of ${userId} kept changing during ${MAX_ADDRESS_BOOK_ROUNDS} attempts`);
});

/**
 * Rewrites the book as `edit` makes it from the current list, or stops with `edit`'s outcome;
 * reads again when another write landed between the read and the write.
 */
async function rewriteBook<T>(
  User: UserModel,
  userId: string,
  edit: (current: AddressEntry[]) => { next: AddressEntry[]; outcome: T } | { stop: T },
): Promise<T | { kind: 'no-user' }> {
  for (let round = 0; round < MAX_ADDRESS_BOOK_ROUNDS; round++) {
    const user = await User.findOne(live(userId), { addresses: 1, addressBookRevision: 1 }).lean();
    if (!user) return { kind: 'no-user' };
    const decided = edit(user.addresses ?? []);
    if ('stop' in decided) return decided.stop;
    const written = await User.updateOne(
      { ...atRevision(userId, user.addressBookRevision ?? 0), deletedAt: { $exists: false } },
      {
        $set: { addresses: decided.next },
        $inc: { addressBookRevision: 1 },
      },
    );
    if (written.matchedCount === 1) return decided.outcome;
  }
  throw new Error(`the address book of ${userId} kept changing during ${MAX_ADDRESS_BOOK_ROUNDS} attempts`);
}

userSchema.static(
  'replaceAddress',
  async function replaceAddress(this: UserModel, userId: string, entryId: string, address: Address): Promise<AddressReplaceOutcome> {
    if (!isObjectId(userId)) return { kind: 'no-user' };
    if (!isObjectId(entryId)) return { kind: 'not-found' };
    const replaced = addressEntry(new Types.ObjectId(entryId), address);
    return rewriteBook<AddressReplaceOutcome>(this, userId, (current) => {
      if (!current.some((e) => e._id.equals(replaced._id))) return { stop: { kind: 'not-found' } };
      return { next: current.map((e) => (e._id.equals(replaced._id) ? replaced : e)), outcome: { kind: 'replaced', address: replaced } };
    });
  },
);

userSchema.static(
  'removeAddress',
  async function removeAddress(this: UserModel, userId: string, entryId: string): Promise<AddressRemoveOutcome> {
    if (!isObjectId(userId)) return { kind: 'no-user' };
    if (!isObjectId(entryId)) return { kind: 'not-found' };
    const id = new Types.ObjectId(entryId);
    return rewriteBook<AddressRemoveOutcome>(this, userId, (current) => {
      if (!current.some((e) => e._id.equals(id))) return { stop: { kind: 'not-found' } };
      return { next: current.filter((e) => !e._id.equals(id)), outcome: { kind: 'removed' } };
    });
  },
);

/** Not a valid scrypt hash: a deleted account never matches any password. */
const DELETED_HASH = 'deleted';
const MAX_SAVE_ROUNDS = 20;
const isVersionError = (err: unknown) => (err as Error)?.name === 'VersionError';

userSchema.static('findLive', async function findLive(this: UserModel, userId: string) {
  if (!isObjectId(userId)) return null;
  return this.findOne(live(userId));
});

userSchema.static(
  'updateProfile',
  async function updateProfile(this: UserModel, userId: string, displayName: string): Promise<ProfileOutcome> {
    for (let round = 0; round < MAX_SAVE_ROUNDS; round++) {
      const user = await this.findLive(userId);
      if (!user) return { kind: 'no-user' };
      user.displayName = displayName;
      recordEvent(user, Subjects.UserUpdated, { id: user.id as string, email: user.email, displayName, version: user.version + 1 });
      try {
        await user.save();
        return { kind: 'updated', user };
      } catch (err) {
        if (!isVersionError(err)) throw err; // another save landed first: read again
      }
    }
    throw new Error(`the profile of ${userId} kept changing during ${MAX_SAVE_ROUNDS} attempts`);
  },
);

userSchema.static(
  'changePassword',
  async function changePassword(
    this: UserModel,
    userId: string,
    currentPassword: string,
    newPassword: string,
  ): Promise<PasswordChangeOutcome> {
    const user = await this.findLive(userId);
    if (!user) return { kind: 'no-user' };
    if (!(await verifyPassword(currentPassword, user.passwordHash))) return { kind: 'wrong-password' };
    // Conditional on the hash that was verified: of two concurrent changes only one applies, and the
    // other is told its current password is no longer right.
    const written = await this.updateOne(
      { _id: user._id, passwordHash: user.passwordHash, deletedAt: { $exists: false } },
      { $set: { passwordHash: await hashPassword(newPassword) } },
    );
    return written.matchedCount === 1 ? { kind: 'changed' } : { kind: 'wrong-password' };
  },
);

userSchema.static('deleteAccount', async function deleteAccount(this: UserModel, userId: string, password: string): Promise<DeleteOutcome> {
  for (let round = 0; round < MAX_SAVE_ROUNDS; round++) {
    const user = await this.findLive(userId);
    if (!user) return { kind: 'no-user' };
    if (!(await verifyPassword(password, user.passwordHash))) return { kind: 'wrong-password' };
    user.email = `deleted-${user.id as string}@deleted.invalid`;
    user.passwordHash = DELETED_HASH;
    user.displayName = undefined;
    user.addresses = [];
    user.deletedAt = new Date();
    recordEvent(user, Subjects.UserDeleted, { id: user.id as string, version: user.version + 1 });
    try {
      await user.save();
      return { kind: 'deleted' };
    } catch (err) {
      if (!isVersionError(err)) throw err;
    }
  }
  throw new Error(`the account ${userId} kept changing during ${MAX_SAVE_ROUNDS} attempts`);
});

export function userModelOn(conn: Connection): UserModel {
  return modelOn<UserModel>(conn, 'User', userSchema);
}
