import { streamOf, type EventBus, type Listener, type Subject } from '@jetmart/common';
import { eventually, type MailpitServer, type MailSummary } from '@jetmart/common/testing';

/** `to|subject` of a delivered mail: what the tests count. */
export const mailKey = (to: string, subject: string) => `${to}|${subject}`;

/** Every mail Mailpit holds, counted by recipient and subject. */
export async function mailCounts(mailpit: MailpitServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await mailpit.messages()) {
    for (const to of m.To ?? []) out[mailKey(to.Address, m.Subject)] = (out[mailKey(to.Address, m.Subject)] ?? 0) + 1;
  }
  return out;
}

/** Waits until Mailpit holds at least `n` messages; resolves to them. */
export async function mailsArrive(mailpit: MailpitServer, n: number, timeoutMs = 30_000): Promise<MailSummary[]> {
  let seen = 0;
  return eventually(
    async () => {
      const all = await mailpit.messages();
      seen = all.length;
      return all.length >= n ? all : undefined;
    },
    timeoutMs,
    250,
  ).catch((err: Error) => {
    throw new Error(`${seen} of ${n} mails arrived: ${err.message}`);
  });
}

/** Every listener's durable has delivered everything and has nothing awaiting an ack. */
export async function drained(bus: EventBus, listeners: Listener<Subject>[], timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      for (const l of listeners) {
        const info = await bus.jsm.consumers.info(streamOf(l.subject), l.durableName);
        if (info.num_pending + info.num_ack_pending > 0) return false;
      }
      return true;
    },
    timeoutMs,
    100,
  );
}

/** Publishes an event as a new stream message (its own msgID), as a redelivery or a duplicate publish would arrive. */
export async function publishAgain(bus: EventBus, event: { id: string; subject: string }, copy = 'again'): Promise<number> {
  return (await bus.js.publish(event.subject, JSON.stringify(event), { msgID: `${event.id}-${copy}` })).seq;
}
