/**
 * Every documented response of the ops API, produced by real requests against a real nats-server
 * (stopped for the 503s) and checked against src/openapi.ts; then nothing documented is left
 * unproduced.
 */
import request from 'supertest';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { DeadLetterHeaders } from '@jetmart/common';
import { OpenApiContract } from '@jetmart/common/testing';
import { opsApiDocument } from '../openapi';
import { adminCookie, closedPort, readyzServer, shopperCookie, useOps } from './fixtures';

const ops = useOps('ops-contract');
const contract = new OpenApiContract(opsApiDocument);
const as = (cookie: string | null, r: request.Test) => (cookie ? r.set('Cookie', cookie) : r);

it('GET /api/ops/status: 200 (every part read, and every part failing), 401, 403', async () => {
  await ops.listener();
  await ops.deadLetter('{"id":"not-an-event"}');
  const ready = await readyzServer(200);
  try {
    const app = ops.app({
      OPS_SERVICE_URLS: [
        { name: 'auth', url: ready.url },
        { name: 'orders', url: `http://127.0.0.1:${await closedPort()}` },
      ],
    });
    const ok = await contract.expect(as(adminCookie(), request(app).get('/api/ops/status')), 200);
    expect([ok.body.server.ok, ok.body.streams.ok]).toEqual([true, true]);
  } finally {
    await ready.close();
  }
  await contract.expect(request(ops.app()).get('/api/ops/status'), 401);
  await contract.expect(as(shopperCookie(), request(ops.app()).get('/api/ops/status')), 403);
});

it('GET /api/ops/deadletters: 200, 400, 401, 403', async () => {
  await ops.deadLetter('{"id":"not-an-event"}');
  const page = await contract.expect(as(adminCookie(), request(ops.app()).get('/api/ops/deadletters?limit=5')), 200);
  expect(page.body.messages).toHaveLength(1);
  await contract.expect(as(adminCookie(), request(ops.app()).get('/api/ops/deadletters?limit=0')), 400);
  await contract.expect(request(ops.app()).get('/api/ops/deadletters'), 401);
  await contract.expect(as(shopperCookie(), request(ops.app()).get('/api/ops/deadletters')), 403);
});

it('POST /api/ops/deadletters/{seq}/replay: 200, 400, 401, 403, 404, 409, 415', async () => {
  const replay = (seq: number | string, cookie: string | null = adminCookie()) =>
    as(cookie, request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`));
  const seq = await ops.deadLetter('{"id":"not-an-event"}');
  await contract.expect(replay(seq).send({}), 200);
  await contract.expect(replay(seq).send({}), 404);
  await contract.expect(replay('x').send({}), 400);
  await contract.expect(replay(seq).type('json').send('{"broken":'), 400);
  await contract.expect(replay(seq, null).send({}), 401);
  await contract.expect(replay(seq, shopperCookie()).send({}), 403);
  await contract.expect(replay(seq).type('text').send('replay'), 415);
  const h = natsHeaders();
  h.set(DeadLetterHeaders.subject, 'product.*');
  const orphan = (await ops.bus.js.publish('deadletter.someone', new TextEncoder().encode('{}'), { headers: h })).seq;
  await contract.expect(replay(orphan).send({}), 409);
});

it('503 while NATS is down, for the reads and the replay; and the status with every remote part failing', async () => {
  const seq = await ops.deadLetter('{"id":"not-an-event"}');
  await ops.nats.stop();
  try {
    await contract.expect(as(adminCookie(), request(ops.app()).get('/api/ops/deadletters')), 503);
    await contract.expect(as(adminCookie(), request(ops.app()).post(`/api/ops/deadletters/${seq}/replay`)).send({}), 503);
    const down = await contract.expect(as(adminCookie(), request(ops.app()).get('/api/ops/status')), 200);
    expect([down.body.server.ok, down.body.streams.ok]).toEqual([false, false]);
  } finally {
    await ops.nats.restart();
  }
}, 90_000);

it('every documented response was produced', () => {
  expect(contract.unexercised()).toEqual([]);
});
