import {
  SHIPMENT_LIMITS,
  type ApiErrorItem,
  type DeliveredBy,
  type FulfillmentStatus,
  type Order,
  type Shipment,
} from '@jetmart/common/contracts';

/** Where a paid order's goods are, as the buyer reads it. */
const FULFILLMENT_LABELS: Record<FulfillmentStatus, string> = {
  unfulfilled: 'Not shipped yet',
  partially_shipped: 'Partly shipped',
  shipped: 'Shipped',
  partially_delivered: 'Partly delivered',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

export function fulfillmentLabel(status: FulfillmentStatus | undefined): string | undefined {
  return status ? FULFILLMENT_LABELS[status] : undefined;
}

/**
 * The fulfilment status worth showing for an order: only a paid order has goods on their way (an
 * open order is "unfulfilled" by definition, a cancelled one says so already).
 */
export function shownFulfillment(order: Pick<Order, 'status' | 'fulfillment'>): FulfillmentStatus | undefined {
  return order.status === 'complete' && order.fulfillment ? order.fulfillment : undefined;
}

const DELIVERED_BY: Record<DeliveredBy, { buyer: string; seller: string }> = {
  buyer: { buyer: 'confirmed by you', seller: 'confirmed by the buyer' },
  seller: { buyer: 'marked delivered by the seller', seller: 'marked delivered by you' },
  auto: { buyer: 'delivered automatically after the delivery period', seller: 'delivered automatically after the delivery period' },
};

export function deliveredByText(by: DeliveredBy | undefined, reader: 'buyer' | 'seller'): string | undefined {
  return by ? DELIVERED_BY[by]?.[reader] : undefined;
}

export type TimelineStepKey = 'paid' | 'shipped' | 'delivered' | 'cancelled';

export interface TimelineStep {
  key: TimelineStepKey;
  label: string;
  /** When the step happened (ISO 8601); absent for a step not reached yet. */
  at?: string;
  done: boolean;
  /** The step the shipment is at now (the last one done). */
  current: boolean;
}

/**
 * A shipment's steps, paid → shipped → delivered. "Paid" is when the shipment was created, which
 * follows the order's payment by moments (the order records no payment time of its own). A part
 * cancelled before shipping ends at "Cancelled" instead.
 */
export function shipmentTimeline(
  shipment: Pick<Shipment, 'status' | 'createdAt' | 'shippedAt' | 'deliveredAt' | 'cancelledAt'>,
): TimelineStep[] {
  if (shipment.status === 'cancelled') {
    return [
      { key: 'paid', label: 'Paid', at: shipment.createdAt, done: true, current: false },
      { key: 'cancelled', label: 'Cancelled', at: shipment.cancelledAt, done: true, current: true },
    ];
  }
  const shipped = shipment.status === 'shipped' || shipment.status === 'delivered';
  const delivered = shipment.status === 'delivered';
  const steps: TimelineStep[] = [
    { key: 'paid', label: 'Paid', at: shipment.createdAt, done: true, current: false },
    { key: 'shipped', label: 'Shipped', at: shipped ? shipment.shippedAt : undefined, done: shipped, current: false },
    { key: 'delivered', label: 'Delivered', at: delivered ? shipment.deliveredAt : undefined, done: delivered, current: false },
  ];
  const last = steps.filter((s) => s.done).at(-1);
  if (last) last.current = true;
  return steps;
}

export const SHIPMENT_STATUS_LABELS: Record<Shipment['status'], string> = {
  pending: 'To ship',
  shipped: 'Shipped',
  delivered: 'Delivered',
  cancelled: 'Cancelled',
};

export const SHIP_FIELD_LABELS = { carrier: 'Carrier', trackingNumber: 'Tracking number' } as const;
export type ShipField = keyof typeof SHIP_FIELD_LABELS;

export type ParsedShipForm = { ok: true; body: { carrier: string; trackingNumber: string } } | { ok: false; errors: ApiErrorItem[] };

/** The "Mark shipped" form → the body of POST /api/shipments/:id/ship, or messages naming the field. */
export function parseShipForm(input: { carrier: string; trackingNumber: string }): ParsedShipForm {
  const carrier = input.carrier.trim();
  const trackingNumber = input.trackingNumber.trim();
  const errors: ApiErrorItem[] = [];
  const check = (field: ShipField, value: string, max: number) => {
    if (value === '') errors.push({ field, message: `${SHIP_FIELD_LABELS[field]} is required.` });
    else if (value.length > max)
      errors.push({ field, message: `${SHIP_FIELD_LABELS[field]} can have at most ${max} characters (it has ${value.length}).` });
  };
  check('carrier', carrier, SHIPMENT_LIMITS.maxCarrierLength);
  check('trackingNumber', trackingNumber, SHIPMENT_LIMITS.maxTrackingNumberLength);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, body: { carrier, trackingNumber } };
}

/** The API's "trackingNumber is required" → "Tracking number is required." (the form's label). */
export function labelShipErrors(errors: ApiErrorItem[]): ApiErrorItem[] {
  return errors.map((e) => {
    if (!e.field || !(e.field in SHIP_FIELD_LABELS)) return e;
    const label = SHIP_FIELD_LABELS[e.field as ShipField];
    const rest = e.message.startsWith(e.field) ? e.message.slice(e.field.length) : `: ${e.message}`;
    const message = `${label}${rest}`;
    return { ...e, message: /[.!?]$/.test(message) ? message : `${message}.` };
  });
}

/** "2 × Lamp, 1 × Mug" */
export function linesText(items: { title: string; quantity: number }[]): string {
  return items.map((i) => `${i.quantity} × ${i.title}`).join(', ');
}
