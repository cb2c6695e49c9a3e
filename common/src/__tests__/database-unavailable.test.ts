import net from 'node:net';
import express from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, errorHandler, requestContext, RETRY_AFTER_SECONDS, ServiceUnavailableError } from '..';

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a database that cannot be reached', () => {
  let conn: mongoose.Connection;
  afterAll(async () => {
    await conn?.close().catch(() => undefined);
  });

  it('answers 503 with Retry-After, in the error shape, not 500', async () => {
    conn = mongoose.createConnection(`mongodb://127.0.0.1:${await closedPort()}/x`, { serverSelectionTimeoutMS: 300 });
    conn.on('error', () => undefined);
    const Thing = conn.model('Thing', new mongoose.Schema({ a: String }));
    const app = express();
    app.use(requestContext(createLogger('test', { level: 'silent' })));
    app.get('/things', async (_req, res) => {
      res.json(await Thing.findOne({ a: 'x' }));
    });
    app.use(errorHandler);
    const res = await request(app).get('/things');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(res.body).toEqual({ errors: [{ message: expect.stringMatching(/database/) }] });
  });

  it('gives every 503 a Retry-After (e.g. a busy document lock)', async () => {
    const app = express();
    app.get('/busy', () => {
      throw new ServiceUnavailableError('The record is busy, try again');
    });
    app.use(errorHandler);
    const res = await request(app).get('/busy');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
  });

  it.each([
    [
      'a server shutting down under the request (code 91)',
      Object.assign(new Error('shutdown in progress'), { name: 'MongoServerError', code: 91 }),
    ],
    [
      'an error the driver labels retryable',
      Object.assign(new Error('x'), { name: 'MongoServerError', code: 1, errorLabels: ['RetryableWriteError'] }),
    ],
    [
      'a wrapper whose cause is a network error',
      new Error('lock release failed', { cause: Object.assign(new Error('closed'), { name: 'MongoNetworkError' }) }),
    ],
  ])('answers 503 for %s', async (_why, thrown) => {
    const app = express();
    app.delete('/x', () => {
      throw thrown;
    });
    app.use(errorHandler);
    const res = await request(app).delete('/x');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
  });

  it('answers 503 for a write FerretDB/SQLite could not lock in time (SQLITE_BUSY), as seen under load', async () => {
    // The error as FerretDB 1.24 sent it to the driver (platform log of the growth benchmark).
    const busy = Object.assign(
      new Error(
        '[msg_update.go:133 handler.(*Handler).updateDocument] [update.go:114 common.UpdateDocument] ' +
          '[collection.go:191 sqlite.(*collection).UpdateAll] [collection.go:177 sqlite.(*collection).UpdateAll.func1] ' +
          'database is locked (5) (SQLITE_BUSY)',
      ),
      { name: 'MongoServerError', code: 1, codeName: 'InternalError' },
    );
    const app = express();
    app.use(requestContext(createLogger('test', { level: 'silent' })));
    app.post('/orders', () => {
      throw busy;
    });
    app.post('/other', () => {
      throw Object.assign(new Error('internal error of another kind'), { name: 'MongoServerError', code: 1, codeName: 'InternalError' });
    });
    app.use(errorHandler);
    const res = await request(app).post('/orders');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
    expect(res.body).toEqual({ errors: [{ message: expect.stringMatching(/busy/) }] });
    // Another InternalError is not a busy database: still 500.
    expect((await request(app).post('/other')).status).toBe(500);
  });

  it('keeps a server error that is the request’s fault (duplicate key, code 11000) out of 503', async () => {
    const app = express();
    app.use(requestContext(createLogger('test', { level: 'silent' })));
    app.post('/x', () => {
      throw Object.assign(new Error('E11000 duplicate key'), { name: 'MongoServerError', code: 11000 });
    });
    app.use(errorHandler);
    expect((await request(app).post('/x')).status).toBe(500);
  });

  it('still answers 500, without details, for an unexpected error', async () => {
    const app = express();
    app.get('/boom', () => {
      throw new Error('secret internals');
    });
    app.use(errorHandler);
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
  });
});
