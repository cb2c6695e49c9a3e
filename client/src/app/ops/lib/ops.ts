import { randomUUID } from 'node:crypto';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
// Pure constants only (no nats/mongoose of common's service machinery): the contracts subpath.
import { DEAD_LETTER_SUBJECT_PREFIX, DeadLetterHeaders, Streams } from '@jetmart/common/contracts';
import { getCurrentUser } from '@/lib/server-api';
import { runtimeEnv } from '@/lib/env';
import type { User } from '@/lib/types';
import { isAdminEmail } from './admin';

/**
 * Server-side reads and actions of the operations page. Everything here runs in the Next.js
 * server only: the NATS monitoring port and the NATS connection are never exposed to the browser.
 */

/** Headers the listeners put on a dead-lettered copy. */
const DL = DeadLetterHeaders;
export const DEADLETTER_STREAM = Streams.deadLetter.name;
const MAX_DEAD_LETTERS_SHOWN = 100;
const TIMEOUT_MS = 3_000;

/** The signed-in user when their email is in ADMIN_EMAILS (comma-separated), else null. */
export async function currentAdmin(): Promise<User | null> {
  if (!runtimeEnv('ADMIN_EMAILS')) return null;
  const user = await getCurrentUser();
  return user && isAdminEmail(user.email) ? user : null;
}

const monitorUrl = () => runtimeEnv('NATS_MONITOR_URL') ?? 'http://127.0.0.1:8222';
const natsServers = () => (runtimeEnv('NATS_URL') ?? 'nats://127.0.0.1:4222').split(',');

async function monitor<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, monitorUrl()), { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`NATS monitoring ${path} answered ${res.status}`);
  return (await res.json()) as T;
}

export interface ConsumerRow {
  name: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  waiting: number;
}
export interface StreamRow {
  name: string;
  subjects: string[];
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  consumers: ConsumerRow[];
}
export interface ServerInfo {
  version: string;
  serverName: string;
  uptime: string;
  connections: number;
  inMsgs: number;
  outMsgs: number;
  memBytes: number;
}

interface JszResponse {
  account_details?: {
    name: string;
    stream_detail?: {
      name: string;
      config?: { subjects?: string[] };
      state: { messages: number; bytes: number; first_seq: number; last_seq: number };
      consumer_detail?: { name: string; num_pending: number; num_ack_pending: number; num_redelivered: number; num_waiting: number }[];
    }[];
  }[];
}

