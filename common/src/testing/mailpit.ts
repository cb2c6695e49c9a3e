import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, mailpitBinary, startOnFreePorts } from './servers';

/**
 * Mailpit (pinned in scripts/versions.env, built by scripts/ensure-bins.sh; MAILPIT_BIN overrides):
 * a real SMTP server whose HTTP API shows what it was given, so tests send through real SMTP and
 * read the delivered mail back. The shapes below are Mailpit's own API v1 (/api/v1/messages,
 * /api/v1/message/{id}).
 */

export interface MailAddress {
  Name: string;
  Address: string;
}

/** One entry of `GET /api/v1/messages` (newest first). */
export interface MailSummary {
  /** Mailpit's database id (for `message(id)`). */
  ID: string;
  /** The Message-ID header, without angle brackets. */
  MessageID: string;
  Read: boolean;
  From: MailAddress | null;
  To: MailAddress[] | null;
  Cc: MailAddress[] | null;
  Bcc: MailAddress[] | null;
  ReplyTo: MailAddress[] | null;
  Subject: string;
  /** When Mailpit received it (RFC 3339). */
  Created: string;
  Username: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
}

/** `GET /api/v1/message/{id}`: the parsed message with its plain-text and HTML bodies. */
export interface MailMessage {
  ID: string;
  MessageID: string;
  From: MailAddress | null;
  To: MailAddress[] | null;
  Cc: MailAddress[] | null;
  Bcc: MailAddress[] | null;
  ReplyTo: MailAddress[] | null;
  ReturnPath: string;
  Subject: string;
  Date: string;
  Tags: string[];
  Text: string;
  HTML: string;
  Size: number;
  Inline: unknown[];
  Attachments: unknown[];
}

export interface MailpitServer {
  /** Where to send mail: `smtp://127.0.0.1:<port>` (no TLS, any or no credentials accepted). */
  smtpUrl: string;
  smtpPort: number;
  /** The web UI and HTTP API. */
  httpUrl: string;
  httpPort: number;
  /** The SQLite file holding the mail (kept across stop/start). */
  database: string;
  /** The mailpit process's pid (undefined while it is stopped). */
  readonly pid: number | undefined;
  /** Every message held, newest first. */
  messages(): Promise<MailSummary[]>;
  /** One message with its Text and HTML bodies. */
  message(id: string): Promise<MailMessage>;
  /** The raw RFC 5322 source of a message (headers such as Message-ID exactly as sent). */
  raw(id: string): Promise<string>;
  /** The message's headers, each with all its values (keys in Go's canonical form: `Message-Id`). */
  headers(id: string): Promise<Record<string, string[]>>;
  deleteAll(): Promise<void>;
  /** Stops it (SIGTERM, or SIGKILL) and keeps the mail: an outage of the mail server. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports with the same mail. */
  start(): Promise<void>;
  /** Stops it and deletes its data (unless it was given a `dataDir`). */
  destroy(): Promise<void>;
}

async function smtpAnswers(port: number): Promise<boolean> {
  // Ready when the SMTP listener greets (220), not only when the HTTP side is up.
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('data', (b: Buffer) => finish(b.toString().startsWith('220')));
  });
}

/**
 * Starts Mailpit on free SMTP and HTTP ports (or the given ones) with its mail in a temp SQLite
 * file, or in `<dataDir>/mailpit.db` when `dataDir` is given (kept on destroy). `maxMessages`:
 * Mailpit prunes the oldest beyond it (its default is 500); 0, the default here, keeps every one
 * so a count over a burst is exact. `detached`: in its own process group (see startOnFreePorts).
 */
export async function startMailpit(
  opts: { smtpPort?: number; httpPort?: number; dataDir?: string; maxMessages?: number; detached?: boolean } = {},
): Promise<MailpitServer> {
  const bin = mailpitBinary();
  if (!bin) throw new Error('mailpit binary not found: run `bash scripts/ensure-bins.sh`, or set MAILPIT_BIN');
  const keep = opts.dataDir !== undefined;
  const dir = keep ? resolve(opts.dataDir!) : mkdtempSync(join(tmpdir(), 'jetmart-mailpit-'));
  if (keep) mkdirSync(dir, { recursive: true });
  const database = join(dir, 'mailpit.db');
  const chosen = opts.smtpPort !== undefined || opts.httpPort !== undefined;
  const proc = await startOnFreePorts({
    name: 'mailpit',
    bin,
    portCount: 2,
    ...(chosen ? { ports: [opts.smtpPort ?? (await freePort()), opts.httpPort ?? (await freePort())] } : {}),
    args: ([smtp, http]) => [
      '--smtp',
      `127.0.0.1:${smtp}`,
      '--listen',
      `127.0.0.1:${http}`,
      '--database',
      database,
      '--max',
      String(opts.maxMessages ?? 0),
      // Services may send credentials in SMTP_URL (as they would to a real relay) over plain SMTP.
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      // No network lookups: no reverse DNS of clients, no check for a newer release.
      '--smtp-disable-rdns',
      '--disable-version-check',
      '--quiet',
    ],
    ready: async ([smtp, http]) => (await fetch(`http://127.0.0.1:${http}/readyz`)).ok && (await smtpAnswers(smtp!)),
    detached: opts.detached ?? false,
  }).catch((err: unknown) => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const [smtpPort, httpPort] = proc.ports as [number, number];
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const api = async (path: string, init?: RequestInit): Promise<Response> => {
    const res = await fetch(`${httpUrl}${path}`, init);
    if (!res.ok) throw new Error(`mailpit ${init?.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    smtpPort,
    httpUrl,
    httpPort,
    database,
    get pid() {
      return proc.pid;
    },
    // limit=0 is Mailpit's "no limit" (its default page is 50).
    messages: async () => ((await (await api('/api/v1/messages?limit=0')).json()) as { messages: MailSummary[] }).messages,
    message: async (id) => (await (await api(`/api/v1/message/${encodeURIComponent(id)}`)).json()) as MailMessage,
    raw: async (id) => (await api(`/api/v1/message/${encodeURIComponent(id)}/raw`)).text(),
    headers: async (id) => (await (await api(`/api/v1/message/${encodeURIComponent(id)}/headers`)).json()) as Record<string, string[]>,
    deleteAll: async () => void (await api('/api/v1/messages', { method: 'DELETE' })),
    stop: (signal = 'SIGTERM') => proc.stop(signal),
    start: () => proc.start(),
    destroy: async () => {
      await proc.stop();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
