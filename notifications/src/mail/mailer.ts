import nodemailer from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** `<…@…>`: derived from the notification record's key, the same on every attempt. */
  messageId: string;
}

/**
 * What a send came to. `rejected`: the server refused it for good (SMTP 5xx: no such mailbox, a
 * policy refusal); sending it again cannot help. `unavailable`: anything else (no connection, a
 * timeout, a 4xx "try later"): it goes out once the server is back.
 */
export type SendOutcome = { kind: 'accepted' } | { kind: 'rejected'; reason: string } | { kind: 'unavailable'; reason: string };

export interface Mailer {
  send(mail: OutgoingMail): Promise<SendOutcome>;
  close(): void;
}

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
}

/** A permanent refusal is a 5xx reply from the server; everything else may pass later. */
export function classifySmtpError(err: unknown): Exclude<SendOutcome, { kind: 'accepted' }> {
  const e = (err ?? {}) as SmtpError;
  const reason = (e.response || e.message || String(err)).replace(/[\r\n]+/g, ' ').slice(0, 500);
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
    return { kind: 'rejected', reason: `${e.responseCode} ${reason}` };
  }
  return { kind: 'unavailable', reason: e.code ? `${e.code}: ${reason}` : reason };
}

/**
 * A Nodemailer SMTP transport for `SMTP_URL`. Pooled connections (one per service instance is
 * plenty), short timeouts so a dead server turns into a retry instead of a stuck handler.
 */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 2,
    connectionTimeout: 5_000,
    greetingTimeout: 5_000,
    socketTimeout: 20_000,
  });
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          messageId: mail.messageId,
        });
        // A server that accepts the message but not the (only) recipient reports it here.
        if (info.rejected.length > 0)
          return { kind: 'rejected', reason: `recipient refused: ${String(info.response ?? '')}`.slice(0, 500) };
        return { kind: 'accepted' };
      } catch (err) {
        return classifySmtpError(err);
      }
    },
    close() {
      transport.close();
    },
  };
}
