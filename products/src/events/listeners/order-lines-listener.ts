import { Listener, stringField, type EventBus, type ListenerOptions, type Subjects } from '@jetmart/common';
import type { ProductsModels } from '../../models';

/**
 * The ordering key of an order event here: the products of its lines. Two orders of one product
 * then take their ledger moves and stock recomputes in turn (a recompute that races another of
 * the same product starts over), while orders of other products run beside them. From the raw
 * event, before validation: a malformed one gets no key.
 */
export function orderProductsKey(data: unknown): string | undefined {
  const items = (data as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  const ids = new Set<string>();
  for (const line of items) {
    const id = stringField(line, 'productId');
    if (id !== undefined) ids.add(id);
  }
  return ids.size ? [...ids].sort().join(',') : undefined;
}

type OrderSubject = typeof Subjects.OrderCreated | typeof Subjects.OrderCancelled | typeof Subjects.OrderCompleted;

/**
 * A listener of an order event that moves the units of its lines: several orders at once (one
 * at a time, a burst of orders waited seconds for its stock signals under the shopper mix), each
 * product's in turn.
 */
export abstract class OrderLinesListener<S extends OrderSubject> extends Listener<S> {
  constructor(
    bus: EventBus,
    protected readonly models: ProductsModels,
    options?: ListenerOptions,
  ) {
    super(bus, 'products', { concurrency: 4, ...options });
  }

  protected orderingKey(data: unknown): string | undefined {
    return orderProductsKey(data);
  }
}
