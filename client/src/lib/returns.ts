import {
  RETURN_LIMITS,
  RETURN_REASONS,
  type ApiErrorItem,
  type Order,
  type OrderPaymentStatus,
  type ReturnReason,
  type ReturnRecord,
  type ReturnStatus,
  type Shipment,
} from '@jetmart/common/contracts';
import { lineTotal } from './money';

/** Where an order's money is, as the buyer reads it. */
const PAYMENT_LABELS: Record<OrderPaymentStatus, string> = {
  unpaid: 'Not paid',
  paid: 'Paid',
  partially_refunded: 'Partially refunded',
  refunded: 'Refunded',
};

export function paymentLabel(status: OrderPaymentStatus | undefined): string | undefined {
  return status ? PAYMENT_LABELS[status] : undefined;
}

/**
 * The payment status worth showing as a badge beside the order's status: a paid order's money
 * (an open order is unpaid by definition), and a cancelled order's only when it was refunded.
 */
export function shownPayment(order: Pick<Order, 'status' | 'payment'>): OrderPaymentStatus | undefined {
  if (!order.payment || order.payment === 'unpaid' || order.status === 'created') return undefined;
  return order.payment;
}

export const RETURN_REASON_LABELS: Record<ReturnReason, string> = {
  damaged: 'Arrived damaged',
  wrong_item: 'Wrong item sent',
  not_as_described: 'Not as described',
  changed_mind: 'Changed my mind',
  other: 'Other reason',
};

/** The reason as a seller reads it (the buyer's "my mind" is theirs). */
export function returnReasonLabel(reason: ReturnReason | string, reader: 'buyer' | 'seller' = 'buyer'): string {
  if (reason === 'changed_mind' && reader === 'seller') return 'Buyer changed their mind';
  return (RETURN_REASON_LABELS as Record<string, string>)[reason] ?? reason;
}

export const RETURN_STATUS_LABELS: Record<ReturnStatus, string> = {
  requested: 'Requested',
  approved: 'Approved',
  rejected: 'Rejected',
  cancelled: 'Withdrawn',
  received: 'Received, refund on its way',
  refunded: 'Refunded',
};

export function returnStatusLabel(status: ReturnStatus | string): string {
  return (RETURN_STATUS_LABELS as Record<string, string>)[status] ?? status;
}

/** What happens next, in a sentence for the return's reader. */
export function returnStatusSentence(ret: Pick<ReturnRecord, 'status' | 'restock'>, reader: 'buyer' | 'seller'): string {
  switch (ret.status) {
    case 'requested':
      return reader === 'buyer' ? 'Waiting for the seller to approve the return.' : 'Approve or reject this request.';
    case 'approved':
      return reader === 'buyer'
        ? 'Approved: send the items back to the seller. The refund follows once they arrive.'
        : 'Approved: mark it received once the items are back.';
    case 'rejected':
      return reader === 'buyer' ? 'The seller rejected this return.' : 'You rejected this return.';
    case 'cancelled':
      return reader === 'buyer' ? 'You withdrew this request.' : 'The buyer withdrew this request.';
    case 'received':
      return reader === 'buyer' ? 'The seller received the items; the refund is on its way.' : 'Received; the buyer is being refunded.';
    case 'refunded':
      return reader === 'buyer'
        ? 'Refunded.'
        : ret.restock
          ? 'Refunded; the units are back on sale.'
          : 'Refunded; the units were not put back on sale.';
    default:
      return '';
  }
}

/** Returns that still hold units of their shipment (SPEC: requested, approved, received, refunded). */
const LIVE: ReadonlySet<ReturnStatus> = new Set(['requested', 'approved', 'received', 'refunded']);

export function isLiveReturn(ret: Pick<ReturnRecord, 'status'>): boolean {
  return LIVE.has(ret.status);
}

export type ReturnAction = 'withdraw' | 'approve' | 'reject' | 'receive';

/** The steps the reader may take on a return now (the API refuses the others with 409). */
export function returnActions(ret: Pick<ReturnRecord, 'status'>, reader: 'buyer' | 'seller'): ReturnAction[] {
  if (reader === 'buyer') return ret.status === 'requested' ? ['withdraw'] : [];
  if (ret.status === 'requested') return ['approve', 'reject'];
  if (ret.status === 'approved') return ['receive'];
  return [];
}

