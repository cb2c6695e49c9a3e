import { forgetOrderTicket, keepOrderTicket, orderTicketFor, paymentBody } from '../order-tickets';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const placed = (id: string, orderTicket?: string) => ({
  id,
  expiresAt: '2026-01-01T12:15:00.000Z',
  ...(orderTicket ? { orderTicket } : {}),
});

describe('order tickets in the pay step', () => {
  it('the order placed in this tab is paid with its ticket', () => {
    keepOrderTicket(placed('o1', 'ot1.payload.sig'));
    expect(paymentBody('o1', 'tok_visa', now)).toEqual({ orderId: 'o1', token: 'tok_visa', orderTicket: 'ot1.payload.sig' });
  });

  it('an order this tab did not place (or an older orders service without tickets) is paid without one', () => {
    keepOrderTicket(placed('o2'));
    expect(paymentBody('o2', 'tok_visa', now)).toEqual({ orderId: 'o2', token: 'tok_visa' });
    expect(paymentBody('unknown', 'tok_visa', now)).toEqual({ orderId: 'unknown', token: 'tok_visa' });
  });

  it('a ticket is dropped once its order expired, and when forgotten', () => {
    keepOrderTicket(placed('o3', 't3'));
    expect(orderTicketFor('o3', Date.parse('2026-01-01T12:15:00.000Z'))).toBeUndefined();
    expect(orderTicketFor('o3', now)).toBeUndefined(); // dropped, not just hidden
    keepOrderTicket(placed('o4', 't4'));
    forgetOrderTicket('o4');
    expect(paymentBody('o4', 'tok_visa', now)).toEqual({ orderId: 'o4', token: 'tok_visa' });
  });

  it('is never written to web storage', () => {
    const touched: string[] = [];
    const storage = { setItem: (k: string) => touched.push(k), getItem: () => null, removeItem: () => undefined };
    Object.assign(globalThis, { localStorage: storage, sessionStorage: storage });
    try {
      keepOrderTicket(placed('o5', 't5'));
      paymentBody('o5', 'tok_visa', now);
      forgetOrderTicket('o5');
      expect(touched).toEqual([]);
    } finally {
      Reflect.deleteProperty(globalThis, 'localStorage');
      Reflect.deleteProperty(globalThis, 'sessionStorage');
    }
  });
});
