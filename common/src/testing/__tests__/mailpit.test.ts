import { connect, type Socket } from 'node:net';
import { startMailpit, type MailpitServer } from '..';

/**
 * A minimal SMTP client over a socket (common has no mail library; the services use Nodemailer):
 * each command waits for its reply and checks the code, so a refusal fails the test.
 */
async function smtpSession(port: number): Promise<{ send(line: string, expect: number): Promise<string>; close(): void }> {
  const socket: Socket = connect(port, '127.0.0.1');
  let buffer = '';
  let waiting: ((reply: string) => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  const deliver = () => {
    // A reply is complete at a line "NNN text" (a multi-line reply uses "NNN-text" before it).
    const m = /(?:^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
    if (m && waiting) {
      const reply = buffer.slice(0, m.index + m[0].length);
      buffer = buffer.slice(reply.length);
      const w = waiting;
      waiting = undefined;
      w(reply);
    }
  };
  socket.on('data', (b: Buffer) => {
    buffer += b.toString();
    deliver();
  });
  socket.on('error', (err) => failed?.(err));
  const next = (expect: number) =>
    new Promise<string>((resolve, reject) => {
      failed = reject;
      waiting = (reply) => {
        const code = Number(reply.trimEnd().split('\r\n').pop()!.slice(0, 3));
        if (code === expect) resolve(reply);
        else reject(new Error(`expected ${expect}, got ${reply}`));
      };
      deliver();
    });
  await next(220);
  return {
    send: (line, expect) => {
      socket.write(`${line}\r\n`);
      return next(expect);
    },
    close: () => socket.destroy(),
  };
}

async function sendMail(
  port: number,
  mail: { from: string; to: string; subject: string; text: string; html: string; messageId: string },
  auth?: { user: string; pass: string },
): Promise<void> {
  const smtp = await smtpSession(port);
  try {
    await smtp.send('EHLO test.jetmart.dev', 250);
    if (auth) await smtp.send(`AUTH PLAIN ${Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64')}`, 235);
    await smtp.send(`MAIL FROM:<${mail.from}>`, 250);
    await smtp.send(`RCPT TO:<${mail.to}>`, 250);
    await smtp.send('DATA', 354);
    const boundary = 'jetmart-test-boundary';
    const body = [
      `From: Jetmart <${mail.from}>`,
      `To: <${mail.to}>`,
      `Subject: ${mail.subject}`,
      `Message-ID: <${mail.messageId}>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      mail.text,
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      mail.html,
      `--${boundary}--`,
      '.',
    ].join('\r\n');
    await smtp.send(body, 250);
    await smtp.send('QUIT', 221);
  } finally {
    smtp.close();
  }
}

const mail = (n: number) => ({
  from: 'shop@jetmart.dev',
  to: `buyer${n}@test.dev`,
  subject: `Order ${n} confirmed`,
  text: `Your order ${n} is confirmed.`,
  html: `<p>Your order <b>${n}</b> is confirmed.</p>`,
  messageId: `order-${n}@jetmart.dev`,
});

describe('startMailpit', () => {
  let mailpit: MailpitServer;
  beforeAll(async () => {
    mailpit = await startMailpit();
  });
  afterAll(async () => {
    await mailpit?.destroy();
  });
  beforeEach(async () => {
    await mailpit.deleteAll();
  });

  it('receives mail over real SMTP and shows it through the HTTP API with both bodies', async () => {
    expect(mailpit.smtpUrl).toBe(`smtp://127.0.0.1:${mailpit.smtpPort}`);
    await sendMail(mailpit.smtpPort, mail(1));

    const list = await mailpit.messages();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      Subject: 'Order 1 confirmed',
      MessageID: 'order-1@jetmart.dev',
      From: { Address: 'shop@jetmart.dev', Name: 'Jetmart' },
      To: [{ Address: 'buyer1@test.dev' }],
    });

    const full = await mailpit.message(list[0]!.ID);
    expect(full.Text.trim()).toBe('Your order 1 is confirmed.');
    expect(full.HTML).toContain('<b>1</b>');
    expect(await mailpit.raw(list[0]!.ID)).toContain('Message-ID: <order-1@jetmart.dev>');
    // Keys are Go's canonical MIME header names.
    expect((await mailpit.headers(list[0]!.ID))['Message-Id']).toEqual(['<order-1@jetmart.dev>']);
  });

  it('lists every message, beyond one API page (50), and deleteAll empties it', async () => {
    for (let n = 0; n < 55; n++) await sendMail(mailpit.smtpPort, mail(n));
    const list = await mailpit.messages();
    expect(list).toHaveLength(55);
    expect(new Set(list.map((m) => m.MessageID)).size).toBe(55);

    await mailpit.deleteAll();
    expect(await mailpit.messages()).toEqual([]);
  });

  it('accepts any SMTP credentials over plain SMTP (as a service with SMTP_URL user:pass sends them)', async () => {
    await sendMail(mailpit.smtpPort, mail(2), { user: 'jetmart', pass: 'secret' });
    expect((await mailpit.messages()).map((m) => m.Subject)).toEqual(['Order 2 confirmed']);
  });

  it('stops (SMTP refused) and starts again on the same ports with the mail it had', async () => {
    await sendMail(mailpit.smtpPort, mail(3));
    const { smtpUrl, httpUrl } = mailpit;

    await mailpit.stop();
    expect(mailpit.pid).toBeUndefined();
    await expect(sendMail(mailpit.smtpPort, mail(4))).rejects.toThrow(/ECONNREFUSED/);

    await mailpit.start();
    expect(mailpit.pid).toBeDefined();
    expect([mailpit.smtpUrl, mailpit.httpUrl]).toEqual([smtpUrl, httpUrl]);
    await sendMail(mailpit.smtpPort, mail(5));
    expect((await mailpit.messages()).map((m) => m.Subject).sort()).toEqual(['Order 3 confirmed', 'Order 5 confirmed']);
  });
});

describe('startMailpit without a runnable binary', () => {
  const saved = process.env.MAILPIT_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.MAILPIT_BIN;
    else process.env.MAILPIT_BIN = saved;
  });

  it('fails at once with a message naming the binary (npm start then runs without mail)', async () => {
    process.env.MAILPIT_BIN = '/nonexistent/mailpit';
    await expect(startMailpit()).rejects.toThrow(
      /mailpit \(\/nonexistent\/mailpit\) could not be started: spawn \/nonexistent\/mailpit ENOENT/,
    );
  });
});
