import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';
import { decoyPasswordHash, hashPassword, verifyPassword } from './password';

export interface UserAttrs {
  email: string;
  passwordHash: string;
}

export type UserDoc = HydratedDocument<UserAttrs>;

export type RegisterOutcome = { kind: 'created'; user: UserDoc } | { kind: 'email-taken' };

export interface UserModel extends Model<UserAttrs> {
  /**
   * Creates an account, or says the email is registered already (also when two sign-ups race).
   * Both take one password derivation, so the time taken does not tell which emails have accounts.
   */
  register(email: string, password: string): Promise<RegisterOutcome>;
  /** The user whose email and password match, else null (same work and time either way). */
  authenticate(email: string, password: string): Promise<UserDoc | null>;
}

/** Emails are compared and stored in one canonical form: trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const userSchema = new Schema<UserAttrs, UserModel>(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
// The unique index, not a read-then-write check, is what makes "one account per email" hold
// when two sign-ups for the same email arrive at once (on any number of replicas).
userSchema.index({ email: 1 }, { unique: true });

userSchema.static('register', async function register(this: UserModel, email: string, password: string): Promise<RegisterOutcome> {
  // The password is hashed before the insert, so a taken email costs the same derivation as a new
  // one. No read-before-write check: the unique index answers "taken" for the plain case and for
  // concurrent sign-ups alike, so there is one code path and it is always exercised.
  const user = new this({ email: normalizeEmail(email), passwordHash: await hashPassword(password) });
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

export function userModelOn(conn: Connection): UserModel {
  return modelOn<UserModel>(conn, 'User', userSchema);
}