/** When a return is still moving on its own (events) and a page showing it should read it again. */
export function returnInProgress(ret: Pick<ReturnRecord, 'status'>): boolean {
  return ret.status === 'requested' || ret.status === 'approved' || ret.status === 'received';
}

/** What the buyer can do with one shipment of a paid order. */
export interface ShipmentActions {
  /** A pending part can be cancelled (POST /api/shipments/:id/cancel). */
  cancel: boolean;
  /** A delivered part within its return window can be returned (some units not yet in a live return). */
  requestReturn: boolean;
}

export function shipmentActions(
  shipment: Pick<Shipment, 'status' | 'returnableUntil' | 'items' | 'id'>,
  returns: Pick<ReturnRecord, 'shipmentId' | 'status' | 'items'>[],
  now: number,
): ShipmentActions {
  const cancel = shipment.status === 'pending';
  const until = shipment.returnableUntil ? Date.parse(shipment.returnableUntil) : NaN;
  const open = shipment.status === 'delivered' && Number.isFinite(until) && until > now;
  const requestReturn = open && returnableLines(shipment, returns).some((l) => l.returnable > 0);
  return { cancel, requestReturn };
}

export interface ReturnableLine {
  productId: string;
  title: string;
  price: number;
  /** Units bought in this shipment. */
  quantity: number;
  /** Units that can still be asked back: bought minus those in live returns of this shipment. */
  returnable: number;
}

export function returnableLines(
  shipment: Pick<Shipment, 'id' | 'items'>,
  returns: Pick<ReturnRecord, 'shipmentId' | 'status' | 'items'>[],
): ReturnableLine[] {
  const held = new Map<string, number>();
  for (const r of returns) {
    if (r.shipmentId !== shipment.id || !isLiveReturn(r)) continue;
    for (const i of r.items) held.set(i.productId, (held.get(i.productId) ?? 0) + i.quantity);
  }
  return shipment.items.map((i) => ({ ...i, returnable: Math.max(0, i.quantity - (held.get(i.productId) ?? 0)) }));
}

/** The pending parts a paid order's "Cancel order" cancels. */
export function cancellableParts<S extends Pick<Shipment, 'status'>>(shipments: S[] | null | undefined): S[] {
  return (shipments ?? []).filter((s) => s.status === 'pending');
}

/**
 * Refunds the order should come to once the events settle: cancelled parts and received returns.
 * While the order's `refunded` is below it, the order page keeps reading the order.
 */
export function expectedRefund(
  shipments: Pick<Shipment, 'status' | 'items'>[] | null | undefined,
  returns: Pick<ReturnRecord, 'status' | 'amount'>[] | null | undefined,
): number {
  const cents = (n: number) => Math.round(n * 100);
  let total = 0;
  for (const s of shipments ?? []) if (s.status === 'cancelled') total += cents(lineTotal(s.items));
  for (const r of returns ?? []) if (r.status === 'received' || r.status === 'refunded') total += cents(r.amount);
  return total / 100;
}

export const RETURN_FIELD_LABELS = { items: 'Items', reason: 'Reason', note: 'Note', message: 'Message', restock: 'Back on sale' } as const;

export type ReturnRequestBody = { items: { productId: string; quantity: number }[]; reason: ReturnReason; note?: string };
export type ParsedReturnForm = { ok: true; body: ReturnRequestBody } | { ok: false; errors: ApiErrorItem[] };

/**
 * The return form → the body of POST /api/orders/:id/returns, or messages naming the field:
 * `items` (nothing chosen), `items.<productId>` (a quantity out of range), `reason`, `note`.
 */
