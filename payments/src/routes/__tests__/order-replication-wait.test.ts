import mongoose from 'mongoose';
import request from 'supertest';
import { signinCookie, useTestDatabase } from '@jetmart/common/testing';
import { SandboxGateway } from '../../gateway/sandbox-gateway';
import { seedOrder, testApp } from '../../__tests__/support/fixtures';

useTestDatabase({ prefix: 'payments_wait' });

const app = (waitMs: number) => testApp(new SandboxGateway(), { ORDER_REPLICA_WAIT_MS: waitMs });

describe('paying an order that has not been replicated yet', () => {
  it('waits for its order.created instead of answering 404', async () => {
    const userId = new mongoose.Types.ObjectId().toHexString();
    const orderId = new mongoose.Types.ObjectId().toHexString();
    const paying = request(app(3_000))
      .post('/api/payments')
      .set('Cookie', signinCookie({ id: userId }))
      .send({ orderId, token: 'tok_visa' });
    // The replica arrives 300 ms after the request.
    setTimeout(() => void seedOrder({ _id: orderId, userId }), 300);
    const res = await paying;
    expect(res.status).toBe(201);
    expect(res.body.orderId).toBe(orderId);
  });

  it('still answers 404 once the wait is over', async () => {
    const started = Date.now();
    const res = await request(app(400))
      .post('/api/payments')
      .set('Cookie', signinCookie())
      .send({ orderId: new mongoose.Types.ObjectId().toHexString(), token: 'tok_visa' });
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('does not wait for an id that cannot be an order', async () => {
    const started = Date.now();
    const res = await request(app(5_000))
      .post('/api/payments')
      .set('Cookie', signinCookie())
      .send({ orderId: 'not-an-id', token: 'tok_visa' });
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
