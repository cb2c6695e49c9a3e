import mongoose, { type HydratedDocument, type Model } from 'mongoose';
import { apiJson, ConflictError } from '@jetmart/common';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';

export interface UserAttrs {
  email: string;
  passwordHash: string;
}

export type UserDoc = HydratedDocument<UserAttrs>;

interface UserModel extends Model<UserAttrs> {
  /** Creates an account; an email that is already registered → 409 (also when two sign-ups race). */
  register(email: string, password: string): Promise<UserDoc>;
  /** The user whose email and password match, else null (same work and time either way). */
  authenticate(email: string, password: string): Promise<UserDoc | null>;
}

/** Emails are compared and stored in one canonical form: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export const EMAIL_TAKEN_MESSAGE = 'Email is already in use';

const isDuplicateKeyError = (err: unknown) => (err as { code?: number })?.code === 11000;

const userSchema = new mongoose.Schema<UserAttrs, UserModel>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
  },
  {
    timestamps: true,
    versionKey: false,
    toJSON: apiJson(['passwordHash', 'createdAt', 'updatedAt']),
  },
);
// The unique index, not a read-then-write check, is what makes "one account per email" hold
// when two sign-ups for the same email arrive at once (on any number of replicas).
userSchema.index({ email: 1 }, { unique: true });

userSchema.static('register', async function register(this: UserModel, email: string, password: string) {
  const normalized = normalizeEmail(email);
  // No read-before-write check: the unique index answers "taken" for the plain case and for
  // concurrent sign-ups alike, so there is one code path and it is always exercised.
  const user = new this({ email: normalized, passwordHash: await hashPassword(password) });
  try {
    await user.save();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError(EMAIL_TAKEN_MESSAGE, 'email');
    throw err;
  }
  return user;
});

userSchema.static('authenticate', async function authenticate(this: UserModel, email: string, password: string) {
  const user = await this.findOne({ email: normalizeEmail(email) });
  const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyPasswordHash()));
  return user && matches ? user : null;
});

export const User = mongoose.model<UserAttrs, UserModel>('User', userSchema);

/** What the API and the session say about a user. */
export const publicUser = (user: UserDoc) => ({ id: user.id as string, email: user.email });
