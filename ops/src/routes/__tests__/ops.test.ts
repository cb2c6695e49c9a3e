/**
 * The ops routes against a real nats-server: a real listener dead-letters what it cannot handle,
 * and the API lists, and replays, what is in DEADLETTER; the status reads /varz, the JetStream
 * API and real /readyz endpoints.
 */
import request from 'supertest';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { DeadLetterHeaders, makeEvent, Streams, Subjects } from '@jetmart/common';
import { eventually, readStream } from '@jetmart/common/testing';
import type { OpsDeadLetterPage, OpsStatus } from '@jetmart/common/contracts';
import { REPLAYED_FROM_HEADER } from '../../dead-letters';
import { adminCookie, closedPort, DURABLE, readyzServer, shopperCookie, useOps } from '../../__tests__/fixtures';

const ops = useOps('ops-routes');

const product = (title: string) =>
  makeEvent(Subjects.ProductCreated, { id: 'p1', title, priceMinor: 100, quantity: 1, userId: 'seller', version: 0 });
const productsStream = async () => readStream(ops.bus, Streams.products.name);

describe('who may use /api/ops', () => {
  const routes = [
    () => request(ops.app()).get('/api/ops/status'),
    () => request(ops.app()).get('/api/ops/deadletters'),
    () => request(ops.app()).post('/api/ops/deadletters/1/replay').send({}),
  ];

  it('signed out: 401; signed in but not in ADMIN_EMAILS: 403; an admin (any case): not refused', async () => {
    for (const route of routes) {
      const out = await route();
      expect([out.status, out.body]).toEqual([401, { errors: [{ message: 'Not signed in' }] }]);
      const shopper = await route().set('Cookie', shopperCookie());
      expect([shopper.status, shopper.body]).toEqual([403, { errors: [{ message: 'Admins only' }] }]);
      const admin = await route().set('Cookie', adminCookie());
      expect([401, 403]).not.toContain(admin.status);
    }
  });

  it('nobody is an admin when ADMIN_EMAILS is unset', async () => {
    const res = await request(ops.app({ ADMIN_EMAILS: undefined }))
      .get('/api/ops/status')
      .set('Cookie', adminCookie());
    expect(res.status).toBe(403);
  });
});

describe('GET /api/ops/status', () => {
  it('the NATS server, every stream with its consumers, and each service: ready, not ready, unreachable', async () => {
    await ops.listener();
    const ready = await readyzServer(200);
    const notReady = await readyzServer(503);
    const port = await closedPort();
    try {
      const app = ops.app({
        OPS_SERVICE_URLS: [
          { name: 'auth', url: ready.url },
          { name: 'orders', url: notReady.url },
          { name: 'payments', url: `http://127.0.0.1:${port}` },
        ],
      });
      const res = await request(app).get('/api/ops/status').set('Cookie', adminCookie());
      expect(res.status).toBe(200);
      const status = res.body as OpsStatus;
      expect(status.server.ok && status.server.data.version).toMatch(/^2\.\d+\.\d+/);
      expect(status.server.ok && status.server.data.connections).toBeGreaterThanOrEqual(1);
      if (!status.streams.ok) throw new Error(status.streams.error);
      expect(status.streams.data.map((s) => s.name)).toEqual([
        'DEADLETTER',
        'EXPIRATION',
        'ORDERS',
        'PAYMENTS',
        'PRODUCTS',
        'RETURNS',
        'SHIPMENTS',
        'USERS',
      ]);
      const products = status.streams.data.find((s) => s.name === 'PRODUCTS')!;
      expect(products.subjects).toEqual(['product.>']);
      expect(products.consumers.map((c) => c.name)).toEqual([DURABLE]);
      expect(status.services).toEqual([
        { name: 'auth', url: `${ready.url}/readyz`, ready: true, detail: 'HTTP 200' },
        { name: 'orders', url: `${notReady.url}/readyz`, ready: false, detail: 'HTTP 503' },
        { name: 'payments', url: `http://127.0.0.1:${port}/readyz`, ready: false, detail: expect.any(String) },
      ]);
    } finally {
      await ready.close();
      await notReady.close();
    }
  });

  it('counts what the streams hold', async () => {
    await ops.bus.publish(product('one'));
    await ops.bus.publish(product('two'));
    const res = await request(ops.app()).get('/api/ops/status').set('Cookie', adminCookie());
    const { streams } = res.body as OpsStatus;
    expect(streams.ok && streams.data.find((s) => s.name === 'PRODUCTS')).toMatchObject({ messages: 2, lastSeq: 2 });
  });

  it('NATS monitoring unreachable: the server part says why, the streams and services are still there', async () => {
    const port = await closedPort();
    const res = await request(ops.app({ NATS_MONITOR_URL: `http://127.0.0.1:${port}` }))
      .get('/api/ops/status')
      .set('Cookie', adminCookie());
    expect(res.status).toBe(200);
    expect(res.body.server).toEqual({ ok: false, error: expect.any(String) });
    expect(res.body.streams.ok).toBe(true);
    const unset = await request(ops.app({ NATS_MONITOR_URL: undefined }))
      .get('/api/ops/status')
      .set('Cookie', adminCookie());
    expect(unset.body.server).toEqual({ ok: false, error: 'NATS_MONITOR_URL is not set' });
  });
});

