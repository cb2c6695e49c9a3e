import type { User } from '@jetmart/common/contracts';
import type { UserDoc } from '../models';

/** What the API and the session say about a user: `{id, email}`, never the password hash. */
export function presentUser(user: UserDoc): User {
  return { id: user.id as string, email: user.email };
}
