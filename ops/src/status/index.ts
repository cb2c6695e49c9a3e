import type { JetStreamManager } from '@nats-io/jetstream';
import type { OpsPart, OpsServerInfo, OpsServiceReadiness, OpsStatus, OpsStream } from '@jetmart/common/contracts';

/** Each remote read of the status gets this long: a stuck dependency must not hang the page. */
export const STATUS_TIMEOUT_MS = 3_000;

export interface StatusDeps {
  jsm: JetStreamManager;
  /** NATS monitoring origin (for /varz), when configured. */
  monitorUrl?: string;
  services: { name: string; url: string }[];
}

const messageOf = (err: unknown) => (err as Error)?.message || 'unavailable';

async function part<T>(read: () => Promise<T>): Promise<OpsPart<T>> {
  try {
    return { ok: true, data: await read() };
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
}

interface Varz {
  version: string;
  server_name: string;
  uptime: string;
  connections: number;
  in_msgs: number;
  out_msgs: number;
  mem: number;
}

/** The server from NATS monitoring's `/varz`. */
export async function serverInfo(monitorUrl: string | undefined): Promise<OpsServerInfo> {
  if (!monitorUrl) throw new Error('NATS_MONITOR_URL is not set');
  const res = await fetch(new URL('/varz', monitorUrl), { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`NATS monitoring /varz answered ${res.status}`);
  const v = (await res.json()) as Varz;
  return {
    version: v.version,
    serverName: v.server_name,
    uptime: v.uptime,
    connections: v.connections,
    inMsgs: v.in_msgs,
    outMsgs: v.out_msgs,
    memBytes: v.mem,
  };
}

/** Every stream and its consumers, through the JetStream API (no monitoring port needed). */
export async function streams(jsm: JetStreamManager): Promise<OpsStream[]> {
  const out: OpsStream[] = [];
  for await (const s of jsm.streams.list()) {
    const consumers = [];
    for await (const c of jsm.consumers.list(s.config.name)) {
      consumers.push({
        name: c.name,
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        redelivered: c.num_redelivered,
        waiting: c.num_waiting,
      });
    }
    out.push({
      name: s.config.name,
      subjects: s.config.subjects ?? [],
      messages: s.state.messages,
      bytes: s.state.bytes,
      firstSeq: s.state.first_seq,
      lastSeq: s.state.last_seq,
      consumers: consumers.sort((a, b) => a.name.localeCompare(b.name)),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Each service's `/readyz`; an unreachable one is reported, never thrown. */
export function readiness(services: { name: string; url: string }[]): Promise<OpsServiceReadiness[]> {
  return Promise.all(
    services.map(async ({ name, url: base }) => {
      const url = new URL('/readyz', base).toString();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
        await res.arrayBuffer();
        return { name, url, ready: res.status === 200, detail: `HTTP ${res.status}` };
      } catch (err) {
        return { name, url, ready: false, detail: messageOf(err) };
      }
    }),
  );
}

/**
 * The whole status. Each part is read independently: NATS monitoring being down still shows the
 * streams and the services, and the other way round.
 */
export async function readStatus(deps: StatusDeps): Promise<OpsStatus> {
  const [server, js, services] = await Promise.all([
    part(() => serverInfo(deps.monitorUrl)),
    part(() => withTimeout(streams(deps.jsm))),
    readiness(deps.services),
  ]);
  return { server, streams: js, services };
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`JetStream did not answer within ${STATUS_TIMEOUT_MS} ms`)), STATUS_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