describe('GET /api/ops/deadletters', () => {
  it('what the listener dead-lettered, oldest first, with its headers spelled out and the payload previewed', async () => {
    const first = await ops.deadLetter('{"id":"not-an-event"}');
    const second = await ops.deadLetter(JSON.stringify(product('valid but failing')));
    const res = await request(ops.app()).get('/api/ops/deadletters').set('Cookie', adminCookie());
    expect(res.status).toBe(200);
    const page = res.body as OpsDeadLetterPage;
    expect(page.total).toBe(2);
    expect(page.messages.map((m) => m.seq)).toEqual([first, second]);
    expect(page.messages[0]).toEqual({
      seq: first,
      subject: `deadletter.${DURABLE}`,
      originalSubject: 'product.created',
      consumer: DURABLE,
      error: expect.stringContaining('invalid event'),
      deliveries: 1,
      time: expect.any(String),
      payload: '{"id":"not-an-event"}',
      payloadBytes: 21,
    });
    expect(page.messages[1]).toMatchObject({ error: 'the handler is failing on purpose', deliveries: 3 });
  });

  it('limit: the oldest n, the total still counts all; replayed (deleted) messages leave no holes in the page', async () => {
    const seqs = [];
    for (let i = 0; i < 4; i++) seqs.push(await ops.deadLetter(`{"n":${i}}`));
    const two = await request(ops.app()).get('/api/ops/deadletters?limit=2').set('Cookie', adminCookie());
    expect([two.body.total, two.body.messages.map((m: { seq: number }) => m.seq)]).toEqual([4, seqs.slice(0, 2)]);
    await ops.bus.jsm.streams.deleteMessage(Streams.deadLetter.name, seqs[0]);
    await ops.bus.jsm.streams.deleteMessage(Streams.deadLetter.name, seqs[2]);
    const rest = await request(ops.app()).get('/api/ops/deadletters?limit=2').set('Cookie', adminCookie());
    expect([rest.body.total, rest.body.messages.map((m: { seq: number }) => m.seq)]).toEqual([2, [seqs[1], seqs[3]]]);
  });

  it('a long payload is cut to the preview; its size is given', async () => {
    const long = JSON.stringify({ title: 'é'.repeat(5000) });
    await ops.deadLetter(long);
    const [m] = (await request(ops.app()).get('/api/ops/deadletters').set('Cookie', adminCookie())).body.messages;
    expect(m.payload).toBe(long.slice(0, 2000));
    expect(m.payloadBytes).toBe(Buffer.byteLength(long));
  });

  it('an empty DEADLETTER: total 0, no messages', async () => {
    const res = await request(ops.app()).get('/api/ops/deadletters').set('Cookie', adminCookie());
    expect(res.body).toEqual({ total: 0, messages: [] });
  });

  it.each(['0', '-1', '501', '1.5', 'ten', '', '01', '1e2'])('limit=%s: 400 naming the field', async (limit) => {
    const res = await request(ops.app()).get(`/api/ops/deadletters?limit=${limit}`).set('Cookie', adminCookie());
    expect([res.status, res.body.errors[0].field]).toEqual([400, 'limit']);
  });

  it('limit given twice: 400', async () => {
    const res = await request(ops.app()).get('/api/ops/deadletters?limit=1&limit=2').set('Cookie', adminCookie());
    expect(res.status).toBe(400);
  });
});

