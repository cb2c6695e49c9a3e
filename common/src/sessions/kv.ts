import { Kvm, type KV } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';

export type { KV as KeyValueBucket } from '@nats-io/kv';

/**
 * Opens the JetStream key-value bucket `name`, creating it (history 1, age limit `ttlMs`,
 * `replicas` copies: the bus's, JETSTREAM_REPLICAS) when missing. An existing bucket with another
 * replica count is scaled to it: opening a bucket never changes its config otherwise, and an R1
 * bucket on a cluster is lost with its one node.
 */
export async function keyValueBucket(nc: NatsConnection, name: string, ttlMs: number, replicas = 1): Promise<KV> {
  const kv = await new Kvm(nc).create(name, { history: 1, ttl: ttlMs, replicas });
  const status = await kv.status();
  if (status.replicas !== replicas) {
    const jsm = await jetstreamManager(nc);
    const stream = status.streamInfo.config;
    await jsm.streams.update(stream.name, { ...stream, num_replicas: replicas });
  }
  return kv;
}

/** The error of a compare-and-set KV write that lost to another writer (create of an existing key, update at an old revision). */
export const isKeyValueRace = (err: unknown) => /wrong last sequence|key exists/i.test(String((err as Error)?.message));
