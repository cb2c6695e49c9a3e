import fc from 'fast-check';
import type { FulfillmentStatus } from '@jetmart/common/contracts';
import type { OrderStatus, ShipmentReplicaStatus } from '../../models';
import { deriveFulfillment, type ShipmentState } from '../derive-fulfillment';

const paid = (...sellers: (string | undefined)[]) => ({
  status: 'complete' as OrderStatus,
  items: sellers.map((sellerId) => ({ sellerId })),
});
const ship = (sellerId: string, status: ShipmentReplicaStatus): ShipmentState => ({ sellerId, status });

describe('deriveFulfillment', () => {
  it.each<[string, OrderStatus]>([
    ['cancelled', 'cancelled'],
    ['unfulfilled', 'created'],
    ['unfulfilled', 'pending'],
    ['unfulfilled', 'failed'],
  ])('%s for an order that is %s, whatever its shipments say', (expected, status) => {
    expect(deriveFulfillment({ status, items: [{ sellerId: 'a' }] }, [ship('a', 'delivered')])).toBe(expected);
  });

  it.each<[FulfillmentStatus, ShipmentState[]]>([
    ['unfulfilled', []],
    ['unfulfilled', [ship('a', 'pending'), ship('b', 'pending')]],
    // b's shipment has not reached orders yet: its part counts as pending.
    ['partially_shipped', [ship('a', 'shipped')]],
    ['partially_shipped', [ship('a', 'shipped'), ship('b', 'pending')]],
    ['shipped', [ship('a', 'shipped'), ship('b', 'shipped')]],
    ['partially_delivered', [ship('a', 'delivered')]],
    ['partially_delivered', [ship('a', 'delivered'), ship('b', 'pending')]],
    ['partially_delivered', [ship('a', 'shipped'), ship('b', 'delivered')]],
    ['delivered', [ship('b', 'delivered'), ship('a', 'delivered')]],
  ])('%s for a paid order of sellers a and b with shipments %j', (expected, shipments) => {
    expect(deriveFulfillment(paid('a', 'b', 'a'), shipments)).toBe(expected);
  });

  it("ignores shipments of sellers not on the order; a seller's furthest shipment counts", () => {
    expect(deriveFulfillment(paid('a'), [ship('z', 'delivered')])).toBe('unfulfilled');
    expect(deriveFulfillment(paid('a'), [ship('a', 'pending'), ship('a', 'shipped')])).toBe('shipped');
  });

  it.each<[FulfillmentStatus, ShipmentState[]]>([
    // a's part was cancelled: b's part alone decides.
    ['unfulfilled', [ship('a', 'cancelled')]],
    ['unfulfilled', [ship('a', 'cancelled'), ship('b', 'pending')]],
    ['shipped', [ship('a', 'cancelled'), ship('b', 'shipped')]],
    ['delivered', [ship('a', 'cancelled'), ship('b', 'delivered')]],
    ['partially_delivered', [ship('a', 'delivered'), ship('b', 'shipped'), ship('b', 'cancelled')]],
    // every part cancelled: nothing will come.
    ['cancelled', [ship('a', 'cancelled'), ship('b', 'cancelled')]],
  ])('%s for a paid order of sellers a and b with cancelled parts %j', (expected, shipments) => {
    expect(deriveFulfillment(paid('a', 'b'), shipments)).toBe(expected);
  });

  it('a paid order of one seller whose part was cancelled is cancelled', () => {
    expect(deriveFulfillment(paid('a', 'a'), [ship('a', 'cancelled')])).toBe('cancelled');
    // a cancelled shipment of a seller not on the order changes nothing
    expect(deriveFulfillment(paid('a'), [ship('z', 'cancelled')])).toBe('unfulfilled');
  });

  it('a paid order placed before fulfilment (no sellers) has no parts and stays unfulfilled', () => {
    expect(deriveFulfillment(paid(undefined, undefined), [])).toBe('unfulfilled');
    expect(deriveFulfillment(paid(undefined), [ship('a', 'delivered')])).toBe('unfulfilled');
  });
});

