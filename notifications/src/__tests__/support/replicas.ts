import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventually, freePort, TEST_JWT_KEY } from '@jetmart/common/testing';

/** The built service (`npm run build -w common -w notifications`), as production runs it. */
export const NOTIFICATIONS_DIST = resolve(__dirname, '..', '..', '..', 'dist', 'index.js');

export interface NotificationsProcess {
  name: string;
  port: number;
  child: ChildProcess;
  /** Mails this process says it sent (the sum of `sent` over its `notified` log lines). */
  sent(): number;
  /** How many of its log lines had this message. */
  logged(msg: string): number;
  /** Its last lines of output (for a failure message). */
  tail(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * One notifications replica as its own OS process (the built dist/index.js, as in production),
 * on its own port, against the given database, NATS and mail server. It logs JSON at info, so
 * what it sent can be read from its `notified` lines.
 */
export async function startNotificationsProcess(opts: {
  name: string;
  mongoUrl: string;
  natsUrl: string;
  smtpUrl: string;
  publicUrl: string;
}): Promise<NotificationsProcess> {
  if (!existsSync(NOTIFICATIONS_DIST)) {
    throw new Error(`${NOTIFICATIONS_DIST} is missing: run \`npm run build -w common -w notifications\``);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [NOTIFICATIONS_DIST], {
    env: {
      ...process.env,
      PORT: String(port),
      MONGO_URL: opts.mongoUrl,
      NATS_URL: opts.natsUrl,
      SMTP_URL: opts.smtpUrl,
      PUBLIC_URL: opts.publicUrl,
      SHOP_NAME: 'Test Shop',
      MAIL_FROM: 'Test Shop <shop@test.dev>',
      JWT_KEY: process.env.JWT_KEY ?? TEST_JWT_KEY,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let sent = 0;
  const logged = new Map<string, number>();
  let tail = '';
  let partial = '';
  child.stdout!.on('data', (b: Buffer) => {
    const text = partial + b.toString();
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail = (tail + line + '\n').slice(-8000);
      try {
        const entry = JSON.parse(line) as { msg?: string; sent?: number };
        if (typeof entry.msg === 'string') logged.set(entry.msg, (logged.get(entry.msg) ?? 0) + 1);
        if (entry.msg === 'notified') sent += entry.sent ?? 0;
      } catch {
        // not a log line of ours
      }
    }
  });
  child.stderr!.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-8000)));
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', () => done());
      child.kill(signal);
    });
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode}: ${tail}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok;
      },
      60_000,
      100,
    );
  } catch (err) {
    await stop('SIGKILL');
    throw new Error(`${opts.name} did not become ready: ${(err as Error).message}; output: ${tail}`);
  }
  return { name: opts.name, port, child, sent: () => sent, logged: (msg) => logged.get(msg) ?? 0, tail: () => tail, stop };
}
