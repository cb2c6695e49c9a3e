import { cancelOrder } from '../lifecycle';
import { anonymiseOrderAddress, forgetReturnNote, paymentInProgress, rememberForgottenPerson, type OrdersModels } from '../models';
import { forgetSaleCities } from '../sales';

export type ForgetBuyerResult = { kind: 'forgotten'; cancelled: number; anonymised: number; notesCleared: number };

/**
 * user.deleted (SPEC invariant 13, "gone means gone"): orders forgets the buyer's name and address
 * and keeps what the sellers' books need (ids, lines, amounts, statuses).
 *
 * - An unpaid (`created`) order is cancelled through the normal transition (reason `buyer`), so
 *   order.cancelled goes out and its units are released; nobody can pay it any more (the person's
 *   sessions are revoked). One whose charge attempt is in progress is left to end as usual: the
 *   payment completes it or its expiry cancels it (the same wait as expiration.complete), so a
 *   charge never races a cancel we started.
 * - Every order of theirs keeps an anonymised address snapshot: name "deleted user", street, city,
 *   postcode and phone blanked, the country kept (for tax/shipping statistics). Paid orders in
 *   flight are not refunded here: shipping anonymises its shipments alike, and a seller who can no
 *   longer deliver cancels the shipment, which refunds it (the normal shipment.cancelled path).
 * - The free-text note of each of their returns is removed (it is the buyer's words).
 * - Their orders' lines in the sellers' sales read model forget the city (after the order's
 *   address, so a line recorded meanwhile sees the anonymised order and forgets it itself).
 *
 * The address and the note are rewritten by plain conditional updates that leave `version` alone:
 * nothing is published (no event carries the change) and the order's published version must not
 * move. Every step is idempotent, so a redelivery finds nothing left to do. Events already in an
 * order's outbox are published by the relay within moments and then removed from the document.
 */
export async function forgetBuyer(deps: { models: OrdersModels }, userId: string): Promise<ForgetBuyerResult> {
  const { Order, Return, ForgottenPerson } = deps.models;
  // First, before the orders are read: an order placed meanwhile (placeOrder checks after it is
  // created) is then either found below or sees the record, never neither.
  await rememberForgottenPerson(ForgottenPerson, userId);
  let cancelled = 0;
  let anonymised = 0;
  let notesCleared = 0;
  const orders = await Order.find(
    { userId },
    { status: 1, paymentStartedAttempt: 1, paymentFailedAttempt: 1, 'shippingAddress.country': 1 },
  ).lean();
  for (const order of orders) {
    const id = String(order._id);
    if (order.status === 'created' && !paymentInProgress(order)) {
      if ((await cancelOrder(deps, id, 'buyer')).kind === 'cancelled') cancelled++;
    }
    if (await anonymiseOrderAddress(Order, id)) anonymised++;
    await forgetSaleCities(deps, id);
  }
  const returns = await Return.find({ buyerId: userId, note: { $exists: true } }, { _id: 1 }).lean();
  for (const r of returns) if (await forgetReturnNote(Return, String(r._id))) notesCleared++;
  return { kind: 'forgotten', cancelled, anonymised, notesCleared };
}