// ---- properties against a straightforward reference

/** The brief's rule written out once more, as plainly as possible: one status per seller of the order. */
function reference(order: { status: OrderStatus; items: { sellerId?: string }[] }, shipments: ShipmentState[]): FulfillmentStatus {
  if (order.status === 'cancelled') return 'cancelled';
  if (order.status !== 'complete') return 'unfulfilled';
  const sellers = [...new Set(order.items.map((l) => l.sellerId).filter((s): s is string => !!s))];
  if (sellers.length === 0) return 'unfulfilled';
  const parts = sellers.filter((seller) => {
    const mine = shipments.filter((s) => s.sellerId === seller).map((s) => s.status);
    return !(mine.length > 0 && mine.every((s) => s === 'cancelled'));
  });
  if (parts.length === 0) return 'cancelled';
  const partStatus = parts.map((seller) => {
    const mine = shipments.filter((s) => s.sellerId === seller).map((s) => s.status);
    if (mine.includes('delivered')) return 'delivered';
    if (mine.includes('shipped')) return 'shipped';
    return 'pending';
  });
  const every = (...ok: string[]) => partStatus.every((s) => ok.includes(s));
  const some = (...ok: string[]) => partStatus.some((s) => ok.includes(s));
  if (every('delivered')) return 'delivered';
  if (some('delivered')) return 'partially_delivered';
  if (every('shipped', 'delivered')) return 'shipped';
  if (some('shipped')) return 'partially_shipped';
  return 'unfulfilled';
}

const seller = fc.constantFrom('s1', 's2', 's3', 's4');
const orderStatus = fc.constantFrom<OrderStatus>('pending', 'created', 'complete', 'complete', 'complete', 'cancelled', 'failed');
const shipmentStatus = fc.constantFrom<ShipmentReplicaStatus>('pending', 'shipped', 'delivered', 'cancelled');
const order = fc.record({
  status: orderStatus,
  items: fc.array(fc.record({ sellerId: fc.option(seller, { nil: undefined }) }), { minLength: 1, maxLength: 6 }),
});
const shipments = fc.array(fc.record({ sellerId: fc.oneof(seller, fc.constant('stranger')), status: shipmentStatus }), { maxLength: 8 });
const PROGRESS: FulfillmentStatus[] = ['unfulfilled', 'partially_shipped', 'shipped', 'partially_delivered', 'delivered'];
const STEP: Record<ShipmentReplicaStatus, ShipmentReplicaStatus> = {
  pending: 'shipped',
  shipped: 'delivered',
  delivered: 'delivered',
  cancelled: 'cancelled',
};

describe('deriveFulfillment properties', () => {
  it('equals the reference for any order and shipments', () => {
    fc.assert(
      fc.property(order, shipments, (o, s) => {
        expect(deriveFulfillment(o, s)).toBe(reference(o, s));
      }),
      { numRuns: 2000, seed: 1401 },
    );
  });

  it('does not depend on the order the shipments are listed in', () => {
    fc.assert(
      fc.property(
        order,
        shipments.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length }))),
        (o, [s, shuffled]) => {
          expect(deriveFulfillment(o, shuffled)).toBe(deriveFulfillment(o, s));
        },
      ),
      { numRuns: 500, seed: 1402 },
    );
  });

  it('a shipment moving forward never moves a paid order backward', () => {
    fc.assert(
      fc.property(order, shipments, fc.nat(), (o, s, pick) => {
        fc.pre(o.status === 'complete' && s.length > 0);
        const i = pick % s.length;
        const advanced = s.map((x, j) => (j === i ? { ...x, status: STEP[x.status] } : x));
        expect(PROGRESS.indexOf(deriveFulfillment(o, advanced))).toBeGreaterThanOrEqual(PROGRESS.indexOf(deriveFulfillment(o, s)));
      }),
      { numRuns: 1000, seed: 1403 },
    );
  });
});
