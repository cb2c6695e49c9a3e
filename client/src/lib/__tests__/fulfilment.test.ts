import { SHIPMENT_LIMITS } from '@jetmart/common/contracts';
import { labelShipErrors, linesText, parseShipForm, shipmentTimeline, shownFulfillment } from '../fulfilment';

const created = '2026-03-04T10:00:00.000Z';
const shippedAt = '2026-03-05T09:00:00.000Z';
const deliveredAt = '2026-03-07T15:30:00.000Z';

describe('shipmentTimeline', () => {
  test('pending: paid is the current step, shipped and delivered are not reached', () => {
    expect(shipmentTimeline({ status: 'pending', createdAt: created })).toEqual([
      { key: 'paid', label: 'Paid', at: created, done: true, current: true },
      { key: 'shipped', label: 'Shipped', at: undefined, done: false, current: false },
      { key: 'delivered', label: 'Delivered', at: undefined, done: false, current: false },
    ]);
  });

  test('shipped: the shipping date, shipped is current', () => {
    const steps = shipmentTimeline({ status: 'shipped', createdAt: created, shippedAt });
    expect(steps.map((s) => [s.key, s.done, s.current, s.at])).toEqual([
      ['paid', true, false, created],
      ['shipped', true, true, shippedAt],
      ['delivered', false, false, undefined],
    ]);
  });

  test('delivered: every step done with its date, delivered is current', () => {
    const steps = shipmentTimeline({ status: 'delivered', createdAt: created, shippedAt, deliveredAt });
    expect(steps.every((s) => s.done)).toBe(true);
    expect(steps.filter((s) => s.current).map((s) => s.key)).toEqual(['delivered']);
    expect(steps.map((s) => s.at)).toEqual([created, shippedAt, deliveredAt]);
  });
});

describe('shownFulfillment', () => {
  test('only a paid order shows where its goods are', () => {
    expect(shownFulfillment({ status: 'complete', fulfillment: 'partially_shipped' })).toBe('partially_shipped');
    expect(shownFulfillment({ status: 'created', fulfillment: 'unfulfilled' })).toBeUndefined();
    expect(shownFulfillment({ status: 'cancelled', fulfillment: 'cancelled' })).toBeUndefined();
  });
});

describe('parseShipForm', () => {
  test('trims and accepts a carrier and tracking number', () => {
    expect(parseShipForm({ carrier: ' DHL ', trackingNumber: ' JD0146 ' })).toEqual({
      ok: true,
      body: { carrier: 'DHL', trackingNumber: 'JD0146' },
    });
  });

  test('names each missing or too long field', () => {
    expect(parseShipForm({ carrier: ' ', trackingNumber: '' })).toEqual({
      ok: false,
      errors: [
        { field: 'carrier', message: 'Carrier is required.' },
        { field: 'trackingNumber', message: 'Tracking number is required.' },
      ],
    });
    const long = parseShipForm({
      carrier: 'c'.repeat(SHIPMENT_LIMITS.maxCarrierLength + 1),
      trackingNumber: 't'.repeat(SHIPMENT_LIMITS.maxTrackingNumberLength),
    });
    expect(long.ok ? [] : long.errors.map((e) => e.field)).toEqual(['carrier']);
  });

  test("the API's messages are relabelled", () => {
    expect(
      labelShipErrors([{ field: 'trackingNumber', message: 'trackingNumber is required' }, { message: 'Shipment not found' }]),
    ).toEqual([{ field: 'trackingNumber', message: 'Tracking number is required.' }, { message: 'Shipment not found' }]);
  });
});

test('linesText', () => {
  expect(
    linesText([
      { title: 'Lamp', quantity: 2 },
      { title: 'Mug', quantity: 1 },
    ]),
  ).toBe('2 × Lamp, 1 × Mug');
});
