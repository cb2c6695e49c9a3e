import { RETURN_LIMITS, RETURN_REASONS, type ReturnRecord, type Shipment } from '@jetmart/common/contracts';
import { shipmentTimeline } from '../fulfilment';
import {
  cancellableParts,
  expectedRefund,
  labelReturnErrors,
  mapReturnItemErrors,
  parseReceiveForm,
  parseRejectForm,
  parseReturnForm,
  paymentLabel,
  RETURN_REASON_LABELS,
  returnActions,
  returnableLines,
  returnInProgress,
  returnReasonLabel,
  returnStatusLabel,
  shipmentActions,
  shownPayment,
} from '../returns';

const now = Date.parse('2026-03-10T12:00:00.000Z');
const lamp = { productId: 'p-lamp', title: 'Lamp', price: 20, quantity: 2 };
const mug = { productId: 'p-mug', title: 'Mug', price: 4.5, quantity: 3 };
const shipment = (extra: Partial<Shipment> = {}): Pick<Shipment, 'id' | 'status' | 'returnableUntil' | 'items'> => ({
  id: 's1',
  status: 'delivered',
  returnableUntil: '2026-04-09T12:00:00.000Z',
  items: [lamp, mug],
  ...extra,
});
const ret = (status: ReturnRecord['status'], items: ReturnRecord['items'], extra: Partial<ReturnRecord> = {}) => ({
  shipmentId: 's1',
  status,
  items,
  amount: items.reduce((n, i) => n + i.price * i.quantity, 0),
  ...extra,
});

describe('payment labels', () => {
  test('every payment status reads as words', () => {
    expect(paymentLabel('paid')).toBe('Paid');
    expect(paymentLabel('partially_refunded')).toBe('Partially refunded');
    expect(paymentLabel('refunded')).toBe('Refunded');
    expect(paymentLabel(undefined)).toBeUndefined();
  });

  test('the badge is shown for a paid or refunded order, never for an open or unpaid one', () => {
    expect(shownPayment({ status: 'complete', payment: 'paid' })).toBe('paid');
    expect(shownPayment({ status: 'complete', payment: 'partially_refunded' })).toBe('partially_refunded');
    expect(shownPayment({ status: 'cancelled', payment: 'refunded' })).toBe('refunded');
    expect(shownPayment({ status: 'cancelled', payment: 'unpaid' })).toBeUndefined();
    expect(shownPayment({ status: 'created', payment: 'unpaid' })).toBeUndefined();
    // An older orders service without the field.
    expect(shownPayment({ status: 'complete' } as never)).toBeUndefined();
  });
});

describe('return labels', () => {
  test('every reason of the contract has a readable label, none is the raw code', () => {
    for (const r of RETURN_REASONS) {
      expect(RETURN_REASON_LABELS[r]).toMatch(/^[A-Z][a-z ]+$/);
      expect(returnReasonLabel(r)).not.toContain('_');
    }
    expect(returnReasonLabel('changed_mind', 'buyer')).toBe('Changed my mind');
    expect(returnReasonLabel('changed_mind', 'seller')).toBe('Buyer changed their mind');
  });

  test('a status or reason the storefront does not know yet is shown as it came', () => {
    expect(returnStatusLabel('lost')).toBe('lost');
    expect(returnReasonLabel('too_big')).toBe('too_big');
    expect(returnStatusLabel('cancelled')).toBe('Withdrawn');
  });
});

describe('returnActions', () => {
  test('the buyer may withdraw only a requested return', () => {
    expect(returnActions({ status: 'requested' }, 'buyer')).toEqual(['withdraw']);
    for (const status of ['approved', 'rejected', 'cancelled', 'received', 'refunded'] as const)
      expect(returnActions({ status }, 'buyer')).toEqual([]);
  });

  test('the seller approves or rejects a request, and marks an approved one received', () => {
    expect(returnActions({ status: 'requested' }, 'seller')).toEqual(['approve', 'reject']);
    expect(returnActions({ status: 'approved' }, 'seller')).toEqual(['receive']);
    for (const status of ['rejected', 'cancelled', 'received', 'refunded'] as const)
      expect(returnActions({ status }, 'seller')).toEqual([]);
  });

  test('requested, approved and received returns are still moving', () => {
    expect(
      ['requested', 'approved', 'received', 'refunded', 'rejected', 'cancelled'].map((s) => returnInProgress({ status: s as never })),
    ).toEqual([true, true, true, false, false, false]);
  });
});

describe('returnableLines', () => {
  test('units in live returns of the shipment are taken off; rejected, withdrawn and other shipments’ returns are not', () => {
    const returns = [
      ret('requested', [{ ...lamp, quantity: 1 }]),
      ret('refunded', [{ ...mug, quantity: 1 }]),
      ret('received', [{ ...mug, quantity: 1 }]),
      ret('rejected', [{ ...lamp, quantity: 1 }]),
      ret('cancelled', [{ ...mug, quantity: 1 }]),
      ret('approved', [{ ...lamp, quantity: 1 }], { shipmentId: 'other' }),
    ];
    expect(returnableLines(shipment(), returns).map((l) => [l.productId, l.quantity, l.returnable])).toEqual([
      ['p-lamp', 2, 1],
      ['p-mug', 3, 1],
    ]);
  });

  test('never below zero', () => {
    const returns = [ret('approved', [{ ...lamp, quantity: 2 }]), ret('requested', [{ ...lamp, quantity: 1 }])];
    expect(returnableLines(shipment(), returns)[0].returnable).toBe(0);
  });
});

