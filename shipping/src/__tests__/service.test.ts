import mongoose from 'mongoose';
import request from 'supertest';
import { createLogger, makeEvent, startService, Streams, Subjects, type RunningService } from '@jetmart/common';
import { eventually, readStream, signinCookie, startNats, testDatabaseUrl, type NatsTestServer } from '@jetmart/common/testing';
import { buildApp } from '../app';
import { shippingListeners } from '../events/listeners';
import { shippingModels, type ShippingModels } from '../models';
import { APP_OPTIONS, oid, orderCompleted } from './support/fixtures';

// The service as index.ts wires it (listeners, outbox relay, HTTP): a paid order arrives as an
// event, its seller ships it over HTTP, the buyer confirms it, and the events reach JetStream.
describe('shipping service', () => {
  let nats: NatsTestServer;
  let service: RunningService<ShippingModels>;

  beforeAll(async () => {
    nats = await startNats();
    service = await startService({
      name: 'shipping',
      port: 0,
      natsUrl: nats.url,
      mongoUrl: testDatabaseUrl('shipping_service'),
      logger: createLogger('shipping-test', { level: 'silent' }),
      models: (conn) => shippingModels(conn),
      outboxModels: (m) => [m.Shipment],
      listeners: (ctx) => shippingListeners(ctx.bus, { models: ctx.models, returnWindowMs: APP_OPTIONS.returnWindowMs }),
      app: (ctx) => buildApp(ctx, APP_OPTIONS),
    });
  }, 60_000);
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase().catch(() => undefined);
    await service?.stop();
    await nats?.destroy();
  });

  it('order.completed → a shipment per seller; shipped and delivered over HTTP; shipment.* events in the SHIPMENTS stream', async () => {
    const seller = oid();
    const order = orderCompleted([seller, oid()]);
    await service.ctx.bus.publish(makeEvent(Subjects.OrderCompleted, order));
    const cookie = signinCookie({ id: seller });
    const [mine] = await eventually(async () => {
      const r = await request(service.server).get('/api/shipments?status=pending').set('Cookie', cookie);
      return r.body.length ? r.body : undefined;
    });
    expect(mine).toMatchObject({ orderId: order.id, sellerId: seller, buyerId: order.userId, status: 'pending' });

    const shipped = await request(service.server)
      .post(`/api/shipments/${mine.id}/ship`)
      .set('Cookie', cookie)
      .send({ carrier: 'DHL', trackingNumber: 'T1' });
    expect(shipped.status).toBe(200);
    const delivered = await request(service.server)
      .post(`/api/shipments/${mine.id}/deliver`)
      .set('Cookie', signinCookie({ id: order.userId }));
    expect(delivered.body).toMatchObject({ status: 'delivered', deliveredBy: 'buyer', version: 2 });

    const streamed = async () =>
      (await readStream(service.ctx.bus, Streams.shipments.name)).map((m) =>
        m.json<{ subject: string; data: { id: string; version: number } }>(),
      );
    await eventually(async () => (await streamed()).length === 4, 15_000);
    const events = await streamed();
    expect(events.filter((e) => e.data.id === mine.id).map((e) => [e.subject, e.data.version])).toEqual([
      ['shipment.created', 0],
      ['shipment.shipped', 1],
      ['shipment.delivered', 2],
    ]);
    expect(events.filter((e) => e.subject === 'shipment.created')).toHaveLength(2);
  });
});
