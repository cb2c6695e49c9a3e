import { Schema, Types } from 'mongoose';
import { addressFields, objectIdPattern } from '@jetmart/common';
import type { Address } from '@jetmart/common/contracts';

/**
 * The address book: entries stored as subdocuments of their user (see the statics in user.ts).
 * Nothing is published about them; orders get an address snapshot with each order instead.
 */

/** One stored address-book entry. */
export interface AddressEntry extends Address {
  _id: Types.ObjectId;
}

/** The address-book fields of a user document. */
export interface AddressBookAttrs {
  addresses: AddressEntry[];
  /**
   * Bumped by every address-book write. Replacing and removing an entry rewrite the whole (small)
   * list, conditional on this being unchanged since it was read: FerretDB implements neither the
   * positional `$` nor `arrayFilters` nor `$pull` by condition, so that is the one way to edit an
   * element that both servers apply atomically (on FerretDB under the document lock). Absent on
   * accounts that never had an address: read as 0.
   */
  addressBookRevision?: number;
}

const addressEntrySchema = new Schema<AddressEntry>(addressFields);

/** The address-book fields of the user schema. */
export const addressBookFields = {
  addresses: { type: [addressEntrySchema], default: [] },
  addressBookRevision: { type: Number },
};

export type AddressListOutcome = { kind: 'listed'; addresses: AddressEntry[] } | { kind: 'no-user' };
export type AddressAddOutcome = { kind: 'added'; address: AddressEntry } | { kind: 'book-full' } | { kind: 'no-user' };
export type AddressReplaceOutcome = { kind: 'replaced'; address: AddressEntry } | { kind: 'not-found' } | { kind: 'no-user' };
export type AddressRemoveOutcome = { kind: 'removed' } | { kind: 'not-found' } | { kind: 'no-user' };

/** Ids are 24 hex digits: mongoose would also take any 12-character string as an ObjectId. */
export const isObjectId = (id: string) => objectIdPattern.test(id);

/** Only the fields of an Address, so nothing else a caller passes reaches the database. */
export function addressEntry(id: Types.ObjectId, a: Address): AddressEntry {
  const e: AddressEntry = { _id: id, name: a.name, line1: a.line1, city: a.city, postalCode: a.postalCode, country: a.country };
  if (a.line2 !== undefined) e.line2 = a.line2;
  if (a.phone !== undefined) e.phone = a.phone;
  return e;
}

/** The filter of a write that applies only if nobody has changed the book since `revision` was read. */
export const atRevision = (userId: string, revision: number) => ({
  _id: userId,
  addressBookRevision: revision === 0 ? { $exists: false } : revision,
});

/**
 * Rounds of read-then-conditional-write before giving up. Each failed round means another write to
 * the same book succeeded, so this is only reached by one account writing its book dozens of times
 * at once, never by a person.
 */
export const MAX_ADDRESS_BOOK_ROUNDS = 50;
