import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidEventError, makeEvent, parseEvent, streamOf, Subjects } from '../..';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

const address = { name: 'Ada Buyer', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };
const ref = { id: 's1', orderId: 'o1', sellerId: 'seller1', buyerId: 'buyer1' };

describe('order events written before fulfilment', () => {
  it.each(['order.created.v1.json', 'order.completed.v1.json'])('%s still parses, without seller ids or an address', (name) => {
    const e = parseEvent(fixture(name));
    const data = e.data as { items: { sellerId?: string }[]; shippingAddress?: unknown };
    expect(data.items[0].sellerId).toBeUndefined();
    expect(data.shippingAddress).toBeUndefined();
  });
});

describe('order events with fulfilment fields', () => {
  it('carry seller ids, titles, prices and the address snapshot', () => {
    const e = makeEvent(Subjects.OrderCompleted, {
      id: 'o1',
      userId: 'buyer1',
      items: [{ productId: 'p1', quantity: 1, sellerId: 'seller1', title: 'Lamp', priceMinor: 1999 }],
      shippingAddress: address,
      version: 1,
    });
    expect(parseEvent(JSON.parse(JSON.stringify(e)), Subjects.OrderCompleted).data.items[0].sellerId).toBe('seller1');
  });

  it.each([
    ['a country that is not ISO 3166 alpha-2', { ...address, country: 'XX' }],
    ['a lower-case country', { ...address, country: 'de' }],
    ['an empty name', { ...address, name: '' }],
    ['a missing city', { ...address, city: undefined }],
  ])('reject an address with %s', (_why, bad) => {
    expect(() =>
      makeEvent(Subjects.OrderCompleted, {
        id: 'o1',
        userId: 'b',
        items: [{ productId: 'p', quantity: 1 }],
        shippingAddress: bad as never,
        version: 1,
      }),
    ).toThrow(InvalidEventError);
  });
});

describe('shipment events', () => {
  it('live in the SHIPMENTS stream; the delivery timer in EXPIRATION', () => {
    expect(streamOf(Subjects.ShipmentCreated)).toBe('SHIPMENTS');
    expect(streamOf(Subjects.ShipmentDeliveryDue)).toBe('EXPIRATION');
  });

  it('parse with their versions', () => {
    const now = new Date().toISOString();
    expect(makeEvent(Subjects.ShipmentCreated, { ...ref, items: [{ productId: 'p1', quantity: 2 }], version: 0 }).data.version).toBe(0);
    expect(
      makeEvent(Subjects.ShipmentShipped, {
        ...ref,
        carrier: 'DHL',
        trackingNumber: 'JD0001',
        shippedAt: now,
        autoDeliverAt: now,
        version: 1,
      }).data.carrier,
    ).toBe('DHL');
    expect(makeEvent(Subjects.ShipmentDelivered, { ...ref, deliveredAt: now, by: 'auto', version: 2 }).data.by).toBe('auto');
    expect(makeEvent(Subjects.ShipmentDeliveryDue, { shipmentId: 's1', version: 1 }).data.shipmentId).toBe('s1');
  });

  it.each([
    ['no lines', Subjects.ShipmentCreated, { ...ref, items: [], version: 0 }],
    [
      'an empty tracking number',
      Subjects.ShipmentShipped,
      {
        ...ref,
        carrier: 'DHL',
        trackingNumber: '',
        shippedAt: new Date().toISOString(),
        autoDeliverAt: new Date().toISOString(),
        version: 1,
      },
    ],
    ['an unknown deliverer', Subjects.ShipmentDelivered, { ...ref, deliveredAt: new Date().toISOString(), by: 'courier', version: 2 }],
  ])('reject %s', (_why, subject, data) => {
    expect(() => makeEvent(subject as typeof Subjects.ShipmentCreated, data as never)).toThrow(InvalidEventError);
  });
});
