import { Schema, type Connection, type Model } from 'mongoose';
import { modelOn } from '@jetmart/common';

/**
 * What notifications knows of a person: a version-checked replica of auth's user (user.created at
 * version 0, user.updated at each later version). A deleted person is kept as a tombstone (the id
 * and the version only, no email, no name), so an event about them that arrives afterwards is
 * recognised and sends nothing instead of waiting for a contact that will never come.
 */
export interface ContactFields {
  _id: string;
  email?: string;
  displayName?: string;
  deleted: boolean;
  version: number;
}

export type ContactModel = Model<ContactFields>;

const contactSchema = new Schema<ContactFields>(
  {
    _id: { type: String, required: true },
    email: { type: String },
    displayName: { type: String },
    deleted: { type: Boolean, required: true, default: false },
    version: { type: Number, required: true, min: 0 },
  },
  // The version is the user's (from the events), set explicitly; mongoose's own versioning stays off.
  { versionKey: false, timestamps: true },
);

export function contactModelOn(conn: Connection): ContactModel {
  return modelOn<ContactModel>(conn, 'Contact', contactSchema);
}
