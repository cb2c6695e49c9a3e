import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ferretdbBinary, postgresServerUrl, startMongo, type MongoTestServer } from '../servers';

/**
 * FerretDB on PostgreSQL (JETMART_FERRETDB_BACKEND=postgresql): every server its own database, so
 * parallel test runs and the platform never see each other's data; a throw-away server's database
 * is dropped on stop, a kept one (the platform's data dir) survives a restart.
 */
const databases = (): string[] => {
  const url = new URL(postgresServerUrl());
  url.pathname = '/postgres';
  return execFileSync(
    'psql',
    ['-X', '-w', '-At', '-d', url.toString(), '-c', "SELECT datname FROM pg_database WHERE datname LIKE 'jetmart_ferretdb_%'"],
    {
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter(Boolean);
};

const available = (() => {
  try {
    databases();
    return Boolean(ferretdbBinary());
  } catch {
    return false;
  }
})();

/** Runs `fn` with these environment variables (undefined: unset), and puts the previous values back. */
async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const ferretDb = (backend: string) => ({ JETMART_MONGO: 'ferretdb', JETMART_FERRETDB_BACKEND: backend, MONGO_URL: undefined });
const withBackend = <T>(fn: () => Promise<T>): Promise<T> => withEnv(ferretDb('postgresql'), fn);

async function countIn(server: MongoTestServer): Promise<number> {
  const client = await MongoClient.connect(server.url);
  try {
    return await client.db('shared').collection('things').countDocuments();
  } finally {
    await client.close();
  }
}

async function insertInto(server: MongoTestServer, n: number): Promise<void> {
  const client = await MongoClient.connect(server.url);
  try {
    await client
      .db('shared')
      .collection('things')
      .insertMany(Array.from({ length: n }, (_, i) => ({ i })));
  } finally {
    await client.close();
  }
}

(available ? describe : describe.skip)('FerretDB on PostgreSQL', () => {
  it('gives each server its own database and drops it on stop', async () => {
    const [a, b] = await withBackend(() => Promise.all([startMongo(), startMongo()]));
    try {
      expect(a.backend).toBe('postgresql');
      expect(a.postgresDatabase).toBeDefined();
      expect(a.postgresDatabase).not.toBe(b.postgresDatabase);
      expect(databases()).toEqual(expect.arrayContaining([a.postgresDatabase, b.postgresDatabase]));
      await insertInto(a, 3);
      expect(await countIn(a)).toBe(3);
      expect(await countIn(b)).toBe(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(databases()).not.toContain(a.postgresDatabase);
    expect(databases()).not.toContain(b.postgresDatabase);
  });

  it("keeps a data dir's database across restarts, and starts empty when the dir was deleted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetmart-pg-keep-'));
    try {
      const first = await withBackend(() => startMongo({ dataDir: dir }));
      await insertInto(first, 2);
      await first.stop();
      expect(databases()).toContain(first.postgresDatabase);

      const second = await withBackend(() => startMongo({ dataDir: dir }));
      expect(second.postgresDatabase).toBe(first.postgresDatabase);
      expect(await countIn(second)).toBe(2);
      await second.stop();

      // `npm start -- --fresh` deletes the data dir: the database's marker goes with it.
      unlinkSync(join(second.dataDir!, 'DATABASE'));
      const third = await withBackend(() => startMongo({ dataDir: dir }));
      expect(await countIn(third)).toBe(0);
      expect(existsSync(join(third.dataDir!, 'DATABASE'))).toBe(true);
      await third.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // The next start anywhere drops a kept database whose dir is gone; this one is ours to drop now.
      const url = new URL(postgresServerUrl());
      url.pathname = '/postgres';
      for (const name of databases().filter((d) => d.startsWith('jetmart_ferretdb_k'))) {
        const comment = execFileSync(
          'psql',
          [
            '-X',
            '-w',
            '-At',
            '-d',
            url.toString(),
            '-c',
            `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '${name}'`,
          ],
          { encoding: 'utf8' },
        ).trim();
        if (comment.startsWith(`dir ${dir}`))
          execFileSync('psql', ['-X', '-w', '-q', '-d', url.toString(), '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`]);
      }
    }
  });
});

/** `ferretDbBackend` of a fresh copy of the module (its "does PostgreSQL answer" is asked once per process). */
async function autoBackend(env: Record<string, string>): Promise<string> {
  return withEnv(env, () => {
    let backend: Promise<string> | undefined;
    jest.isolateModules(() => {
      backend = jest.requireActual<{ ferretDbBackend(): Promise<string> }>('../servers').ferretDbBackend();
    });
    return backend!;
  });
}

describe('FerretDB backend: auto', () => {
  (available ? it : it.skip)('is PostgreSQL when the local PostgreSQL answers', async () => {
    expect(await autoBackend({ JETMART_FERRETDB_BACKEND: 'auto' })).toBe('postgresql');
  });

  it('is SQLite when no PostgreSQL answers, and a named backend is taken as asked', async () => {
    const nowhere = 'postgresql://jetmart:jetmart-dev@127.0.0.1:1/';
    expect(await autoBackend({ JETMART_FERRETDB_BACKEND: 'auto', JETMART_POSTGRES_URL: nowhere })).toBe('sqlite');
    expect(await autoBackend({ JETMART_FERRETDB_BACKEND: 'sqlite' })).toBe('sqlite');
    expect(await autoBackend({ JETMART_FERRETDB_BACKEND: 'postgresql', JETMART_POSTGRES_URL: nowhere })).toBe('postgresql');
    await expect(autoBackend({ JETMART_FERRETDB_BACKEND: 'mysql' })).rejects.toThrow(/auto, sqlite or postgresql/);
  });
});

(available ? describe : describe.skip)('FerretDB on PostgreSQL: indexes its pushed-down filters can use', () => {
  const sql = (database: string, query: string): string[] => {
    const url = new URL(postgresServerUrl());
    url.pathname = `/${database}`;
    return execFileSync('psql', ['-X', '-w', '-At', '-d', url.toString(), '-c', query], { encoding: 'utf8' }).split('\n').filter(Boolean);
  };

  it('adds a GIN index beside each declared index, and an equality look-up uses it instead of a sequential scan', async () => {
    const server = await withBackend(() => startMongo());
    const client = await MongoClient.connect(server.url);
    try {
      const col = client.db('probe').collection('orders');
      await col.createIndex({ orderId: 1, createdAt: -1 });
      await col.insertMany(Array.from({ length: 5000 }, (_, i) => ({ _id: `id-${i}` as never, orderId: `o${i}`, status: 'created' })));
      const indexes = sql(
        server.postgresDatabase!,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'probe' AND indexdef LIKE '%USING gin%'",
      );
      expect(indexes).toEqual(
        expect.arrayContaining([
          expect.stringContaining("gin (((_jsonb -> '_id'::text)) jsonb_path_ops)"),
          expect.stringContaining("gin (((_jsonb -> 'orderId'::text)) jsonb_path_ops)"),
        ]),
      );
      // Planner statistics as autovacuum would leave them, without waiting for it.
      sql(
        server.postgresDatabase!,
        `ANALYZE probe.${sql(server.postgresDatabase!, "SELECT tablename FROM pg_tables WHERE schemaname = 'probe' AND tablename LIKE 'orders%'")[0]}`,
      );
      for (const filter of [{ orderId: 'o4321' }, { _id: 'id-4321' }]) {
        const plan = JSON.stringify(await col.find(filter as Record<string, unknown>).explain());
        expect({ filter, indexScan: plan.includes('Bitmap Index Scan') && plan.includes('_gin') }).toEqual({ filter, indexScan: true });
      }
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

(available ? describe : describe.skip)('FerretDB backend: a data dir that already holds SQLite data', () => {
  it('stays on SQLite under auto (its shop is still there); a new dir goes to PostgreSQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetmart-sqlite-keep-'));
    const fresh = mkdtempSync(join(tmpdir(), 'jetmart-auto-keep-'));
    const servers: MongoTestServer[] = [];
    try {
      await withEnv(ferretDb('sqlite'), async () => {
        servers.push(await startMongo({ dataDir: dir }));
        await insertInto(servers[0]!, 2);
        await servers[0]!.stop();
      });
      await withEnv(ferretDb('auto'), async () => {
        servers.push(await startMongo({ dataDir: dir }), await startMongo({ dataDir: fresh }));
      });
      expect([servers[1]!.backend, await countIn(servers[1]!)]).toEqual(['sqlite', 2]);
      expect(servers[2]!.backend).toBe('postgresql');
    } finally {
      await Promise.all(servers.slice(1).map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

(available ? describe : describe.skip)('FerretDB on a port another process holds', () => {
  it('is not mistaken for the server already answering there: the start fails with the cause', async () => {
    // Another MongoDB-wire server answers on the port; a ping would succeed against it before
    // the new FerretDB has even tried to bind (and died), and tests would share its databases.
    const other = await withEnv(ferretDb('sqlite'), () => startMongo());
    try {
      const port = Number(new URL(other.url).port);
      await expect(withEnv(ferretDb('sqlite'), () => startMongo({ port }))).rejects.toThrow(/address already in use/);
    } finally {
      await other.stop();
    }
  });
});
