import type { Connection } from 'mongoose';
import { documentLockPlugin } from '../lock';
import { mongooseTracingPlugin } from '../tracing';
import type { AnyModel, AnySchema } from './any-model';

export { isDuplicateKey } from './duplicate-key';
export { addressFields, addressSnapshotSchema } from './address';
export { readEach } from './read-each';
export type { AnyModel, AnySchema } from './any-model';

/**
 * Connections that have jetmart's plugins. A WeakSet rather than a flag on the connection, so
 * nothing outside this module can claim a connection is ready.
 */
const prepared = new WeakSet<Connection>();

/**
 * Installs jetmart's mongoose plugins on a connection: the document lock (FerretDB's
 * single-document writes are not atomic, see lock/) and the database spans of tracing. They
 * apply to every model built on the connection afterwards, so `runService` and the test database
 * helper call this before any model exists. Idempotent.
 */
export function installDatabasePlugins(conn: Connection): void {
  if (prepared.has(conn)) return;
  conn.plugin(documentLockPlugin);
  conn.plugin(mongooseTracingPlugin);
  prepared.add(conn);
}

/**
 * The model `name` on `conn`, compiled from `schema` the first time. Refuses a connection
 * without the plugins: a model built without the document lock would silently lose the
 * no-oversell guarantee on FerretDB.
 */
export function modelOn<TModel extends AnyModel>(conn: Connection, name: string, schema: AnySchema): TModel {
  if (!prepared.has(conn)) {
    throw new Error(`modelOn(${name}): call installDatabasePlugins(conn) before building models on this connection`);
  }
  return (conn.models[name] ?? conn.model(name, schema)) as TModel;
}
