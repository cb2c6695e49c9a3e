import { createHmac } from 'node:crypto';
import { signSessionToken, verifySessionToken } from '../../middlewares/session';
import { ORDER_TICKET_MAX_LENGTH, signOrderTicket, verifyOrderTicket, type OrderTicketClaims } from '..';

const KEY = 'shared-jwt-key';
const now = new Date('2026-01-01T12:00:00.000Z');
const claims: OrderTicketClaims = {
  orderId: '64b0000000000000000000b1',
  userId: '64b0000000000000000000a1',
  totalMinor: 2_500,
  expiresAt: '2026-01-01T12:15:00.000Z',
  items: [
    { productId: '64b0000000000000000000c1', sellerId: '64b0000000000000000000d1', priceMinor: 1_000, quantity: 2 },
    { productId: '64b0000000000000000000c2', priceMinor: 500, quantity: 1 },
  ],
  version: 0,
};

/** The ticket with its payload part replaced by `payload` (the signature left as it was). */
function withPayload(ticket: string, payload: unknown): string {
  const [v, , sig] = ticket.split('.');
  return `${v}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
}

describe('order tickets', () => {
  it('a signed ticket verifies with the same key and gives back its claims, not expired before expiresAt', () => {
    const check = verifyOrderTicket(signOrderTicket(claims, KEY), KEY, now);
    expect(check).toEqual({ ok: true, claims, expired: false });
  });

  it('is expired from its order expiresAt on (still reporting its claims)', () => {
    const check = verifyOrderTicket(signOrderTicket(claims, KEY), KEY, new Date(claims.expiresAt));
    expect(check).toEqual({ ok: true, claims, expired: true });
  });

  it('refuses a ticket signed with another key', () => {
    expect(verifyOrderTicket(signOrderTicket(claims, 'another-key'), KEY, now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses any change of the claims under the original signature', () => {
    const ticket = signOrderTicket(claims, KEY);
    for (const changed of [
      { ...claims, totalMinor: 1 },
      { ...claims, userId: '64b0000000000000000000a2' },
      { ...claims, expiresAt: '2027-01-01T00:00:00.000Z' },
      { ...claims, items: claims.items.slice(1) },
    ]) {
      expect(verifyOrderTicket(withPayload(ticket, changed), KEY, now)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });

  it('refuses a changed signature, a changed format prefix and truncations', () => {
    const ticket = signOrderTicket(claims, KEY);
    const [v, payload, sig] = ticket.split('.');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1)!;
    expect(verifyOrderTicket(`${v}.${payload}.${flipped}`, KEY, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyOrderTicket(`${v}.${payload}.${sig.slice(0, 10)}`, KEY, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyOrderTicket(`ot2.${payload}.${sig}`, KEY, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyOrderTicket(`${v}.${payload}`, KEY, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses what is not a ticket at all without throwing', () => {
    for (const junk of [
      undefined,
      null,
      42,
      {},
      '',
      '...',
      'ot1..',
      'ot1.a b.c',
      'x'.repeat(ORDER_TICKET_MAX_LENGTH + 1),
      '\u0000.\u0000.\u0000',
    ]) {
      expect(verifyOrderTicket(junk, KEY, now)).toMatchObject({ ok: false });
    }
  });

  it('a session JWT signed with the same key is not a ticket, and a ticket is not a session', () => {
    const session = signSessionToken({ id: claims.userId, email: 'a@b.dev' }, KEY, 3600);
    expect(verifyOrderTicket(session, KEY, now)).toMatchObject({ ok: false });
    expect(verifySessionToken(signOrderTicket(claims, KEY), KEY)).toBeNull();
  });

  it('signing refuses claims of the wrong shape, and verifying refuses them even when validly signed', () => {
    expect(() => signOrderTicket({ ...claims, version: 1 } as unknown as OrderTicketClaims, KEY)).toThrow();
    expect(() => signOrderTicket({ ...claims, items: [] }, KEY)).toThrow();
    expect(() => signOrderTicket({ ...claims, totalMinor: -1 }, KEY)).toThrow();
    // Signed by hand as the format says (HMAC-SHA256 under the derived key): only the claims check can refuse these.
    const signedByHand = (payload: unknown) => {
      const signed = `ot1.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const key = createHmac('sha256', KEY).update('jetmart order ticket v1').digest();
      return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
    };
    expect(verifyOrderTicket(signedByHand(claims), KEY, now)).toEqual({ ok: true, claims, expired: false });
    for (const bad of [{ ...claims, version: 1 }, { ...claims, totalMinor: 1.5 }, { ...claims, extra: true }, 'a string', null]) {
      expect(verifyOrderTicket(signedByHand(bad), KEY, now)).toEqual({ ok: false, reason: 'bad-claims' });
    }
  });
});
