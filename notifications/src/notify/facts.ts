import { Subjects, type EventData } from '@jetmart/common';
import { formatMoney } from '../mail/format';
import type { Notice, NoticeLine } from './notice';

/**
 * Which facts an event tells whom: pure functions from an event's data to the notices it causes
 * (none, one, or one per seller). The events carry everything a message says, so nothing here
 * waits for another service.
 */
type Data<S extends keyof typeof Subjects> = EventData<(typeof Subjects)[S]>;

/** A short, readable reference to an order (its id's last 8 characters). */
export const orderRef = (orderId: string) => orderId.slice(-8).toUpperCase();

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const units = (lines: { quantity: number }[]) => lines.reduce((sum, l) => sum + l.quantity, 0);

export function orderConfirmed(d: Data<'OrderCreated'>): Notice[] {
  const lines: NoticeLine[] = d.items.map((i) => ({ title: i.title, quantity: i.quantity, priceMinor: i.priceMinor }));
  return [
    {
      userId: d.userId,
      kind: 'order.confirmed',
      subject: `Order ${orderRef(d.id)} confirmed`,
      paragraphs: [
        `We have your order of ${plural(units(lines), 'item')} for ${formatMoney(d.totalMinor)}. Please pay before ${new Date(d.expiresAt).toUTCString()} to keep it.`,
      ],
      lines,
      totalMinor: d.totalMinor,
      ...(d.shippingAddress ? { address: d.shippingAddress } : {}),
      link: `/orders/${d.id}`,
      action: 'View your order',
    },
  ];
}

export function paymentReceipt(d: Data<'PaymentCreated'>): Notice[] {
  return [
    {
      userId: d.userId,
      kind: 'payment.received',
      subject: `Payment received for order ${orderRef(d.orderId)}`,
      paragraphs: [`Thank you: we received your payment of ${formatMoney(d.amountMinor)}. Each seller will now ship their part.`],
      details: [
        ['Amount', formatMoney(d.amountMinor)],
        ['Payment', d.id],
      ],
      link: `/orders/${d.orderId}`,
      action: 'View your order',
    },
  ];
}

const CANCELLED: Record<Data<'OrderCancelled'>['reason'], { kind: string; subject: string; why: string }> = {
  buyer: { kind: 'order.cancelled', subject: 'cancelled', why: 'You cancelled this order.' },
  expired: { kind: 'order.expired', subject: 'expired', why: 'It was not paid in time, so the items went back on sale.' },
  unavailable: {
    kind: 'order.cancelled',
    subject: 'cancelled',
    why: 'A seller has fewer units left than were ordered, so we had to cancel it. You were not charged.',
  },
};

export function orderCancelled(d: Data<'OrderCancelled'>): Notice[] {
  const c = CANCELLED[d.reason];
  return [
    {
      userId: d.userId,
      kind: c.kind,
      subject: `Order ${orderRef(d.id)} ${c.subject}`,
      paragraphs: [`Your order ${orderRef(d.id)} was ${c.subject}. ${c.why}`],
      details: [['Reason', d.reason]],
      link: `/orders/${d.id}`,
      action: 'View the order',
    },
  ];
}

