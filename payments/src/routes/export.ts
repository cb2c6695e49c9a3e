import { Router } from 'express';
import { requireAuth } from '@jetmart/common';
import type { PaymentsExportPart } from '@jetmart/common/contracts';
import type { PaymentsModels, RefundAttrs } from '../models';
import { presentPayment, presentRefund } from './presenters';

/**
 * Payments' part of the person's data export (auth's `GET /api/users/me/export` asks for it with
 * the person's session): every payment record of theirs, whatever its state (a declined attempt is
 * data about them too), and every refund of those payments. The card token of an attempt and the
 * processor's ids are the platform's, not the person's, and stay out.
 */
export function exportRouter({ models }: { models: PaymentsModels }): Router {
  const router = Router();
  router.get('/api/payments/me/export', requireAuth, async (req, res) => {
    const userId = req.currentUser!.id;
    const [payments, refunds] = await Promise.all([
      models.Payment.find({ userId }).sort({ createdAt: 1, _id: 1 }),
      models.Refund.find({ userId }).sort({ createdAt: 1, _id: 1 }).lean<RefundAttrs[]>(),
    ]);
    const part: PaymentsExportPart = {
      payments: payments.map((p) => ({
        ...presentPayment(
          p,
          refunds.filter((r) => r.paymentId === p.id),
        ),
        status: p.status,
        createdAt: p.createdAt.toISOString(),
      })),
      refunds: refunds.map((r) => ({ ...presentRefund(r), paymentId: r.paymentId, orderId: r.orderId })),
    };
    res.json(part);
  });
  return router;
}
