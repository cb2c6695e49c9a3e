import type { SavedAddress, User } from '@jetmart/common/contracts';
import type { AddressEntry, UserDoc } from '../models';

/** What the API and the session say about a user: `{id, email, emailVerified}`, never the password hash. */
export function presentUser(user: UserDoc): User {
  return { id: user.id as string, email: user.email, emailVerified: user.emailVerified === true };
}

/** The signed-in person's own account: `{id, email, emailVerified, displayName}` (displayName null until set). */
export function presentProfile(user: UserDoc): User & { displayName: string | null } {
  return { ...presentUser(user), displayName: user.displayName ?? null };
}

/** An address-book entry as the API gives it: the address and its `id`. */
export function presentSavedAddress(entry: AddressEntry): SavedAddress {
  const out: SavedAddress = {
    id: entry._id.toHexString(),
    name: entry.name,
    line1: entry.line1,
    city: entry.city,
    postalCode: entry.postalCode,
    country: entry.country,
  };
  if (entry.line2 !== undefined && entry.line2 !== null) out.line2 = entry.line2;
  if (entry.phone !== undefined && entry.phone !== null) out.phone = entry.phone;
  return out;
}
