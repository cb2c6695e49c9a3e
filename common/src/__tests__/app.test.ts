import express, { Router } from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { z } from 'zod';
import {
  BadRequestError,
  ConflictError,
  createApp,
  createLogger,
  NotFoundError,
  PaymentDeclinedError,
  requireAuth,
  TooManyRequestsError,
  validateBody,
  parseQuery,
  ForbiddenError,
} from '..';
import { signinCookie, TEST_JWT_KEY } from '../testing';

const logger = createLogger('test', { level: 'silent' });

function testApp(ready = true) {
  const r = Router();
  r.post('/api/things', validateBody(z.object({ title: z.string().min(1), price: z.number().positive() })), (req, res) => {
    res.status(201).json(req.body);
  });
  r.get('/api/search', (req, res) => {
    res.json(parseQuery(z.object({ q: z.string() }), req));
  });
  r.get('/api/me', requireAuth, (req, res) => {
    res.json({ user: req.currentUser });
  });
  r.get('/api/who', (req, res) => {
    res.json({ user: req.currentUser ?? null, secure: req.secure, id: req.id });
  });
  r.post('/api/session', (req, res) => {
    req.session = { hello: 'world' };
    res.json({});
  });
  const errors: Record<string, Error> = {
    '400': new BadRequestError('bad thing', 'thing'),
    '402': new PaymentDeclinedError(),
    '403': new ForbiddenError(),
    '404': new NotFoundError(),
    '409': new ConflictError('taken'),
    '429': new TooManyRequestsError(),
  };
  r.get('/api/throw/:code', async (req) => {
    const e = errors[String(req.params.code)];
    // An async rejection: Express 5 forwards it to the error handler without express-async-errors.
    await Promise.resolve();
    throw e ?? new Error('secret internal detail');
  });
  return createApp({ logger, jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 60, routers: [r], isReady: () => ready });
}

