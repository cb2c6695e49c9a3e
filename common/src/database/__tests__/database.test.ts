import mongoose, { Schema } from 'mongoose';
import { documentLockPlugin, documentLocksCapability } from '../../lock';
import { useTestDatabase } from '../../testing';
import { installDatabasePlugins, isDuplicateKey, modelOn } from '..';

describe('models on a connection', () => {
  it('registers nothing globally when common is imported', () => {
    const global = (mongoose as unknown as { plugins: [unknown, unknown][] }).plugins.map(([fn]) => fn);
    expect(global).not.toContain(documentLockPlugin);
  });

  it('refuses to build a model on a connection without the plugins', () => {
    const conn = mongoose.createConnection();
    expect(() => modelOn(conn, 'Thing', new Schema({ a: String }))).toThrow(/installDatabasePlugins/);
  });

  it('builds models with the document lock once the plugins are installed, and reuses them', () => {
    const conn = mongoose.createConnection();
    installDatabasePlugins(conn);
    installDatabasePlugins(conn);
    const schema = new Schema({ a: String });
    const Thing = modelOn<mongoose.Model<{ a: string }>>(conn, 'Thing', schema);
    const plugins = (Thing.schema as unknown as { plugins: { fn: unknown }[] }).plugins;
    expect(plugins.filter((p) => p.fn === documentLockPlugin)).toHaveLength(1);
    expect(modelOn(conn, 'Thing', schema)).toBe(Thing);
  });

  it('recognises a duplicate key error and nothing else', () => {
    expect(isDuplicateKey({ code: 11000 })).toBe(true);
    expect(isDuplicateKey({ code: 11001 })).toBe(false);
    expect(isDuplicateKey(null)).toBe(false);
    expect(isDuplicateKey(new Error('x'))).toBe(false);
  });
});

describe('document locks as a capability of the connection', () => {
  const db = useTestDatabase();
  const mode = process.env.JETMART_DOCUMENT_LOCKS;
  afterEach(() => {
    if (mode === undefined) delete process.env.JETMART_DOCUMENT_LOCKS;
    else process.env.JETMART_DOCUMENT_LOCKS = mode;
  });

  it('are on exactly when the server is FerretDB, and say why', async () => {
    delete process.env.JETMART_DOCUMENT_LOCKS;
    const info = await db.connection.db!.admin().command({ buildInfo: 1 });
    const ferret = 'ferretdbVersion' in info;
    const cap = await documentLocksCapability(db.connection);
    expect(cap.enabled).toBe(ferret);
    expect(cap.reason).toMatch(ferret ? /FerretDB/ : /atomically/);
  });

  it('follow JETMART_DOCUMENT_LOCKS when it is set', async () => {
    process.env.JETMART_DOCUMENT_LOCKS = 'off';
    expect(await documentLocksCapability(db.connection)).toEqual({ enabled: false, reason: 'JETMART_DOCUMENT_LOCKS=off' });
    process.env.JETMART_DOCUMENT_LOCKS = 'on';
    expect(await documentLocksCapability(db.connection)).toEqual({ enabled: true, reason: 'JETMART_DOCUMENT_LOCKS=on' });
  });
});
