import type { Express } from 'express';
import mongoose from 'mongoose';
import { createLogger, EventBus, makeEvent, Subjects, type EventData, type ListenerOptions } from '@jetmart/common';
import { TEST_JWT_KEY } from '@jetmart/common/testing';
import { buildApp } from '../../app';
import { IndexFollower } from '../../background/index-follower';
import { SearchIndex } from '../../engine/search-index';
import { searchListeners } from '../../events/listeners';
import type { SearchModels } from '../../models';

export const ADMIN = { id: '64b00000000000000000ad01', email: 'admin@test.dev' };
export const oid = () => new mongoose.Types.ObjectId().toHexString();

/** Fast retries: a gap waits 50–200 ms instead of seconds. */
export const FAST: ListenerOptions = { backoffMs: 50, maxBackoffMs: 200, maxWaits: 400, ackWaitMs: 5_000 };

/** One replica of search as runService wires it: its own bus, the shared durables, its own index and follower, its app. */
export interface Instance {
  bus: EventBus;
  index: SearchIndex;
  follower: IndexFollower;
  app: Express;
  stop(): Promise<void>;
}

export async function startInstance(opts: {
  natsUrl: string;
  models: SearchModels;
  name: string;
  listeners?: ListenerOptions;
}): Promise<Instance> {
  const logger = createLogger(opts.name, { level: 'silent' });
  const bus = await EventBus.connect({ servers: opts.natsUrl, name: opts.name, logger });
  await bus.ensureStreams();
  const listeners = searchListeners(bus, { models: opts.models }, opts.listeners ?? FAST);
  for (const l of listeners) await l.start();
  const index = new SearchIndex();
  const follower = new IndexFollower({ bus, index, logger }).start();
  const app = buildApp(
    { logger, isReady: () => bus.connected, models: opts.models, bus },
    { jwtKey: TEST_JWT_KEY, jwtTtlSeconds: 3600, admins: new Set([ADMIN.email]), index, indexReady: () => follower.ready },
  );
  return {
    bus,
    index,
    follower,
    app,
    async stop() {
      await follower.stop();
      for (const l of listeners) await l.stop();
      await bus.drain();
    },
  };
}

type ProductData = EventData<typeof Subjects.ProductCreated>;

/** A product's event data at `version` (valid, every optional field filled). */
export function product(id: string, version: number, over: Partial<ProductData> = {}): ProductData {
  return {
    id,
    title: `Product ${id.slice(-4)}`,
    priceMinor: 1_999,
    quantity: 3,
    userId: '64b0000000000000000000aa',
    listed: true,
    description: 'A thing',
    category: 'other',
    images: [],
    createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    version,
    ...over,
  };
}

export const created = (data: ProductData) => makeEvent(Subjects.ProductCreated, data);
export const updated = (data: ProductData) => makeEvent(Subjects.ProductUpdated, data);
export const stock = (id: string, version: number, inStock: boolean) =>
  makeEvent(Subjects.ProductStockChanged, { id, inStock, available: inStock ? 2 : 0, version });
export const rating = (id: string, version: number, ratingCount: number, ratingSum: number) =>
  makeEvent(Subjects.ProductRatingChanged, { id, ratingCount, ratingSum, version });
