/**
 * The account page in a real browser against the whole platform (issue 17): a person signs up,
 * names themselves and keeps an address book; changes the password (the cookie from before the
 * change is refused, as is a second browser's session, while this browser stays signed in; the new
 * password signs in and the old one does not); signs out everywhere (a second browser's session
 * ends with it); and deletes the account through its confirmation (signing in fails afterwards).
 *
 * Each step checks the outcome through the API as well as on the page. Sessions are refused by
 * every service through the revocations bucket; here the API asked is auth's `/api/users/me`.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { launchChromium, screenshot, signUp } from '../support/browser';
import { sharedPlatform, type RunningPlatform } from '../support/platform';

const run = `acc${Date.now().toString(36)}`;
const firstPassword = 'correct horse battery';
const secondPassword = 'staple battery horse';

let platform: RunningPlatform;
let browser: Browser;
const contexts: BrowserContext[] = [];

const url = (path: string) => platform.baseUrl + path;

beforeAll(async () => {
  platform = await sharedPlatform();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/** A new browser (its own cookie jar) with one page. */
async function newBrowser(cookies: Cookie[] = []): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  if (cookies.length > 0) await context.addCookies(cookies);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

/** Signs in through the storefront's form and waits until the header shows the person. */
async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(url('/signin'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(url('/'));
  await page.getByTestId('current-user').filter({ hasText: email }).waitFor();
}

/** What sign-in answers for these credentials (through the form): 'signed-in', or the message shown. */
async function trySignIn(email: string, password: string): Promise<string> {
  const { page } = await newBrowser();
  await page.goto(url('/signin'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const outcome = await Promise.race([
    page.waitForURL(url('/')).then(() => 'signed-in'),
    page
      .getByTestId('form-error')
      .waitFor()
      .then(async () => ((await page.getByTestId('form-error').textContent()) ?? '').trim()),
  ]);
  await page.close();
  return outcome;
}

/** The status auth's GET /api/users/me answers with this browser's cookies. */
async function meStatus(context: BrowserContext): Promise<number> {
  const res = await context.request.get(url('/api/users/me'));
  return res.status();
}

/** Asks until `done` holds (a revocation reaches the watchers within a second), or fails with the last value. */
async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('the account page: profile, the unverified-email notice as auth says, and the address book', async () => {
  const email = `profile-${run}@example.com`;
  const { context, page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);

  // The header leads to the account page.
  await page.getByRole('group', { name: 'Account' }).getByRole('link', { name: 'Account' }).click();
  await page.waitForURL(url('/account'));
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  expect(await page.getByTestId('account-email').textContent()).toBe(email);

  // The notice appears exactly when auth says the address is not verified.
  const me = (await (await context.request.get(url('/api/users/me'))).json()) as { emailVerified?: boolean };
  expect(await page.getByTestId('email-unverified').count()).toBe(me.emailVerified === false ? 1 : 0);
  expect(await page.getByTestId('export-link').getAttribute('href')).toBe('/api/users/me/export');

  // Display name: a refused one is explained on the field; a good one is saved and kept.
  await page.getByLabel('Display name').fill('   ');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.locator('#displayName-error').waitFor();
  await page.getByLabel('Display name').fill('Ada L.');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByRole('status').filter({ hasText: 'Your display name is saved.' }).waitFor();
  expect(await page.locator('#displayName-error').count()).toBe(0);
  expect(((await (await context.request.get(url('/api/users/me'))).json()) as { displayName: string }).displayName).toBe('Ada L.');

  // Address book: empty, then one added (errors first), edited, and removed through the confirmation.
  const book = page.getByTestId('address-book');
  await book.getByTestId('address-book-empty').waitFor();
  await book.getByRole('button', { name: 'Add an address' }).click();
  await book.getByRole('button', { name: 'Add address' }).click();
  await page.locator('#address-new-name-error').waitFor();
  await book.getByLabel('Full name').fill('Ada Lovelace');
  await book.getByLabel('Address line 1').fill('12 St James Square');
  await book.getByLabel('City').fill('London');
  await book.getByLabel('Postal code').fill('SW1Y 4JH');
  await book.getByLabel('Country').selectOption('GB');
  await book.getByRole('button', { name: 'Add address' }).click();
  const saved = book.getByTestId('saved-address');
  await saved.filter({ hasText: 'Ada Lovelace' }).waitFor();
  const listed = (await (await context.request.get(url('/api/users/me/addresses'))).json()) as Array<{ id: string; city: string }>;
  expect(listed.map((a) => a.city)).toEqual(['London']);

  await book.getByRole('button', { name: 'Edit the address of Ada Lovelace' }).click();
  await book.getByLabel('City').fill('Cambridge');
  await book.getByRole('button', { name: 'Save address' }).click();
  await saved.filter({ hasText: 'Cambridge' }).waitFor();
  const edited = (await (await context.request.get(url('/api/users/me/addresses'))).json()) as Array<{ id: string; city: string }>;
  expect(edited).toEqual([expect.objectContaining({ id: listed[0].id, city: 'Cambridge' })]);
  await screenshot(page, 'account-page');

  // "Download my data" downloads the export: one JSON file with this person's account and addresses.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-link').click()]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as {
    user: { email: string; displayName: string | null };
    addresses: Array<{ city: string }>;
  };
  expect(exported.user).toMatchObject({ email, displayName: 'Ada L.' });
  expect(exported.addresses.map((a) => a.city)).toEqual(['Cambridge']);

  // Kept: the focus goes back to the button that asked; then removed.
  const removeButton = book.getByRole('button', { name: 'Remove the address of Ada Lovelace' });
  await removeButton.click();
  await page.getByRole('dialog', { name: 'Remove this address?' }).getByRole('button', { name: 'Keep address' }).click();
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Remove the address of Ada Lovelace');
  expect(await saved.count()).toBe(1);
  await removeButton.click();
  await page.getByRole('dialog', { name: 'Remove this address?' }).waitFor();
  await page.getByRole('button', { name: 'Yes, remove address' }).click();
  await book.getByTestId('address-book-empty').waitFor();
  expect(await (await context.request.get(url('/api/users/me/addresses'))).json()).toEqual([]);

  // Signed out, the page asks to sign in first and comes back.
  const { page: guest } = await newBrowser();
  await guest.goto(url('/account'));
  await guest.waitForURL(url('/signin?next=%2Faccount'));
});

test('changing the password: the old cookie and other browsers are refused, this browser stays, the new password signs in', async () => {
  const email = `password-${run}@example.com`;
  const { context, page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);
  const other = await newBrowser();
  await signIn(other.page, email, firstPassword);
  const cookiesBefore = await context.cookies();
  expect(cookiesBefore.some((c) => c.name === 'session')).toBe(true);

  await page.goto(url('/account'));
  const form = page.getByTestId('password-form');
  // A wrong current password is said on its field, and nothing changes.
  await form.getByLabel('Current password').fill('not my password');
  await form.getByLabel('New password').fill(secondPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  await page.locator('#currentPassword-error').filter({ hasText: 'Password is incorrect' }).waitFor();
  expect(await meStatus(other.context)).toBe(200);

  await form.getByLabel('Current password').fill(firstPassword);
  await form.getByLabel('New password').fill(secondPassword);
  await form.getByRole('button', { name: 'Change password' }).click();
  const done = page.getByTestId('password-changed');
  await done.waitFor();
  expect(await done.textContent()).toMatch(/Every other session has ended/);
  await screenshot(page, 'account-password-changed');

  // This browser carries on with its new cookie.
  expect(await meStatus(context)).toBe(200);
  // The cookie from before the change is refused, and so is the other browser's session.
  const stale = await newBrowser(cookiesBefore);
  await eventually(
    'the old cookie',
    () => meStatus(stale.context),
    (s) => s === 401,
  );
  await eventually(
    "the other browser's session",
    () => meStatus(other.context),
    (s) => s === 401,
  );
  await stale.page.goto(url('/account'));
  await stale.page.waitForURL(url('/signin?next=%2Faccount'));

  expect(await trySignIn(email, firstPassword)).toBe('Invalid email or password');
  expect(await trySignIn(email, secondPassword)).toBe('signed-in');
});

test("signing out everywhere ends this browser's session and a second browser's", async () => {
  const email = `everywhere-${run}@example.com`;
  const { context, page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);
  const other = await newBrowser();
  await signIn(other.page, email, firstPassword);
  expect(await meStatus(other.context)).toBe(200);

  await page.goto(url('/account'));
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.waitForURL(url('/signin?signedout=everywhere'));
  await page.getByTestId('signed-out-everywhere').waitFor();
  expect(await page.getByTestId('current-user').count()).toBe(0);
  expect(await meStatus(context)).toBe(401);

  await eventually(
    "the second browser's session",
    () => meStatus(other.context),
    (s) => s === 401,
  );
  await other.page.goto(url('/account'));
  await other.page.waitForURL(url('/signin?next=%2Faccount'));
  expect(await other.page.getByTestId('current-user').count()).toBe(0);

  // Nothing else changed: the same password signs in again.
  expect(await trySignIn(email, firstPassword)).toBe('signed-in');
});

test('deleting the account asks for the password and a confirmation; afterwards signing in fails', async () => {
  const email = `delete-${run}@example.com`;
  const { context, page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);
  await page.goto(url('/account'));
  const section = page.getByTestId('delete-account');

  // Without the password the dialog does not open.
  await section.getByRole('button', { name: 'Delete my account', exact: true }).click();
  await page.locator('#deletePassword-error').waitFor();
  expect(await page.getByRole('dialog').count()).toBe(0);

  // Dismissing the confirmation keeps the account, and the focus returns to the button.
  await section.getByLabel('Password').fill(firstPassword);
  await section.getByRole('button', { name: 'Delete my account', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await dialog.waitFor();
  await screenshot(page, 'account-delete-confirmation');
  await dialog.getByRole('button', { name: 'Keep my account' }).click();
  await dialog.waitFor({ state: 'detached' });
  expect(await meStatus(context)).toBe(200);

  // A wrong password is refused on its field.
  await section.getByLabel('Password').fill('not my password');
  await section.getByRole('button', { name: 'Delete my account', exact: true }).click();
  await dialog.getByRole('button', { name: 'Yes, delete my account' }).click();
  await page.locator('#deletePassword-error').filter({ hasText: 'Password is incorrect' }).waitFor();
  expect(await meStatus(context)).toBe(200);

  await section.getByLabel('Password').fill(firstPassword);
  await section.getByRole('button', { name: 'Delete my account', exact: true }).click();
  await dialog.getByRole('button', { name: 'Yes, delete my account' }).click();
  await page.waitForURL(url('/account/deleted'));
  await page.getByRole('heading', { level: 1, name: 'Your account is deleted' }).waitFor();
  expect(await page.getByTestId('current-user').count()).toBe(0);
  expect(await meStatus(context)).toBe(401);

  expect(await trySignIn(email, firstPassword)).toBe('Invalid email or password');
});

/** The platform's Mailpit (its web UI and HTTP API), as the platform printed it. */
function mailpitUrl(): string {
  const found = /Mailpit web UI (http:\/\/127\.0\.0\.1:\d+)/.exec(platform.output());
  if (!found) throw new Error('the platform started no Mailpit');
  return found[1];
}

interface MailSummary {
  ID: string;
  To: Array<{ Address: string }> | null;
}

/** The link to `path` (`/reset-password`) in the newest mail to `to` that has one, as a path on this site. */
async function linkMailedTo(to: string, path: string): Promise<string> {
  const base = mailpitUrl();
  const pattern = new RegExp(`https?://[^\\s"'<>]+(${path}\\?token=[A-Za-z0-9_%.~-]+)`);
  const found = await eventually(
    `a mail to ${to} with a ${path} link`,
    async () => {
      const list = (await (await fetch(`${base}/api/v1/messages?limit=200`)).json()) as { messages: MailSummary[] };
      for (const m of list.messages.filter((s) => s.To?.some((a) => a.Address === to))) {
        const message = (await (await fetch(`${base}/api/v1/message/${m.ID}`)).json()) as { Text: string };
        const link = pattern.exec(message.Text)?.[1];
        if (link) return link.replace(/&amp;/g, '&');
      }
      return null;
    },
    (link) => link !== null,
    45_000,
  );
  return found!;
}

test('a forgotten password: the same answer for any address, the mailed link sets a new one once and ends every session', async () => {
  const email = `forgot-${run}@example.com`;
  const { page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);
  const signedIn = await newBrowser();
  await signIn(signedIn.page, email, firstPassword);

  // From the sign-in page; an address without an account gets the same answer as one with.
  const { page: guest } = await newBrowser();
  await guest.goto(url('/signin'));
  await guest.getByRole('link', { name: 'Forgot password?' }).click();
  await guest.waitForURL(url('/forgot-password'));
  const ask = async (address: string) => {
    await guest.getByLabel('Email').fill(address);
    await guest.getByRole('button', { name: 'Send reset link' }).click();
    const done = guest.getByTestId('reset-requested');
    await done.filter({ hasText: address }).waitFor();
    return ((await done.textContent()) ?? '').replace(address, '<email>');
  };
  const unknown = await ask(`nobody-${run}@example.com`);
  expect(await ask(email)).toBe(unknown);

  const link = await linkMailedTo(email, '/reset-password');
  await guest.goto(url(link));
  await guest.getByLabel('New password', { exact: true }).fill(secondPassword);
  await guest.getByRole('button', { name: 'Set new password' }).click();
  await guest.getByTestId('password-reset-done').waitFor();
  await screenshot(guest, 'account-password-reset');

  await eventually(
    'the session signed in before the reset',
    () => meStatus(signedIn.context),
    (s) => s === 401,
  );
  expect(await trySignIn(email, firstPassword)).toBe('Invalid email or password');
  expect(await trySignIn(email, secondPassword)).toBe('signed-in');

  // The link works once.
  await guest.goto(url(link));
  await guest.getByLabel('New password', { exact: true }).fill('a third password');
  await guest.getByRole('button', { name: 'Set new password' }).click();
  await guest.getByTestId('form-error').filter({ hasText: 'This reset link is invalid or has expired' }).waitFor();
  expect(await guest.getByRole('link', { name: 'Ask for a new link' }).count()).toBe(1);
});

test('verifying the email: the sign-up mail links to /verify-email, and afterwards the account page has no notice', async () => {
  const email = `verify-${run}@example.com`;
  const { context, page } = await newBrowser();
  await signUp(page, platform.baseUrl, email, firstPassword);
  await page.goto(url('/account'));
  await page.getByTestId('email-unverified').waitFor();

  const link = await linkMailedTo(email, '/verify-email');
  await page.goto(url(link));
  await page.getByTestId('email-verified').waitFor();
  const me = (await (await context.request.get(url('/api/users/me'))).json()) as { emailVerified?: boolean };
  expect(me.emailVerified).toBe(true);
  await page.getByRole('link', { name: 'Go to your account' }).click();
  await page.waitForURL(url('/account'));
  await page.getByTestId('account-email').waitFor();
  expect(await page.getByTestId('email-unverified').count()).toBe(0);

  // The same link again is used up.
  await page.goto(url(link));
  await page.getByTestId('email-not-verified').waitFor();
});
