import { Schema, type SchemaDefinition } from 'mongoose';
import type { Address } from '../api/address';

/**
 * The stored fields of an Address (the API and event contracts validate it before it is stored:
 * addressSchema in events/). One definition for every record that keeps an address: the address
 * book, an order's snapshot, a shipment's snapshot.
 */
export const addressFields: SchemaDefinition<Address> = {
  name: { type: String, required: true },
  line1: { type: String, required: true },
  line2: { type: String },
  city: { type: String, required: true },
  postalCode: { type: String, required: true },
  country: { type: String, required: true },
  phone: { type: String },
};

/** An address snapshot embedded in another document (no `_id` of its own). */
export function addressSnapshotSchema(): Schema<Address> {
  return new Schema<Address>(addressFields, { _id: false });
}
