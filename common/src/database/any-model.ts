import type { Model, Schema } from 'mongoose';

/**
 * A model or schema of any document type. Common's mechanisms (the relay, the model builder) work
 * on every service's records, whose field types only the services know.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the document type is the caller's
export type AnyModel = Model<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as AnyModel: schema generics are the caller's
export type AnySchema = Schema<any, any, any, any>;