describe('shipmentActions', () => {
  test('a pending part can be cancelled, not returned', () => {
    expect(shipmentActions(shipment({ status: 'pending', returnableUntil: undefined }), [], now)).toEqual({
      cancel: true,
      requestReturn: false,
    });
  });

  test('shipped and cancelled parts: neither', () => {
    for (const status of ['shipped', 'cancelled'] as const)
      expect(shipmentActions(shipment({ status, returnableUntil: undefined }), [], now)).toEqual({ cancel: false, requestReturn: false });
  });

  test('a delivered part can be returned while its window is open', () => {
    expect(shipmentActions(shipment(), [], now).requestReturn).toBe(true);
    expect(shipmentActions(shipment({ returnableUntil: '2026-03-10T11:59:59.000Z' }), [], now).requestReturn).toBe(false);
    expect(shipmentActions(shipment({ returnableUntil: new Date(now).toISOString() }), [], now).requestReturn).toBe(false);
    // Delivered before the return window existed: no date, no return.
    expect(shipmentActions(shipment({ returnableUntil: undefined }), [], now).requestReturn).toBe(false);
    expect(shipmentActions(shipment({ returnableUntil: 'not a date' }), [], now).requestReturn).toBe(false);
  });

  test('not once every unit is in a return already', () => {
    const returns = [ret('requested', [lamp]), ret('approved', [mug])];
    expect(shipmentActions(shipment(), returns, now).requestReturn).toBe(false);
    expect(shipmentActions(shipment(), [ret('requested', [lamp])], now).requestReturn).toBe(true);
  });
});

describe('cancellableParts and expectedRefund', () => {
  test('"Cancel order" on a paid order cancels the pending parts only', () => {
    const parts = [
      { status: 'pending' as const },
      { status: 'shipped' as const },
      { status: 'pending' as const },
      { status: 'cancelled' as const },
    ];
    expect(cancellableParts(parts)).toEqual([parts[0], parts[2]]);
    expect(cancellableParts(null)).toEqual([]);
    expect(cancellableParts(undefined)).toEqual([]);
  });

  test('cancelled parts and received or refunded returns are what the refunds come to, in whole cents', () => {
    const shipments = [
      {
        status: 'cancelled' as const,
        items: [
          { ...mug, price: 0.1 },
          { ...lamp, price: 0.2, quantity: 1 },
        ],
      },
      { status: 'delivered' as const, items: [lamp] },
    ];
    const returns = [
      { status: 'received' as const, amount: 20 },
      { status: 'refunded' as const, amount: 4.5 },
      { status: 'approved' as const, amount: 100 },
      { status: 'rejected' as const, amount: 100 },
    ];
    expect(expectedRefund(shipments, returns)).toBe(25);
    expect(expectedRefund(null, null)).toBe(0);
  });
});

describe('parseReturnForm', () => {
  const lines = returnableLines(shipment(), [ret('requested', [{ ...mug, quantity: 2 }])]);
  const form = (quantities: Record<string, string>, reason = 'damaged', note = '') => parseReturnForm({ quantities, reason, note }, lines);

  test('lines left at 0 or empty are kept; the body has the chosen ones, the reason and the trimmed note', () => {
    expect(form({ 'p-lamp': '2', 'p-mug': '0' }, 'wrong_item', '  cracked glass ')).toEqual({
      ok: true,
      body: { items: [{ productId: 'p-lamp', quantity: 2 }], reason: 'wrong_item', note: 'cracked glass' },
    });
    expect(form({ 'p-lamp': '', 'p-mug': ' 1 ' })).toEqual({
      ok: true,
      body: { items: [{ productId: 'p-mug', quantity: 1 }], reason: 'damaged' },
    });
  });

  test('nothing chosen: the message is about the items', () => {
    expect(form({ 'p-lamp': '0', 'p-mug': '' })).toEqual({
      ok: false,
      errors: [{ field: 'items', message: 'Choose at least one item to return.' }],
    });
  });

  test('a quantity above what can still be returned, or not a whole number, is named on its line', () => {
    const out = form({ 'p-lamp': '3', 'p-mug': '2' });
    expect(out).toEqual({
      ok: false,
      errors: [
        { field: 'items.p-lamp', message: 'You can return at most 2 of Lamp.' },
        { field: 'items.p-mug', message: 'You can return at most 1 of Mug.' },
      ],
    });
    for (const bad of ['1.5', '-1', 'two', '1e400']) {
      const parsed = form({ 'p-lamp': bad });
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((e) => e.field)).toEqual(['items.p-lamp']);
    }
  });

  test('the reason must be one of the contract’s; the note at most the limit', () => {
    const out = form({ 'p-lamp': '1' }, '', 'x'.repeat(RETURN_LIMITS.maxNoteLength + 1));
    expect(out).toEqual({
      ok: false,
      errors: [
        { field: 'reason', message: 'Choose a reason.' },
        {
          field: 'note',
          message: `Note can have at most ${RETURN_LIMITS.maxNoteLength} characters (it has ${RETURN_LIMITS.maxNoteLength + 1}).`,
        },
      ],
    });
    expect(form({ 'p-lamp': '1' }, 'broken').ok).toBe(false);
    expect(form({ 'p-lamp': '1' }, 'other', 'x'.repeat(RETURN_LIMITS.maxNoteLength)).ok).toBe(true);
  });
});

