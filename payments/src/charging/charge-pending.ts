import mongoose from 'mongoose';
import type { PaymentGateway } from '../gateway/payment-gateway';
import { paymentCharges } from '../metrics';
import type { PaymentDoc, PaymentsModels } from '../models';

/**
 * Charges the pending attempt (again, if it was tried before: same idempotency key) and records
 * the result, with `payment.created` in the same save when it succeeded. If another request or
 * replica settled it meanwhile, returns that record instead. Throws GatewayUnavailableError when
 * the processor did not answer (the payment stays pending).
 */
export async function chargePendingPayment(
  deps: { models: PaymentsModels; gateway: PaymentGateway },
  payment: PaymentDoc,
): Promise<PaymentDoc> {
  const result = await deps.gateway.charge(payment.chargeRequest());
  payment.settle(result);
  try {
    await payment.save();
  } catch (err) {
    if (!(err instanceof mongoose.Error.VersionError)) throw err;
    const fresh = await deps.models.Payment.findById(payment.id);
    if (!fresh) throw err;
    return fresh;
  }
  paymentCharges.inc({ outcome: result.outcome });
  return payment;
}
