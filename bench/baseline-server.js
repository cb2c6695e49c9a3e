#!/usr/bin/env node
'use strict';
/*
 * The raw baseline: the minimum work of one checkout, in one bare Node process without the
 * framework (no Express, no mongoose, no zod, no outbox relay, no auth):
 *   POST /orders   {items:[{productId, quantity}]}  one conditional update of the product
 *                  (units held) + one insert of the order                                   → 201 {id}
 *   POST /payments {orderId}                         read the order, insert the payment, update
 *                  the order to complete, one JetStream publish (awaited ack)              → 201 {id}
 *   a pull consumer in the same process consumes each payment event (updates the product: sold) and acks.
 * Env: PORT, MONGO_URL (with database), NATS_URL, BASELINE_LOCKS=1 to take the same per-document
 * lock (insert + delete in _locks) around each update of an existing document that
 * @jetmart/common takes on FerretDB.
 */
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { MongoClient, ObjectId } = require('mongodb');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');

const LOCKS = process.env.BASELINE_LOCKS === '1';

async function main() {
  // The same counts as the services' /metrics (bench/lib/cost.js reads both the same way).
  const mongo = await MongoClient.connect(process.env.MONGO_URL, { monitorCommands: true });
  const counts = new Map();
  const count = (line) => counts.set(line, (counts.get(line) || 0) + 1);
  mongo.on('commandStarted', (e) => {
    const c = e.commandName === 'getMore' ? e.command.collection : e.command[e.commandName];
    const collection = typeof c === 'string' ? c : '';
    const kind = !collection ? 'none' : collection === '_locks' ? 'lock' : 'data';
    count(`jetmart_db_commands_total{command="${e.commandName}",collection="${collection}",collection_kind="${kind}"}`);
  });
  const db = mongo.db();
  const products = db.collection('products');
  const orders = db.collection('orders');
  const payments = db.collection('payments');
  const locks = db.collection('_locks');
  const nc = await connect({ servers: process.env.NATS_URL });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const stream = 'BENCHBASE';
  await jsm.streams.add({ name: stream, subjects: ['benchbase.>'] }).catch(() => undefined);
  await jsm.consumers
    .add(stream, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit, filter_subject: 'benchbase.payment.created' })
    .catch(() => undefined);
  let consumed = 0;

  const locked = async (col, id, fn) => {
    if (!LOCKS) return fn();
    const key = `${col}:${id}`;
    const owner = randomUUID();
    for (let i = 0; ; i++) {
      try {
        await locks.insertOne({ _id: key, owner, expiresAt: new Date(Date.now() + 15000) });
        break;
      } catch (err) {
        if (err.code !== 11000) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2 + i * 2, 25) * (0.5 + Math.random())));
      }
    }
    try {
      return await fn();
    } finally {
      await locks.deleteOne({ _id: key, owner });
    }
  };

  const consumer = await js.consumers.get(stream, 'baseline');
  const messages = await consumer.consume({ max_messages: 20 });
  (async () => {
    for await (const m of messages) {
      const ev = JSON.parse(m.string());
      for (const l of ev.items)
        await locked('products', l.productId, () => products.updateOne({ _id: l.productId }, { $inc: { sold: l.quantity } }));
      m.ack();
      count('jetmart_jetstream_acks_total{subject="benchbase.payment.created",kind="ack"}');
      count('jetmart_events_consumed_total{subject="benchbase.payment.created",outcome="ack"}');
      consumed++;
    }
  })().catch((err) => console.error(err));

  const send = (res, status, obj) => {
    const body = JSON.stringify(obj);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      try {
        if (req.method === 'POST' && req.url === '/products') {
          const { id, quantity } = JSON.parse(raw);
          await products.updateOne({ _id: id }, { $set: { available: quantity, sold: 0 } }, { upsert: true });
          return send(res, 201, { id });
        }
        if (req.method === 'POST' && req.url === '/orders') {
          const { items } = JSON.parse(raw);
          const orderId = new ObjectId();
          for (const l of items) {
            const r = await locked('products', l.productId, () =>
              products.updateOne({ _id: l.productId, available: { $gte: l.quantity } }, { $inc: { available: -l.quantity } }),
            );
            if (r.modifiedCount !== 1) return send(res, 409, { errors: [{ message: 'short' }] });
          }
          await orders.insertOne({ _id: orderId, status: 'created', items, createdAt: new Date() });
          return send(res, 201, { id: orderId.toHexString() });
        }
        if (req.method === 'POST' && req.url === '/payments') {
          const { orderId } = JSON.parse(raw);
          const order = await orders.findOne({ _id: new ObjectId(orderId) });
          if (!order) return send(res, 404, { errors: [{ message: 'not found' }] });
          const paymentId = new ObjectId();
          await payments.insertOne({ _id: paymentId, orderId, status: 'succeeded' });
          await locked('orders', orderId, () => orders.updateOne({ _id: order._id, status: 'created' }, { $set: { status: 'complete' } }));
          await js.publish('benchbase.payment.created', JSON.stringify({ id: paymentId.toHexString(), orderId, items: order.items }), {
            msgID: paymentId.toHexString(),
          });
          count('jetmart_events_published_total{subject="benchbase.payment.created"}');
          return send(res, 201, { id: paymentId.toHexString() });
        }
        if (req.url === '/stats') return send(res, 200, { consumed });
        if (req.url === '/metrics') {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          return res.end([...counts].map(([line, n]) => `${line} ${n}\n`).join(''));
        }
        send(res, 404, { errors: [{ message: 'not found' }] });
      } catch (err) {
        console.error(err);
        send(res, 500, { errors: [{ message: 'error' }] });
      }
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('baseline ready\n'));
  process.on('SIGTERM', async () => {
    server.close();
    await messages.close();
    await nc.drain();
    await mongo.close();
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