/** "You sold…": one notice per seller of a paid order, with that seller's lines and where to send them. */
export function salesMade(d: Data<'OrderCompleted'>): Notice[] {
  const bySeller = new Map<string, NoticeLine[]>();
  for (const item of d.items) {
    // Lines without a seller are from orders placed before fulfilment: nobody to tell.
    if (!item.sellerId) continue;
    const lines = bySeller.get(item.sellerId) ?? [];
    lines.push({
      title: item.title ?? item.productId,
      quantity: item.quantity,
      ...(item.priceMinor !== undefined ? { priceMinor: item.priceMinor } : {}),
    });
    bySeller.set(item.sellerId, lines);
  }
  return [...bySeller].map(([sellerId, lines]) => {
    const priced = lines.every((l) => l.priceMinor !== undefined);
    const total = priced ? lines.reduce((sum, l) => sum + l.priceMinor! * l.quantity, 0) : undefined;
    return {
      userId: sellerId,
      kind: 'sale.made',
      subject: `You sold ${plural(units(lines), 'item')} (order ${orderRef(d.id)})`,
      // The first paragraph is also the seller's stored in-app entry: it names no buyer, so a buyer
      // who deletes their account leaves nothing in their sellers' records (SPEC invariant 13). The
      // address is shown by the email's address block, which is sent, not stored.
      paragraphs: [
        `Order ${orderRef(d.id)} is paid. Please ship ${plural(units(lines), 'item')} to the buyer's address and mark the shipment shipped with its carrier and tracking number.`,
      ] as [string],
      lines,
      ...(total !== undefined ? { totalMinor: total } : {}),
      ...(d.shippingAddress ? { address: d.shippingAddress } : {}),
      link: '/sell/shipments',
      action: 'Go to your shipments',
    };
  });
}

export function shipmentShipped(d: Data<'ShipmentShipped'>): Notice[] {
  return [
    {
      userId: d.buyerId,
      kind: 'shipment.shipped',
      subject: `Your order ${orderRef(d.orderId)} has shipped`,
      paragraphs: [`A part of your order ${orderRef(d.orderId)} is on its way with ${d.carrier}, tracking number ${d.trackingNumber}.`],
      details: [
        ['Carrier', d.carrier],
        ['Tracking number', d.trackingNumber],
      ],
      link: `/orders/${d.orderId}`,
      action: 'Follow your order',
    },
  ];
}

export function shipmentDelivered(d: Data<'ShipmentDelivered'>): Notice[] {
  const until = d.returnableUntil ? ` You can return it until ${new Date(d.returnableUntil).toUTCString()}.` : '';
  return [
    {
      userId: d.buyerId,
      kind: 'shipment.delivered',
      subject: `Your order ${orderRef(d.orderId)} was delivered`,
      paragraphs: [`A part of your order ${orderRef(d.orderId)} was delivered.${until}`],
      link: `/orders/${d.orderId}`,
      action: 'View your order',
    },
  ];
}

const RETURN_REASON_TEXT: Record<Data<'ReturnRequested'>['reason'], string> = {
  damaged: 'damaged',
  wrong_item: 'wrong item',
  not_as_described: 'not as described',
  changed_mind: 'changed their mind',
  other: 'other',
};

export function returnRequested(d: Data<'ReturnRequested'>): Notice[] {
  const lines: NoticeLine[] = d.items.map((i) => ({ title: `Product ${i.productId}`, quantity: i.quantity, priceMinor: i.priceMinor }));
  return [
    {
      userId: d.sellerId,
      kind: 'return.requested',
      subject: `Return requested for order ${orderRef(d.orderId)}`,
      paragraphs: [
        `The buyer of order ${orderRef(d.orderId)} asks to return ${plural(units(lines), 'item')}. Please approve or reject the request.`,
        ...(d.note ? [`Their note: ${d.note}`] : []),
      ],
      details: [['Reason', RETURN_REASON_TEXT[d.reason]]],
      lines,
      link: '/sell/returns',
      action: 'Review the return',
    },
  ];
}

export function returnApproved(d: Data<'ReturnApproved'>): Notice[] {
  return [
    {
      userId: d.buyerId,
      kind: 'return.approved',
      subject: `Your return for order ${orderRef(d.orderId)} was approved`,
      paragraphs: [`The seller approved your return. Please send the items back; you are refunded once they arrive.`],
      link: '/returns',
      action: 'View your returns',
    },
  ];
}

export function returnRejected(d: Data<'ReturnRejected'>): Notice[] {
  return [
    {
      userId: d.buyerId,
      kind: 'return.rejected',
      subject: `Your return for order ${orderRef(d.orderId)} was declined`,
      paragraphs: [`The seller declined your return.`, `Their message: ${d.message}`],
      link: '/returns',
      action: 'View your returns',
    },
  ];
}