describe('createApp error handling', () => {
  const app = testApp();

  it.each(['400', '402', '403', '404', '409', '429'])('maps a thrown %s error to its status and shape', async (code) => {
    const res = await request(app).get(`/api/throw/${code}`);
    expect(res.status).toBe(Number(code));
    expect(res.body.errors).toHaveLength(1);
    expect(typeof res.body.errors[0].message).toBe('string');
  });

  it('includes the field when an error names one', async () => {
    const res = await request(app).get('/api/throw/400');
    expect(res.body).toEqual({ errors: [{ message: 'bad thing', field: 'thing' }] });
  });

  it('answers unexpected errors with 500 and no internals', async () => {
    const res = await request(app).get('/api/throw/500');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ errors: [{ message: 'Something went wrong' }] });
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await request(app).get('/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.errors[0].message).toMatch(/not found/i);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await request(app).post('/api/things').set('Content-Type', 'application/json').send('{"title":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ message: 'Malformed JSON body' }] });
  });

  it('rejects bodies over the limit with 413', async () => {
    const res = await request(app)
      .post('/api/things')
      .send({ title: 'x'.repeat(200_000), price: 1 });
    expect(res.status).toBe(413);
    expect(res.body.errors[0].message).toMatch(/too large/);
  });

  it('validates bodies field by field and strips unknown fields', async () => {
    const bad = await request(app).post('/api/things').send({ title: '', price: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['price', 'title']);
    const ok = await request(app).post('/api/things').send({ title: 'a', price: 2, $where: 'evil' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual({ title: 'a', price: 2 });
  });

  it('rejects operator objects where a value is expected', async () => {
    const res = await request(app)
      .post('/api/things')
      .send({ title: { $gt: '' }, price: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('title');
  });

  it('refuses text it cannot store (the NUL character, a lone surrogate) with 400 naming the field', async () => {
    for (const title of ['a\u0000b', '\u0000', 'x\ud800']) {
      const res = await request(app).post('/api/things').send({ title, price: 1 });
      expect({ title, status: res.status, errors: res.body.errors }).toEqual({
        title,
        status: 400,
        errors: [{ message: 'Text must be valid Unicode without NUL characters', field: 'title' }],
      });
    }
    const nested = await request(app)
      .post('/api/things')
      .send({ title: 'a', price: 1, extra: { note: ['ok', 'b\u0000'] } });
    expect(nested.body.errors).toEqual([{ message: 'Text must be valid Unicode without NUL characters', field: 'extra.note.1' }]);
    const query = await request(app).get('/api/search?q=a%00b');
    expect(query.status).toBe(400);
    expect(query.body.errors[0].field).toBe('q');
    // A parameter the route does not read is ignored, whatever it holds.
    expect((await request(app).get('/api/search?q=ab&other=a%00b')).body).toEqual({ q: 'ab' });
    expect((await request(app).get('/api/search?q=ab')).body).toEqual({ q: 'ab' });
  });

  it('rejects a body that is not a JSON object', async () => {
    const res = await request(app).post('/api/things').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(400);
  });

  it('serves healthz, readyz and metrics', async () => {
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
    expect((await request(testApp(false)).get('/readyz')).status).toBe(503);
    await request(app).get('/api/who');
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/who",status="200"}');
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const given = await request(app).get('/api/who').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    expect(given.body.id).toBe('abc-123');
    const weird = await request(app).get('/api/who').set('X-Request-Id', 'bad id with spaces');
    expect(weird.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('sessions and currentUser', () => {
  const app = testApp();

  it('reads the user from a valid session cookie', async () => {
    const res = await request(app)
      .get('/api/me')
      .set('Cookie', signinCookie({ id: 'u1', email: 'a@b.co' }));
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: 'u1', email: 'a@b.co', emailVerified: false });
    const verified = await request(app)
      .get('/api/me')
      .set('Cookie', signinCookie({ id: 'u1', email: 'a@b.co', emailVerified: true }));
    expect(verified.body.user).toEqual({ id: 'u1', email: 'a@b.co', emailVerified: true });
  });

  it('requireAuth answers 401 without a session', async () => {
    const res = await request(app).get('/api/me');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].message).toBe('Not signed in');
  });

  it('treats an expired JWT as signed out', async () => {
    const res = await request(app)
      .get('/api/who')
      .set('Cookie', signinCookie({ id: 'u1' }, { ttlSeconds: -10 }));
    expect(res.body.user).toBeNull();
  });

  it('treats a JWT signed with another key as signed out', async () => {
    const res = await request(app)
      .get('/api/who')
      .set('Cookie', signinCookie({ id: 'u1' }, { key: 'another-key' }));
    expect(res.body.user).toBeNull();
  });

  it('treats an alg:none JWT as signed out', async () => {
    const token = jwt.sign({ id: 'u1', email: 'a@b.co' }, '', { algorithm: 'none' });
    const cookie = `session=${Buffer.from(JSON.stringify({ jwt: token })).toString('base64')}`;
    const res = await request(app).get('/api/who').set('Cookie', cookie);
    expect(res.body.user).toBeNull();
  });

  it('treats a tampered cookie as signed out', async () => {
    const good = signinCookie({ id: 'u1', email: 'a@b.co' });
    const payload = JSON.parse(Buffer.from(good.split('=')[1], 'base64').toString());
    const [h, , s] = payload.jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ id: 'admin', email: 'x@y.z', exp: 9999999999 })).toString('base64url');
    const cookie = `session=${Buffer.from(JSON.stringify({ jwt: `${h}.${forged}.${s}` })).toString('base64')}`;
    expect((await request(app).get('/api/who').set('Cookie', cookie)).body.user).toBeNull();
    expect((await request(app).get('/api/who').set('Cookie', 'session=%%%garbage')).status).toBe(200);
  });

  it('sets httpOnly, sameSite=lax cookies, secure only over HTTPS', async () => {
    const plain = await request(app).post('/api/session');
    const cookie = plain.headers['set-cookie'][0];
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).not.toMatch(/;\s*secure/i);
    const https = await request(app).post('/api/session').set('X-Forwarded-Proto', 'https');
    expect(https.headers['set-cookie'][0]).toMatch(/;\s*secure/i);
  });
});

describe('Express 5 without express-async-errors', () => {
  it('still routes async errors (sanity check of the premise)', async () => {
    const app = express();
    app.get('/', async () => {
      throw new ConflictError('async');
    });
    app.use(((err: ConflictError, _req, res, _next) => {
      res.status(err.statusCode).end();
    }) as express.ErrorRequestHandler);
    expect((await request(app).get('/')).status).toBe(409);
  });
});
