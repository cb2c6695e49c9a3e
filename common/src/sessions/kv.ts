import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';

export type { KV as KeyValueBucket } from '@nats-io/kv';

/** Opens the JetStream key-value bucket `name`, creating it (history 1, age limit `ttlMs`) when missing. */
export function keyValueBucket(nc: NatsConnection, name: string, ttlMs: number): Promise<KV> {
  return new Kvm(nc).create(name, { history: 1, ttl: ttlMs });
}

/** The error of a compare-and-set KV write that lost to another writer (create of an existing key, update at an old revision). */
export const isKeyValueRace = (err: unknown) => /wrong last sequence|key exists/i.test(String((err as Error)?.message));