export function returnRefunded(d: Data<'ReturnRefunded'>): Notice[] {
  return [
    {
      userId: d.buyerId,
      kind: 'return.refunded',
      subject: `Refund of ${formatMoney(d.amountMinor)} for your return (order ${orderRef(d.orderId)})`,
      paragraphs: [`The seller received your return and ${formatMoney(d.amountMinor)} is on its way back to your card.`],
      details: [['Refunded', formatMoney(d.amountMinor)]],
      link: '/returns',
      action: 'View your returns',
    },
  ];
}

/** A payout left for the seller's connected account (payments' Stripe transfer). */
export function payoutSent(d: Data<'PayoutSent'>): Notice[] {
  return [
    {
      userId: d.sellerId,
      kind: 'payout.sent',
      subject: `Payout of ${formatMoney(d.amountMinor)} sent`,
      paragraphs: [`We sent ${formatMoney(d.amountMinor)} to your payout account. It usually arrives within a few business days.`],
      details: [
        ['Amount', formatMoney(d.amountMinor)],
        ['Transfer', d.transferId],
      ],
      link: '/sell/payouts',
      action: 'View your payouts',
    },
  ];
}

/**
 * A refund of a cancelled order or a cancelled part. A return's refund is told by return.refunded
 * (with the return's context), so payment.refunded for a return tells nothing more.
 */
export function paymentRefunded(d: Data<'PaymentRefunded'>): Notice[] {
  if (d.reason === 'return') return [];
  const what = d.reason === 'order-cancelled' ? 'your cancelled order' : 'the cancelled part of your order';
  return [
    {
      userId: d.userId,
      kind: 'payment.refunded',
      subject: `Refund of ${formatMoney(d.amountMinor)} for order ${orderRef(d.orderId)}`,
      paragraphs: [`${formatMoney(d.amountMinor)} for ${what} is on its way back to your card.`],
      details: [['Refunded', formatMoney(d.amountMinor)]],
      link: `/orders/${d.orderId}`,
      action: 'View the order',
    },
  ];
}

const until = (iso: string) => new Date(iso).toUTCString();

/**
 * The account mails (auth's outbox): to the address in the event, with the single-use link. A link
 * that has already expired (the event waited longer than its lifetime) is not worth a mail: the
 * person asks again. `now` is the moment of delivery.
 */
export function passwordResetMail(d: Data<'UserPasswordResetRequested'>, now: number = Date.now()): Notice[] {
  if (Date.parse(d.expiresAt) <= now) return [];
  return [
    {
      userId: d.userId,
      kind: 'account.password-reset',
      subject: 'Reset your password',
      paragraphs: [
        `Someone asked to reset the password of your account (${d.email}). The link below sets a new one; it works once, until ${until(d.expiresAt)}.`,
        'If it was not you, ignore this email: your password stays as it is.',
      ],
      link: '/reset-password',
      action: 'Choose a new password',
      direct: { to: d.email, secretLink: `/reset-password?token=${encodeURIComponent(d.token)}` },
    },
  ];
}

export function verificationMail(d: Data<'UserVerificationRequested'>, now: number = Date.now()): Notice[] {
  if (Date.parse(d.expiresAt) <= now) return [];
  return [
    {
      userId: d.userId,
      kind: 'account.verify-email',
      subject: 'Confirm your email address',
      paragraphs: [
        `Please confirm that ${d.email} is your address. The link below works once, until ${until(d.expiresAt)}; until then you can buy and sell, but not receive payouts.`,
        'If you did not create an account, ignore this email.',
      ],
      link: '/verify-email',
      action: 'Confirm my address',
      direct: { to: d.email, secretLink: `/verify-email?token=${encodeURIComponent(d.token)}` },
    },
  ];
}
