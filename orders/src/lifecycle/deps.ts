import type { OrdersModels } from '../models';

/** What the order lifecycle works with. */
export interface LifecycleDeps {
  models: OrdersModels;
  /** The clock placing an order measures its holding deadline with (default Date.now). */
  now?: () => number;
}
