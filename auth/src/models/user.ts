import { Schema, Types, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn, outboxEntry, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
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
import { DEFAULT_TOKEN_TTL_SECONDS, hashAccountToken, isAccountTokenShaped, newAccountToken } from './account-token';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';

export interface UserAttrs extends AddressBookAttrs, WithOutbox {
  email: string;
  passwordHash: string;
  displayName?: string;
  /** The person opened the link mailed to `email` (absent on accounts from before verification: false). */
  emailVerified?: boolean;
  /**
   * The one live password-reset link (SHA-256 of its token) and when it stops working. A new
   * request replaces it; using it removes it in the same write that sets the new password.
   */
  resetTokenHash?: string;
  resetTokenExpiresAt?: Date;
  /** The one live verification link, likewise (a resend replaces it). */
  verifyTokenHash?: string;
  verifyTokenExpiresAt?: Date;
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
export type ResetRequestOutcome = { kind: 'requested' } | { kind: 'no-user' };
/** `invalid`: unknown, used, replaced or expired (the API does not say which). */
export type ResetCandidateOutcome = { kind: 'found'; userId: string; tokenHash: string } | { kind: 'invalid' };
export type ResetOutcome = { kind: 'reset' } | { kind: 'invalid' };
export type VerifyOutcome = { kind: 'verified'; user: UserDoc } | { kind: 'invalid' };
export type VerificationRequestOutcome = { kind: 'requested' } | { kind: 'already-verified' } | { kind: 'no-user' };

/** How long the links stay valid (RESET_TOKEN_TTL_SECONDS, VERIFY_TOKEN_TTL_SECONDS; 1 h by default). */
export interface TokenLifetimes {
  resetTtlSeconds: number;
  verifyTtlSeconds: number;
}

export interface UserModel extends Model<UserAttrs> {
  /**
   * Creates an account, or says the email is registered already (also when two sign-ups race).
   * Both take one password derivation, so the time taken does not tell which emails have accounts.
   */
  register(email: string, password: string, verifyTtlSeconds?: number): Promise<RegisterOutcome>;
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
  /**
   * A new reset link for the live account with this email, replacing any earlier one, and
   * user.password-reset-requested (with the raw token, for the mail) in the same write.
   */
  requestPasswordReset(email: string, ttlSeconds: number): Promise<ResetRequestOutcome>;
  /** Whose account a reset token would open, if it is live now (decides nothing: see resetPassword). */
  findResetCandidate(token: string): Promise<ResetCandidateOutcome>;
  /**
   * Sets `passwordHash` and removes the reset link in ONE conditional write on the link being
   * still there and unexpired: the only place that decides whether a token is used, so of any
   * number of concurrent confirmations exactly one succeeds.
   */
  resetPassword(userId: string, tokenHash: string, passwordHash: string): Promise<ResetOutcome>;
  /** Marks the address verified and removes the link, in one conditional write likewise. */
  verifyEmail(token: string): Promise<VerifyOutcome>;
  /** A new verification link (replacing the last) and user.verification-requested, unless already verified. */
  requestVerification(userId: string, ttlSeconds: number): Promise<VerificationRequestOutcome>;
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
    emailVerified: { type: Boolean },
    resetTokenHash: { type: String },
    resetTokenExpiresAt: { type: Date },
    verifyTokenHash: { type: String },
    verifyTokenExpiresAt: { type: Date },
    deletedAt: { type: Date },
    ...addressBookFields,
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
userSchema.plugin(outboxPlugin);
// The unique index, not a read-then-write check, is what makes "one account per email" hold
// when two sign-ups for the same email arrive at once (on any number of replicas).
userSchema.index({ email: 1 }, { unique: true });
// A link names its account only by its token's hash.
userSchema.index({ resetTokenHash: 1 });
userSchema.index({ verifyTokenHash: 1 });

userSchema.static(
  'register',
  async function register(
    this: UserModel,
    email: string,
    password: string,
    verifyTtlSeconds: number = DEFAULT_TOKEN_TTL_SECONDS,
  ): Promise<RegisterOutcome> {
    // The password is hashed before the insert, so a taken email costs the same derivation as a new
    // one. No read-before-write check: the unique index answers "taken" for the plain case and for
    // concurrent sign-ups alike, so there is one code path and it is always exercised.
    const link = newAccountToken(verifyTtlSeconds);
    const user = new this({
      email: normalizeEmail(email),
      passwordHash: await hashPassword(password),
      emailVerified: false,
      verifyTokenHash: link.hash,
      verifyTokenExpiresAt: link.expiresAt,
    });
    // In the same insert as the account: a sign-up that fails (taken email) publishes nothing, and
    // one that succeeds publishes even if the process dies right after the write. The verification
    // mail's event follows user.created, so notifications usually has the contact already.
    recordEvent(user, Subjects.UserCreated, { id: user.id as string, email: user.email, version: 0 });
    recordEvent(user, Subjects.UserVerificationRequested, {
      userId: user.id as string,
      email: user.email,
      token: link.token,
      expiresAt: link.expiresAt.toISOString(),
    });
    try {
      await user.save();
    } catch (err) {
      if (isDuplicateKey(err)) return { kind: 'email-taken' };
      throw err;
    }
    return { kind: 'created', user };
  },
);

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
    user.resetTokenHash = undefined;
    user.resetTokenExpiresAt = undefined;
    user.verifyTokenHash = undefined;
    user.verifyTokenExpiresAt = undefined;
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

userSchema.static(
  'requestPasswordReset',
  async function requestPasswordReset(this: UserModel, email: string, ttlSeconds: number): Promise<ResetRequestOutcome> {
    const user = await this.findOne({ email: normalizeEmail(email), deletedAt: { $exists: false } }, { _id: 1, email: 1 }).lean();
    if (!user) return { kind: 'no-user' };
    const link = newAccountToken(ttlSeconds);
    const userId = String(user._id);
    // The hash and the event (which alone carries the raw token, for the mail) in one write; the
    // relay removes the event from the document once published.
    const written = await this.updateOne(
      { _id: user._id, email: user.email, deletedAt: { $exists: false } },
      {
        $set: { resetTokenHash: link.hash, resetTokenExpiresAt: link.expiresAt },
        $push: {
          outbox: outboxEntry(Subjects.UserPasswordResetRequested, {
            userId,
            email: user.email,
            token: link.token,
            expiresAt: link.expiresAt.toISOString(),
          }),
        },
      },
    );
    return written.matchedCount === 1 ? { kind: 'requested' } : { kind: 'no-user' };
  },
);

userSchema.static('findResetCandidate', async function findResetCandidate(this: UserModel, token: string): Promise<ResetCandidateOutcome> {
  if (!isAccountTokenShaped(token)) return { kind: 'invalid' };
  const tokenHash = hashAccountToken(token);
  const user = await this.findOne(
    { resetTokenHash: tokenHash, resetTokenExpiresAt: { $gt: new Date() }, deletedAt: { $exists: false } },
    { _id: 1 },
  ).lean();
  return user ? { kind: 'found', userId: String(user._id), tokenHash } : { kind: 'invalid' };
});

userSchema.static(
  'resetPassword',
  async function resetPassword(this: UserModel, userId: string, tokenHash: string, passwordHash: string): Promise<ResetOutcome> {
    if (!isObjectId(userId)) return { kind: 'invalid' };
    const written = await this.updateOne(
      { _id: userId, resetTokenHash: tokenHash, resetTokenExpiresAt: { $gt: new Date() }, deletedAt: { $exists: false } },
      { $set: { passwordHash }, $unset: { resetTokenHash: 1, resetTokenExpiresAt: 1 } },
    );
    return written.matchedCount === 1 ? { kind: 'reset' } : { kind: 'invalid' };
  },
);

userSchema.static('verifyEmail', async function verifyEmail(this: UserModel, token: string): Promise<VerifyOutcome> {
  if (!isAccountTokenShaped(token)) return { kind: 'invalid' };
  const tokenHash = hashAccountToken(token);
  const usable = { verifyTokenHash: tokenHash, verifyTokenExpiresAt: { $gt: new Date() }, deletedAt: { $exists: false } };
  const found = await this.findOne(usable, { _id: 1 }).lean();
  if (!found) return { kind: 'invalid' };
  // The filter names the _id (the document lock applies on FerretDB) and repeats every condition:
  // this write alone decides, so a link used twice at once verifies once.
  const written = await this.updateOne(
    { _id: found._id, ...usable },
    { $set: { emailVerified: true }, $unset: { verifyTokenHash: 1, verifyTokenExpiresAt: 1 } },
  );
  if (written.matchedCount !== 1) return { kind: 'invalid' };
  const user = await this.findLive(String(found._id));
  return user ? { kind: 'verified', user } : { kind: 'invalid' };
});

userSchema.static(
  'requestVerification',
  async function requestVerification(this: UserModel, userId: string, ttlSeconds: number): Promise<VerificationRequestOutcome> {
    const user = await this.findLive(userId);
    if (!user) return { kind: 'no-user' };
    if (user.emailVerified) return { kind: 'already-verified' };
    const link = newAccountToken(ttlSeconds);
    const written = await this.updateOne(
      { _id: user._id, email: user.email, emailVerified: { $ne: true }, deletedAt: { $exists: false } },
      {
        $set: { verifyTokenHash: link.hash, verifyTokenExpiresAt: link.expiresAt },
        $push: {
          outbox: outboxEntry(Subjects.UserVerificationRequested, {
            userId: user.id as string,
            email: user.email,
            token: link.token,
            expiresAt: link.expiresAt.toISOString(),
          }),
        },
      },
    );
    if (written.matchedCount === 1) return { kind: 'requested' };
    // Verified (or deleted) between the read and the write.
    return (await this.findLive(userId)) ? { kind: 'already-verified' } : { kind: 'no-user' };
  },
);

export function userModelOn(conn: Connection): UserModel {
  return modelOn<UserModel>(conn, 'User', userSchema);
}