/** Streams and their consumers from `/jsz?streams=true&consumers=true&config=true`. */
export async function streams(): Promise<StreamRow[]> {
  const jsz = await monitor<JszResponse>('/jsz?streams=true&consumers=true&config=true');
  return (jsz.account_details ?? [])
    .flatMap((a) => a.stream_detail ?? [])
    .map((s) => ({
      name: s.name,
      subjects: s.config?.subjects ?? [],
      messages: s.state.messages,
      bytes: s.state.bytes,
      firstSeq: s.state.first_seq,
      lastSeq: s.state.last_seq,
      consumers: (s.consumer_detail ?? [])
        .map((c) => ({ name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered, waiting: c.num_waiting }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The server from `/varz`. */
export async function server(): Promise<ServerInfo> {
  const v = await monitor<{ version: string; server_name: string; uptime: string; connections: number; in_msgs: number; out_msgs: number; mem: number }>('/varz');
  return { version: v.version, serverName: v.server_name, uptime: v.uptime, connections: v.connections, inMsgs: v.in_msgs, outMsgs: v.out_msgs, memBytes: v.mem };
}

export interface ServiceReadiness {
  name: string;
  url: string;
  ready: boolean;
  detail: string;
}

/**
 * `name=baseUrl` pairs from OPS_SERVICE_URLS (comma-separated), defaulting to the local
 * platform's ports; in Kubernetes e.g. `auth=http://auth-srv:3000,...`.
 */
function serviceUrls(): [string, string][] {
  const configured = runtimeEnv('OPS_SERVICE_URLS') ??
    'auth=http://127.0.0.1:3001,products=http://127.0.0.1:3002,orders=http://127.0.0.1:3003,payments=http://127.0.0.1:3004,expiration=http://127.0.0.1:3005';
  return configured
    .split(',')
    .map((pair) => pair.trim().split('=') as [string, string])
    .filter(([name, url]) => name && url);
}

/** Each service's `/readyz` (its database and NATS connected). */
export async function readiness(): Promise<ServiceReadiness[]> {
  return Promise.all(
    serviceUrls().map(async ([name, base]) => {
      const url = new URL('/readyz', base).toString();
      try {
        const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) });
        return { name, url, ready: res.status === 200, detail: `HTTP ${res.status}` };
      } catch (err) {
        return { name, url, ready: false, detail: (err as Error).message || 'unreachable' };
      }
    }),
  );
}

async function withJetStream<T>(fn: (jsm: JetStreamManager, nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: natsServers(), name: 'storefront-ops', timeout: TIMEOUT_MS, reconnect: false });
  try {
    return await fn(await jetstreamManager(nc, { timeout: TIMEOUT_MS }), nc);
  } finally {
    await nc.close();
  }
}

export interface DeadLetter {
  seq: number;
  subject: string;
  originalSubject: string;
  consumer: string;
  error: string;
  deliveries: number;
  time: string;
  payload: string;
}

/** The dead-lettered messages (oldest first, at most MAX_DEAD_LETTERS_SHOWN) read from the stream. */
export async function deadLetters(): Promise<{ total: number; messages: DeadLetter[] }> {
  return withJetStream(async (jsm) => {
    const info = await jsm.streams.info(DEADLETTER_STREAM);
    const messages: DeadLetter[] = [];
    let seq = info.state.first_seq;
    while (messages.length < MAX_DEAD_LETTERS_SHOWN && seq <= info.state.last_seq && info.state.messages > 0) {
      let m;
      try {
        m = await jsm.streams.getMessage(DEADLETTER_STREAM, { seq });
      } catch {
        m = null; // deleted (replayed) sequence: a gap
      }
      if (m) {
        messages.push({
          seq: m.seq,
          subject: m.subject,
          originalSubject: m.header?.get(DL.subject) ?? '',
          consumer: m.header?.get(DL.consumer) ?? '',
          error: m.header?.get(DL.error) ?? '',
          deliveries: Number(m.header?.get(DL.deliveries) ?? 0),
          time: m.time.toISOString(),
          payload: m.string().slice(0, 2000),
        });
      }
      seq++;
    }
    return { total: info.state.messages, messages };
  });
}

export class ReplayError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * Republishes a dead-lettered payload to its original subject with a fresh message id (the
 * original id is inside the duplicate window or was already seen), then deletes it from
 * DEADLETTER. Every durable on that subject gets it again, not only the one that failed: the
 * consumers are idempotent (duplicates and replays have no second effect).
 */
export async function replayDeadLetter(seq: number): Promise<{ subject: string; stream: string; seq: number }> {
  return withJetStream(async (jsm, nc) => {
    let m;
    try {
      m = await jsm.streams.getMessage(DEADLETTER_STREAM, { seq });
    } catch {
      m = null;
    }
    if (!m) throw new ReplayError(`No dead-lettered message ${seq}`, 404);
    const subject = m.header?.get(DL.subject);
    if (!subject || subject.startsWith(DEAD_LETTER_SUBJECT_PREFIX)) throw new ReplayError(`Message ${seq} has no original subject to replay to`, 409);
    const h = natsHeaders();
    const traceparent = m.header?.get('traceparent');
    if (traceparent) h.set('traceparent', traceparent);
    h.set('Jetmart-Replayed-From', `${DEADLETTER_STREAM}/${seq}`);
    const ack = await jetstream(nc).publish(subject, m.data, { msgID: `replay-${seq}-${randomUUID()}`, headers: h });
    await jsm.streams.deleteMessage(DEADLETTER_STREAM, seq);
    return { subject, stream: ack.stream, seq: ack.seq };
  });
}
