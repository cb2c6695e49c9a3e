import type { PubAck, StoredMsg } from '@nats-io/jetstream';
import { DeadLetterHeaders, OPS_PAYLOAD_PREVIEW_CHARS, type OpsDeadLetter, type OpsReplay } from '@jetmart/common/contracts';

const decoder = new TextDecoder();

/** A DEADLETTER message as the API shows it: its headers spelled out, the payload previewed as text. */
export function presentDeadLetter(m: StoredMsg): OpsDeadLetter {
  const h = (name: string) => m.header?.get(name) ?? '';
  // A UTF-8 character is at most 4 bytes: this many bytes always hold the preview, and a payload
  // of megabytes is not decoded whole for it.
  const head = m.data.subarray(0, OPS_PAYLOAD_PREVIEW_CHARS * 4);
  return {
    seq: m.seq,
    subject: m.subject,
    originalSubject: h(DeadLetterHeaders.subject),
    consumer: h(DeadLetterHeaders.consumer),
    error: h(DeadLetterHeaders.error),
    deliveries: Number(h(DeadLetterHeaders.deliveries)) || 0,
    time: m.time.toISOString(),
    payload: decoder.decode(head).slice(0, OPS_PAYLOAD_PREVIEW_CHARS),
    payloadBytes: m.data.length,
  };
}

export function presentReplay(subject: string, ack: PubAck): OpsReplay {
  return { subject, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
}
