import fc from 'fast-check';
import mjml2html from 'mjml';
import { weirdString } from '@jetmart/common/testing';
import { orderConfirmed, passwordResetMail, returnRejected, salesMade, verificationMail, type Notice } from '../../notify';
import { escapeHtml, mjmlOf, renderMail, textOf } from '../render';
import { MAIL, oid, scenario } from '../../__tests__/support/fixtures';

describe('the email of a notice', () => {
  const s = scenario(oid(), [oid(), oid()]);

  it('HTML (MJML) and text say the same: subject, shop, lines, total, address and the absolute link', async () => {
    const [notice] = orderConfirmed(s.orderCreated.data);
    const mail = await renderMail(notice, MAIL);
    const link = `${MAIL.publicUrl}/orders/${s.orderCreated.data.id}`;
    expect(mail.subject).toBe(notice.subject);
    for (const part of [mail.html, mail.text]) {
      for (const expected of ['Test Shop', link, '$79.99', '$30.00', '$49.99', 'Ada Buyer', '10115 Berlin', 'DE', 'View your order']) {
        expect(part).toContain(expected);
      }
    }
    expect(mail.html).toMatch(/^<!doctype html>/i);
  });

  it("the users' own text is escaped in the HTML: a title, a note or a message is never markup", async () => {
    const evil = { ...s.returnRejected.data, message: '<script>alert(1)</script><a href="x">' };
    const mail = await renderMail(returnRejected(evil)[0], MAIL);
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;a href=&quot;x&quot;&gt;');
    expect(mail.text).toContain('<script>alert(1)</script>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('"you sold…": one notice per seller with only that seller\'s lines', () => {
    const notices = salesMade(s.orderCompleted.data);
    expect(notices.map((n) => [n.userId, n.lines!.map((l) => l.title), n.totalMinor])).toEqual([
      [s.orderCompleted.data.items[0].sellerId, ['Desk <Lamp> & "Shade"'], 3000],
      [s.orderCompleted.data.items[1].sellerId, ['Chair'], 4999],
    ]);
    expect(textOf(notices[1], MAIL)).not.toContain('Desk');
  });

  it('an order from before fulfilment (lines without a seller) tells nobody', () => {
    const old = { ...s.orderCompleted.data, items: s.orderCompleted.data.items.map(({ sellerId: _s, ...l }) => l) };
    expect(salesMade(old)).toEqual([]);
  });

  it('account mails: the link with its token in both parts and only there; an expired link is not mailed', async () => {
    const token = 'T0k3n_-'.repeat(6);
    const now = Date.parse('2026-01-01T10:00:00Z');
    const data = { userId: oid(), email: 'ada@test.dev', token, expiresAt: '2026-01-01T11:00:00.000Z' };
    for (const [notices, path] of [
      [passwordResetMail(data, now), 'reset-password'],
      [verificationMail(data, now), 'verify-email'],
    ] as const) {
      const [notice] = notices;
      expect(notice).toMatchObject({ userId: data.userId, link: `/${path}`, direct: { to: 'ada@test.dev' } });
      const mail = await renderMail(notice!, MAIL);
      for (const part of [mail.html, mail.text]) expect(part).toContain(`${MAIL.publicUrl}/${path}?token=${token}`);
      expect(mail.text).toContain('Thu, 01 Jan 2026 11:00:00 GMT');
      // What the records keep (title, body, link) never holds the token.
      expect(JSON.stringify([notice!.subject, notice!.paragraphs, notice!.link])).not.toContain(token);
    }
    expect(passwordResetMail(data, Date.parse(data.expiresAt))).toEqual([]);
    expect(verificationMail(data, Date.parse(data.expiresAt) + 1)).toEqual([]);
  });
});

describe('compiled layouts', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    weirdString.filter((t) => t.length < 400),
  );
  const notice: fc.Arbitrary<Notice> = fc.record(
    {
      userId: fc.constant('u1'),
      kind: fc.constantFrom('order-confirmed', 'shipment-shipped'),
      subject: text,
      paragraphs: fc.array(text, { minLength: 1, maxLength: 3 }) as fc.Arbitrary<[string, ...string[]]>,
      details: fc.array(fc.tuple(text, text), { maxLength: 3 }),
      lines: fc.array(
        fc.record(
          { title: text, quantity: fc.integer({ min: 1, max: 99 }), priceMinor: fc.integer({ min: 0, max: 10_000_000 }) },
          { requiredKeys: ['title', 'quantity'] },
        ),
        { maxLength: 3 },
      ),
      totalMinor: fc.integer({ min: 0, max: 10_000_000 }),
      address: fc.record(
        { name: text, line1: text, line2: text, city: text, postalCode: text, country: fc.constantFrom('DE', 'GB'), phone: text },
        { requiredKeys: ['name', 'line1', 'city', 'postalCode', 'country'] },
      ),
      link: fc.constantFrom('/orders/1', '/returns/2?x=<y>&z="w"'),
      action: text,
      direct: fc.record({
        to: fc.constant('a@b.dev'),
        secretLink: fc.constantFrom('/reset-password?token=abc', '/verify-email?token=&<>'),
      }),
    },
    { requiredKeys: ['userId', 'kind', 'subject', 'paragraphs', 'link', 'action'] },
  );

  it("a mail's HTML is exactly what compiling its filled MJML gives, for any text and any shape", async () => {
    await fc.assert(
      fc.asyncProperty(notice, async (n) => {
        const direct = (await mjml2html(mjmlOf(n, MAIL), { validationLevel: 'strict' })).html;
        expect((await renderMail(n, MAIL)).html).toBe(direct);
      }),
      { numRuns: 150, seed: 2127 },
    );
  });
});
