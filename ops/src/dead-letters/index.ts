import type { JetStreamClient, JetStreamManager, MsgRequest, PubAck, StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { DEAD_LETTER_SUBJECT_PREFIX, DeadLetterHeaders, Streams, streamOf } from '@jetmart/common/contracts';

export const DEADLETTER_STREAM = Streams.deadLetter.name;
/** Header on a replayed copy: where it came from (`DEADLETTER/<seq>`). */
export const REPLAYED_FROM_HEADER = 'Jetmart-Replayed-From';

export interface DeadLetterDeps {
  jsm: JetStreamManager;
  js: JetStreamClient;
}

/**
 * The first message at or after `seq`. `next_by_subj` makes the server skip deleted sequences
 * (replayed messages leave gaps), so a page costs one request per message, not one per sequence.
 * The client's types only know `seq`/`last_by_subj`; the server's MSG.GET API takes both fields.
 */
const nextAtOrAfter = (jsm: JetStreamManager, seq: number) =>
  jsm.streams.getMessage(DEADLETTER_STREAM, { seq, next_by_subj: `${DEAD_LETTER_SUBJECT_PREFIX}>` } as unknown as MsgRequest);

/** The oldest `limit` dead-lettered messages, and how many there are. */
export async function listDeadLetters(jsm: JetStreamManager, limit: number): Promise<{ total: number; messages: StoredMsg[] }> {
  const info = await jsm.streams.info(DEADLETTER_STREAM);
  const messages: StoredMsg[] = [];
  let seq = info.state.first_seq;
  while (messages.length < limit && info.state.messages > 0 && seq <= info.state.last_seq) {
    const m = await nextAtOrAfter(jsm, seq);
    if (!m) break;
    messages.push(m);
    seq = m.seq + 1;
  }
  return { total: info.state.messages, messages };
}

/** A subject one can publish to: dot-separated non-empty tokens, no wildcards, no whitespace. */
const isPublishable = (subject: string) =>
  subject.length <= 256 && subject.split('.').every((t) => t.length > 0 && t !== '*' && t !== '>' && !/[\s*>]/.test(t));

function replayTarget(subject: string): { subject: string; stream: string } | null {
  if (!subject || !isPublishable(subject) || subject.startsWith(DEAD_LETTER_SUBJECT_PREFIX)) return null;
  try {
    const stream = streamOf(subject);
    return stream === DEADLETTER_STREAM ? null : { subject, stream };
  } catch {
    return null;
  }
}

export type ReplayOutcome =
  { kind: 'replayed'; subject: string; ack: PubAck } | { kind: 'not-found' } | { kind: 'no-original-subject'; subject: string };

/**
 * Republishes a dead-lettered payload, unchanged, to its original subject, then deletes it from
 * DEADLETTER. Every durable on that subject gets it again, not only the one that failed: the
 * consumers are idempotent (duplicates and replays have no second effect).
 *
 * The message id is new (the original id was seen already, or is still in the duplicate window)
 * but fixed for this dead letter (its stream, sequence and time): a replay retried after the
 * publish but before the delete, or two admins pressing Replay at once, publish it only once.
 */
export async function replayDeadLetter(deps: DeadLetterDeps, seq: number): Promise<ReplayOutcome> {
  const m = await deps.jsm.streams.getMessage(DEADLETTER_STREAM, { seq });
  if (!m) return { kind: 'not-found' };
  const original = m.header?.get(DeadLetterHeaders.subject) ?? '';
  const target = replayTarget(original);
  if (!target) return { kind: 'no-original-subject', subject: original };
  const h = natsHeaders();
  const traceparent = m.header?.get('traceparent');
  if (traceparent) h.set('traceparent', traceparent);
  h.set(REPLAYED_FROM_HEADER, `${DEADLETTER_STREAM}/${seq}`);
  const ack = await deps.js.publish(target.subject, m.data, { msgID: `replay-${DEADLETTER_STREAM}-${seq}-${m.timestamp}`, headers: h });
  // Already gone means a concurrent replay of the same message deleted it: same outcome.
  await deps.jsm.streams.deleteMessage(DEADLETTER_STREAM, seq).catch(async (err) => {
    if (await deps.jsm.streams.getMessage(DEADLETTER_STREAM, { seq })) throw err;
  });
  return { kind: 'replayed', subject: target.subject, ack };
}