describe('POST /api/ops/deadletters/:seq/replay', () => {
  const replay = (seq: number | string) =>
    request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`).set('Cookie', adminCookie()).send({});

  it('republishes the payload unchanged to its original subject, deletes it from DEADLETTER, and the consumer gets it again', async () => {
    const listener = await ops.listener();
    const event = product('failed once');
    const seq = await ops.deadLetter(JSON.stringify(event));
    const before = await productsStream();
    listener.failing = false;

    const res = await replay(seq);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ subject: 'product.created', stream: 'PRODUCTS', seq: before.at(-1)!.seq + 1, duplicate: false });
    const copy = (await productsStream()).at(-1)!;
    expect(copy.seq).toBe(res.body.seq);
    expect(JSON.parse(copy.string())).toEqual(event);
    expect(copy.header.get(REPLAYED_FROM_HEADER)).toBe(`DEADLETTER/${seq}`);
    expect(await ops.bus.jsm.streams.getMessage(Streams.deadLetter.name, { seq })).toBeNull();
    await eventually(() => listener.handled.length === 1);
    expect(listener.handled[0].title).toBe('failed once');

    const again = await replay(seq);
    expect([again.status, again.body]).toEqual([404, { errors: [{ message: `No dead-lettered message ${seq}` }] }]);
  });

  it('a malformed payload replayed is dead-lettered again by the consumer (the replay reached it)', async () => {
    const seq = await ops.deadLetter('{"id":"not-an-event"}');
    expect((await replay(seq)).status).toBe(200);
    await eventually(async () =>
      (await readStream(ops.bus, Streams.deadLetter.name)).some((m) => m.seq > seq && m.string() === '{"id":"not-an-event"}'),
    );
  });

  it('two replays of the same message at once publish it once', async () => {
    const seq = await ops.deadLetter('{"twice":true}');
    const before = (await productsStream()).length;
    const answers = await Promise.all([replay(seq), replay(seq)]);
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([200]));
    for (const a of answers) expect([200, 404]).toContain(a.status);
    expect((await productsStream()).length).toBe(before + 1);
  });

  it('no original subject, or one that is no stream of an event: 409, the message stays', async () => {
    const publish = async (subject: string | undefined) => {
      const h = natsHeaders();
      if (subject !== undefined) h.set(DeadLetterHeaders.subject, subject);
      return (await ops.bus.js.publish('deadletter.someone', new TextEncoder().encode('{}'), { headers: h })).seq;
    };
    for (const subject of [
      undefined,
      '',
      'deadletter.x',
      'product.*',
      'product.>',
      'nowhere.at.all',
      'product..created',
      'product created',
    ]) {
      const seq = await publish(subject);
      const res = await replay(seq);
      expect({ subject, status: res.status }).toEqual({ subject, status: 409 });
      expect(await ops.bus.jsm.streams.getMessage(Streams.deadLetter.name, { seq })).not.toBeNull();
    }
  });

  it.each(['0', '-1', 'x', '1.5', '01', '99999999999999999'])('seq %s: 400 naming the field', async (seq) => {
    const res = await replay(seq);
    expect([res.status, res.body.errors[0].field]).toEqual([400, 'seq']);
  });

  it('not JSON (a form post): 415, nothing replayed', async () => {
    const seq = await ops.deadLetter('{"form":1}');
    const res = await request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`).set('Cookie', adminCookie()).type('form').send('a=1');
    expect(res.status).toBe(415);
    expect(await ops.bus.jsm.streams.getMessage(Streams.deadLetter.name, { seq })).not.toBeNull();
  });
});

describe('NATS down', () => {
  it('listing and replaying answer 503; the status still answers, saying what it cannot read; all recover', async () => {
    const seq = await ops.deadLetter('{"down":1}');
    await ops.nats.stop();
    try {
      const list = await request(ops.app()).get('/api/ops/deadletters').set('Cookie', adminCookie());
      expect(list.status).toBe(503);
      expect(list.body.errors[0].message).toMatch(/^NATS: /);
      expect((await request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`).set('Cookie', adminCookie()).send({})).status).toBe(503);
      const status = await request(ops.app()).get('/api/ops/status').set('Cookie', adminCookie());
      expect(status.status).toBe(200);
      expect([status.body.server.ok, status.body.streams.ok]).toEqual([false, false]);
    } finally {
      await ops.nats.restart();
    }
    await eventually(
      async () => (await request(ops.app()).get('/api/ops/deadletters').set('Cookie', adminCookie())).status === 200,
      20_000,
      250,
    );
  }, 90_000);
});
