import { InvalidEventError, makeEvent, parseEvent, streamOf, Subjects } from '../..';

const ref = { id: 'r1', orderId: 'o1', shipmentId: 's1', sellerId: 'seller1', buyerId: 'buyer1' };
const line = { productId: 'p1', quantity: 1, priceMinor: 1999 };
const roundTrip = <T>(e: T): unknown => JSON.parse(JSON.stringify(e));

describe('returns and refunds events', () => {
  it('live in their families’ streams: returns in RETURNS, refunds in PAYMENTS, the window timer in EXPIRATION', () => {
    expect(streamOf(Subjects.ReturnRequested)).toBe('RETURNS');
    expect(streamOf(Subjects.ReturnRefunded)).toBe('RETURNS');
    expect(streamOf(Subjects.PaymentRefunded)).toBe('PAYMENTS');
    expect(streamOf(Subjects.PaymentStarted)).toBe('PAYMENTS');
    expect(streamOf(Subjects.ShipmentCancelled)).toBe('SHIPMENTS');
    expect(streamOf(Subjects.ReturnWindowClosed)).toBe('EXPIRATION');
  });

  it('a return request round-trips with its lines, reason and note', () => {
    const e = makeEvent(Subjects.ReturnRequested, { ...ref, items: [line], reason: 'damaged', note: 'cracked', version: 0 });
    expect(parseEvent(roundTrip(e), Subjects.ReturnRequested).data).toEqual(e.data);
  });

  it('a received return says whether its units are restocked', () => {
    const e = makeEvent(Subjects.ReturnReceived, { ...ref, items: [line], amountMinor: 1999, restock: true, version: 2 });
    expect(parseEvent(roundTrip(e), Subjects.ReturnReceived).data.restock).toBe(true);
  });

  it('a shipment.delivered written before returns (no returnableUntil) still parses', () => {
    const data = { id: 's1', orderId: 'o1', sellerId: 'x', buyerId: 'y', deliveredAt: new Date().toISOString(), by: 'buyer', version: 2 };
    expect(parseEvent({ id: 'e1', subject: 'shipment.delivered', occurredAt: new Date().toISOString(), data }).data).toEqual(data);
  });

  it.each([
    [
      'a refund of nothing',
      Subjects.PaymentRefunded,
      { id: 'x', paymentId: 'p', orderId: 'o', userId: 'u', reason: 'return', sourceId: 'r', amountMinor: 0, items: [], version: 0 },
    ],
    [
      'a refund with an unknown reason',
      Subjects.PaymentRefunded,
      { id: 'x', paymentId: 'p', orderId: 'o', userId: 'u', reason: 'gift', sourceId: 'r', amountMinor: 5, items: [], version: 0 },
    ],
    ['a return of no lines', Subjects.ReturnRequested, { ...ref, items: [], reason: 'damaged', version: 0 }],
    ['a return with an unknown reason', Subjects.ReturnRequested, { ...ref, items: [line], reason: 'bored', version: 0 }],
    ['a return of zero units', Subjects.ReturnRequested, { ...ref, items: [{ ...line, quantity: 0 }], reason: 'other', version: 0 }],
    ['a rejection without a message', Subjects.ReturnRejected, { ...ref, message: '', version: 1 }],
    ['a received return without its restock choice', Subjects.ReturnReceived, { ...ref, items: [line], amountMinor: 1999, version: 2 }],
    [
      'a negative price',
      Subjects.ShipmentCancelled,
      {
        id: 's',
        orderId: 'o',
        sellerId: 'a',
        buyerId: 'b',
        items: [{ ...line, priceMinor: -1 }],
        amountMinor: 0,
        cancelledAt: new Date().toISOString(),
        version: 1,
      },
    ],
  ])('reject %s', (_why, subject, data) => {
    expect(() => makeEvent(subject, data as never)).toThrow(InvalidEventError);
  });
});