describe('mapReturnItemErrors', () => {
  const sent = [{ productId: 'p-lamp' }, { productId: 'p-mug' }];
  test('the API’s line index becomes the product the form shows the message on', () => {
    expect(
      mapReturnItemErrors(
        [
          { field: 'items.1.quantity', message: 'too many' },
          { field: 'items[0].productId', message: 'unknown' },
          { field: 'items.7.quantity', message: 'no such line' },
          { field: 'items', message: 'at most 50' },
          { field: 'reason', message: 'bad reason' },
          { message: 'Not delivered yet' },
        ],
        sent,
      ),
    ).toEqual([
      { field: 'items.p-mug', message: 'too many' },
      { field: 'items.p-lamp', message: 'unknown' },
      { field: 'items', message: 'no such line' },
      { field: 'items', message: 'at most 50' },
      { field: 'reason', message: 'bad reason' },
      { message: 'Not delivered yet' },
    ]);
  });
});

describe('labelReturnErrors', () => {
  test('a field’s message starts with the form’s label; a line’s with the product; others as they came', () => {
    expect(
      labelReturnErrors(
        [
          { field: 'reason', message: 'reason must be one of damaged, other' },
          { field: 'note', message: 'note can be at most 500 characters' },
          { field: 'message', message: 'message is required' },
          { field: 'restock', message: 'restock must be true or false' },
          { field: 'items.p-mug', message: 'More units than were bought, minus those already being returned' },
          { field: 'items.p-lamp', message: 'You can return at most 2 of Lamp.' },
          { field: 'items', message: 'a return needs at least one item' },
          { field: 'token', message: 'odd' },
          { message: 'This part of the order has not been delivered yet' },
        ],
        [lamp, mug],
      ),
    ).toEqual([
      { field: 'reason', message: 'Reason must be one of damaged, other.' },
      { field: 'note', message: 'Note can be at most 500 characters.' },
      { field: 'message', message: 'Message is required.' },
      { field: 'restock', message: 'Back on sale must be true or false.' },
      { field: 'items.p-mug', message: 'Mug: More units than were bought, minus those already being returned.' },
      { field: 'items.p-lamp', message: 'You can return at most 2 of Lamp.' },
      { field: 'items', message: 'A return needs at least one item.' },
      { field: 'token', message: 'odd' },
      { message: 'This part of the order has not been delivered yet' },
    ]);
  });
});

describe('the seller’s forms', () => {
  test('a rejection needs a message, trimmed, within the limit', () => {
    expect(parseRejectForm({ message: '   ' })).toEqual({
      ok: false,
      errors: [{ field: 'message', message: 'Tell the buyer why the return is rejected.' }],
    });
    expect(parseRejectForm({ message: ' Used beyond trying on. ' })).toEqual({ ok: true, body: { message: 'Used beyond trying on.' } });
    expect(parseRejectForm({ message: 'x'.repeat(RETURN_LIMITS.maxMessageLength + 1) }).ok).toBe(false);
    expect(parseRejectForm({ message: 'x'.repeat(RETURN_LIMITS.maxMessageLength) }).ok).toBe(true);
  });

  test('"Mark received" needs a yes or no: no default', () => {
    expect(parseReceiveForm({ restock: 'yes' })).toEqual({ ok: true, body: { restock: true } });
    expect(parseReceiveForm({ restock: 'no' })).toEqual({ ok: true, body: { restock: false } });
    expect(parseReceiveForm({ restock: null })).toEqual({
      ok: false,
      errors: [{ field: 'restock', message: 'Choose whether the units go back on sale.' }],
    });
    expect(parseReceiveForm({ restock: 'true' }).ok).toBe(false);
  });
});

describe('shipmentTimeline of a cancelled part', () => {
  test('paid, then cancelled (current), with its date; no shipped or delivered step', () => {
    const cancelledAt = '2026-03-05T09:00:00.000Z';
    expect(shipmentTimeline({ status: 'cancelled', createdAt: '2026-03-04T10:00:00.000Z', cancelledAt })).toEqual([
      { key: 'paid', label: 'Paid', at: '2026-03-04T10:00:00.000Z', done: true, current: false },
      { key: 'cancelled', label: 'Cancelled', at: cancelledAt, done: true, current: true },
    ]);
  });
});
