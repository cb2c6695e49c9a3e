import type { Connection } from 'mongoose';
import { userModelOn, type UserModel } from './user';

export * from './user';
export * from './address-book';
export { DEFAULT_TOKEN_TTL_SECONDS } from './account-token';

export interface AuthModels {
  User: UserModel;
}

/** Every auth model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function authModels(conn: Connection): AuthModels {
  return { User: userModelOn(conn) };
}
