import { endSpan, SpanKind, tracer } from '@jetmart/common';
import type { ChargeRequest, ChargeResult, PaymentGateway, RefundRequest, TransferRequest } from './payment-gateway';

/**
 * A CLIENT span around every call to the card processor, child of the active span (the HTTP
 * request's SERVER span when a buyer pays, the CONSUMER span when order.cancelled refunds, none
 * for the pending-payment sweeper's passes). Attributes: `jetmart.gateway` (stripe, sandbox) and
 * `jetmart.outcome` (succeeded, declined, invalid_token, refunded, or error when the processor
 * failed: the error is recorded and the span's status is ERROR). A declined card is an answer,
 * not a failure of the call, so its span is not an error.
 */
export class TracedGateway implements PaymentGateway {
  constructor(readonly inner: PaymentGateway) {}

  get name(): string {
    return this.inner.name;
  }

  charge(req: ChargeRequest): Promise<ChargeResult> {
    return this.call(
      'charge',
      () => this.inner.charge(req),
      (result) => result.outcome,
    );
  }

  refund(req: RefundRequest): Promise<{ refundId: string }> {
    return this.call(
      'refund',
      () => this.inner.refund(req),
      () => 'refunded',
    );
  }

  transfer(req: TransferRequest): Promise<{ transferId: string }> {
    return this.call(
      'transfer',
      () => this.inner.transfer(req),
      () => 'transferred',
    );
  }

  private call<T>(operation: 'charge' | 'refund' | 'transfer', fn: () => Promise<T>, outcome: (result: T) => string): Promise<T> {
    return tracer().startActiveSpan(
      `${this.inner.name} ${operation}`,
      { kind: SpanKind.CLIENT, attributes: { 'jetmart.gateway': this.inner.name, 'jetmart.gateway.operation': operation } },
      async (span) => {
        try {
          const result = await fn();
          span.setAttribute('jetmart.outcome', outcome(result));
          endSpan(span);
          return result;
        } catch (err) {
          span.setAttribute('jetmart.outcome', 'error');
          endSpan(span, err);
          throw err;
        }
      },
    );
  }
}

/** `gateway` with a CLIENT span around each call (idempotent: an already traced gateway is returned as is). */
export function tracedGateway(gateway: PaymentGateway): PaymentGateway {
  return gateway instanceof TracedGateway ? gateway : new TracedGateway(gateway);
}
