import type { EventBus, ListenerOptions } from '@jetmart/common';
import type { SearchModels } from '../../models';
import { ProductCreatedListener } from './product-created-listener';
import { ProductRatingChangedListener } from './product-rating-changed-listener';
import { ProductStockChangedListener } from './product-stock-changed-listener';
import { ProductUpdatedListener } from './product-updated-listener';

export { ProductCreatedListener, ProductRatingChangedListener, ProductStockChangedListener, ProductUpdatedListener };

/** The durable consumers that write the read model (shared by every replica of search). */
export function searchListeners(bus: EventBus, deps: { models: SearchModels }, options?: ListenerOptions) {
  return [
    new ProductCreatedListener(bus, deps, options),
    new ProductUpdatedListener(bus, deps, options),
    new ProductStockChangedListener(bus, deps, options),
    new ProductRatingChangedListener(bus, deps, options),
  ];
}
