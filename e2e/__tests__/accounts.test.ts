/**
 * Password reset and email verification (issue 17) through the local entry: the platform as
 * `npm start` runs it, and nothing but HTTP to its one port and its Mailpit. The links are read
 * from the mails notifications sent (auth → user.*-requested → notifications → SMTP), and the
 * token in each link is what auth then accepts, once.
 */
import { httpClient, signUp, startLocalPlatform, type LocalPlatform } from '../support/local-platform';
import { eventually } from '@jetmart/common/testing';

let platform: LocalPlatform;
beforeAll(async () => {
  platform = await startLocalPlatform('accounts');
}, 180_000);
afterAll(async () => {
  await platform?.stop();
}, 60_000);
afterEach(() => {
  if (expect.getState().suppressedErrors?.length) console.log(`--- platform output\n${platform.output().slice(-6000)}`);
});

interface MailSummary {
  ID: string;
  To: { Address: string }[] | null;
  Subject: string;
}

/** The one mail to `to` with `subject`, once it has arrived: its plain-text body. */
async function mailTo(to: string, subject: string): Promise<string> {
  const base = /Mailpit web UI (http:\/\/127\.0\.0\.1:\d+)/.exec(platform.output())?.[1];
  if (!base) throw new Error('the platform started no Mailpit');
  const found = await eventually(
    async () => {
      const list = (await (await fetch(`${base}/api/v1/messages?limit=0`)).json()) as { messages: MailSummary[] };
      const mine = list.messages.filter((m) => m.Subject === subject && m.To?.some((t) => t.Address === to));
      return mine.length ? mine : undefined;
    },
    60_000,
    250,
  );
  expect(found).toHaveLength(1);
  const message = (await (await fetch(`${base}/api/v1/message/${found[0]!.ID}`)).json()) as { Text: string };
  return message.Text;
}

/** The path and token of the storefront link in a mail (it points at the platform's own address). */
function linkIn(text: string, page: string): { url: URL; token: string } {
  const raw = new RegExp(`https?://\\S+/${page}\\?token=[A-Za-z0-9_%-]+`).exec(text)?.[0];
  if (!raw) throw new Error(`no /${page} link in:\n${text}`);
  const url = new URL(raw);
  return { url, token: url.searchParams.get('token')! };
}

describe('accounts through one port: the mailed links work once', () => {
  const base = () => platform.baseUrl;
  const email = 'mae@accounts.dev';

  it('sign-up mails a verification link; opening it verifies the account and re-issues this session verified', async () => {
    const browser = httpClient(base);
    await signUp(browser, email);
    expect(
      (await browser<{ currentUser: { emailVerified: boolean } }>('GET', '/api/users/currentuser')).body.currentUser.emailVerified,
    ).toBe(false);
    const { url, token } = linkIn(await mailTo(email, 'Confirm your email address'), 'verify-email');
    // PUBLIC_URL is the gateway (the platform names it localhost): the same port, the storefront's page.
    expect([url.port, url.pathname]).toEqual([new URL(base()).port, '/verify-email']);

    const verified = await browser('POST', '/api/users/verify-email', { token });
    expect(verified).toEqual({ status: 200, body: { user: expect.objectContaining({ email, emailVerified: true }) } });
    expect(
      (await browser<{ currentUser: { emailVerified: boolean } }>('GET', '/api/users/currentuser')).body.currentUser.emailVerified,
    ).toBe(true);
    expect((await browser('POST', '/api/users/verify-email', { token })).status).toBe(400);
  });

  it('a reset mail arrives for a registered address only; its link sets the password once and ends every session on every service', async () => {
    const laptop = httpClient(base);
    const phone = httpClient(base);
    expect((await laptop('POST', '/api/users/signin', { email, password: 'e2e-test-password' })).status).toBe(200);
    expect((await phone('POST', '/api/users/signin', { email, password: 'e2e-test-password' })).status).toBe(200);
    expect((await phone('GET', '/api/orders')).status).toBe(200);

    const anonymous = httpClient(base);
    const known = await anonymous('POST', '/api/users/password-reset', { email });
    const unknown = await anonymous('POST', '/api/users/password-reset', { email: 'nobody@accounts.dev' });
    expect(known).toEqual({ status: 202, body: { status: 'sent-if-registered' } });
    expect(unknown).toEqual(known);

    const { token } = linkIn(await mailTo(email, 'Reset your password'), 'reset-password');
    const confirm = (password: string) => anonymous('POST', '/api/users/password-reset/confirm', { token, password });
    expect(await confirm('a brand new passphrase')).toEqual({ status: 200, body: { status: 'password-changed' } });
    expect((await confirm('another new passphrase')).status).toBe(400);

    // The sessions from before the reset are over on orders (another service) and on auth.
    await eventually(async () => (await phone('GET', '/api/orders')).status === 401, 1000);
    expect((await laptop('GET', '/api/users/me')).status).toBe(401);
    expect((await laptop('POST', '/api/users/signin', { email, password: 'e2e-test-password' })).status).toBe(401);
    expect((await laptop('POST', '/api/users/signin', { email, password: 'a brand new passphrase' })).status).toBe(200);
    expect((await laptop('GET', '/api/orders')).status).toBe(200);
    // Nobody is mailed for the unknown address.
    const mailbox = /Mailpit web UI (http:\/\/127\.0\.0\.1:\d+)/.exec(platform.output())![1];
    const all = (await (await fetch(`${mailbox}/api/v1/messages?limit=0`)).json()) as { messages: MailSummary[] };
    expect(all.messages.flatMap((m) => m.To?.map((t) => t.Address) ?? [])).not.toContain('nobody@accounts.dev');
  });
});
