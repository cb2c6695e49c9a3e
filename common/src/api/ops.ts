/**
 * The records of the ops service's API (`/api/ops`, admins only), as the storefront's operations
 * page reads them. Pure types and constants, like records.ts.
 */

/** A part of the status that is read from elsewhere (NATS monitoring, JetStream) and may be unavailable. */
export type OpsPart<T> = { ok: true; data: T } | { ok: false; error: string };

/** The NATS server, from its monitoring endpoint `/varz`. */
export interface OpsServerInfo {
  version: string;
  serverName: string;
  uptime: string;
  connections: number;
  inMsgs: number;
  outMsgs: number;
  memBytes: number;
}

export interface OpsConsumer {
  name: string;
  pending: number;
  ackPending: number;
  redelivered: number;
  waiting: number;
}

export interface OpsStream {
  name: string;
  subjects: string[];
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  consumers: OpsConsumer[];
}

/** One service's `/readyz`: ready means HTTP 200 (its database and NATS connected). */
export interface OpsServiceReadiness {
  name: string;
  url: string;
  ready: boolean;
  detail: string;
}

/** GET /api/ops/status */
export interface OpsStatus {
  server: OpsPart<OpsServerInfo>;
  streams: OpsPart<OpsStream[]>;
  services: OpsServiceReadiness[];
}

/** One message of the DEADLETTER stream, with the headers the listener that gave up put on it. */
export interface OpsDeadLetter {
  /** Its sequence in DEADLETTER (what replay takes). */
  seq: number;
  /** `deadletter.<durable>` */
  subject: string;
  originalSubject: string;
  consumer: string;
  error: string;
  deliveries: number;
  /** When it was dead-lettered (ISO 8601). */
  time: string;
  /** The start of the payload as text (at most OPS_PAYLOAD_PREVIEW_CHARS characters). */
  payload: string;
  /** The payload's full size. */
  payloadBytes: number;
}

/** GET /api/ops/deadletters: the oldest `limit` messages, and how many there are. */
export interface OpsDeadLetterPage {
  total: number;
  messages: OpsDeadLetter[];
}

/** POST /api/ops/deadletters/:seq/replay: where the payload was republished. */
export interface OpsReplay {
  subject: string;
  stream: string;
  seq: number;
  /** JetStream had seen this replay already (a retried replay): nothing was published twice. */
  duplicate: boolean;
}

export const OPS_DEAD_LETTERS_DEFAULT_LIMIT = 100;
export const OPS_DEAD_LETTERS_MAX_LIMIT = 500;
export const OPS_PAYLOAD_PREVIEW_CHARS = 2000;