export function parseReturnForm(
  input: { quantities: Record<string, string>; reason: string; note: string },
  lines: ReturnableLine[],
): ParsedReturnForm {
  const errors: ApiErrorItem[] = [];
  const items: { productId: string; quantity: number }[] = [];
  for (const line of lines) {
    const raw = (input.quantities[line.productId] ?? '').trim();
    if (raw === '' || raw === '0') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      errors.push({ field: `items.${line.productId}`, message: `Enter a whole number of ${line.title} to return.` });
    } else if (n > line.returnable) {
      errors.push({
        field: `items.${line.productId}`,
        message:
          line.returnable === 0
            ? `No more units of ${line.title} can be returned.`
            : `You can return at most ${line.returnable} of ${line.title}.`,
      });
    } else if (n > 0) items.push({ productId: line.productId, quantity: n });
  }
  if (items.length === 0 && errors.length === 0) errors.push({ field: 'items', message: 'Choose at least one item to return.' });
  const reason = input.reason;
  if (!(RETURN_REASONS as readonly string[]).includes(reason)) errors.push({ field: 'reason', message: 'Choose a reason.' });
  const note = input.note.trim();
  if (note.length > RETURN_LIMITS.maxNoteLength)
    errors.push({ field: 'note', message: `Note can have at most ${RETURN_LIMITS.maxNoteLength} characters (it has ${note.length}).` });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, body: { items, reason: reason as ReturnReason, ...(note ? { note } : {}) } };
}

/**
 * The API names a line by its index in the body (`items.1.quantity`); the form shows messages by
 * product, so `items.<index>…` becomes `items.<productId>`. Other fields pass through.
 */
export function mapReturnItemErrors(errors: ApiErrorItem[], sent: { productId: string }[]): ApiErrorItem[] {
  return errors.map((e) => {
    const m = e.field ? /^items[.[](\d+)\]?(?:\..*)?$/.exec(e.field) : null;
    if (!m) return e;
    const line = sent[Number(m[1])];
    return line ? { ...e, field: `items.${line.productId}` } : { ...e, field: 'items' };
  });
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * The API's messages in the form's words: "reason must be one of …" → "Reason must be one of …."
 * (the field's label), and a line's message (`items.<productId>`, see mapReturnItemErrors) starts
 * with the product's title, since the line is named by it.
 */
export function labelReturnErrors(errors: ApiErrorItem[], lines: { productId: string; title: string }[] = []): ApiErrorItem[] {
  return errors.map((e) => {
    if (!e.field) return e;
    if (e.field.startsWith('items.')) {
      const line = lines.find((l) => e.field === `items.${l.productId}`);
      return line && !e.message.includes(line.title) ? { ...e, message: sentence(`${line.title}: ${e.message}`) } : e;
    }
    if (!(e.field in RETURN_FIELD_LABELS)) return e;
    const label = RETURN_FIELD_LABELS[e.field as keyof typeof RETURN_FIELD_LABELS];
    const message = e.message.startsWith(e.field)
      ? `${label}${e.message.slice(e.field.length)}`
      : e.message.charAt(0).toUpperCase() + e.message.slice(1);
    return { ...e, message: sentence(message) };
  });
}

export type ParsedReject = { ok: true; body: { message: string } } | { ok: false; errors: ApiErrorItem[] };

/** The seller's rejection: a message is required, so the buyer learns why. */
export function parseRejectForm(input: { message: string }): ParsedReject {
  const message = input.message.trim();
  if (message === '') return { ok: false, errors: [{ field: 'message', message: 'Tell the buyer why the return is rejected.' }] };
  if (message.length > RETURN_LIMITS.maxMessageLength)
    return {
      ok: false,
      errors: [
        { field: 'message', message: `Message can have at most ${RETURN_LIMITS.maxMessageLength} characters (it has ${message.length}).` },
      ],
    };
  return { ok: true, body: { message } };
}

export type ParsedReceive = { ok: true; body: { restock: boolean } } | { ok: false; errors: ApiErrorItem[] };

/** "Mark received": the seller says whether the units go back on sale; there is no default. */
export function parseReceiveForm(input: { restock: string | null }): ParsedReceive {
  if (input.restock === 'yes') return { ok: true, body: { restock: true } };
  if (input.restock === 'no') return { ok: true, body: { restock: false } };
  return { ok: false, errors: [{ field: 'restock', message: 'Choose whether the units go back on sale.' }] };
}
