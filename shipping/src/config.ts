import { baseEnv, intInRange, readEnv } from '@jetmart/common';

const DAY_SECONDS = 24 * 3600;

/** Everything shipping reads from the environment; `loadConfig()` fails with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  return readEnv(
    {
      ...baseEnv('shipping', 3007),
      SHIPPING_AUTO_DELIVER_DAYS: {
        describe: 'days after shipping when a shipment nobody marked delivered counts as delivered',
        default: '14',
        parse: intInRange(1, 365),
      },
      SHIPPING_AUTO_DELIVER_SECONDS: {
        describe: 'overrides SHIPPING_AUTO_DELIVER_DAYS in seconds (tests and demos: a shipment auto-delivers within a minute)',
        optional: true,
        parse: intInRange(1, 365 * DAY_SECONDS),
      },
      RETURN_WINDOW_DAYS: {
        describe: 'days after delivery during which the buyer may ask to return the goods (shipment.delivered.returnableUntil)',
        default: '30',
        parse: intInRange(1, 365),
      },
      RETURN_WINDOW_SECONDS: {
        describe: 'overrides RETURN_WINDOW_DAYS in seconds (tests and demos: a return window that closes within a minute)',
        optional: true,
        parse: intInRange(1, 365 * DAY_SECONDS),
      },
    },
    env,
  );
}

export type ShippingConfig = ReturnType<typeof loadConfig>;

/** How long after shipping a shipment auto-delivers, in milliseconds. */
export function autoDeliverAfterMs(config: Pick<ShippingConfig, 'SHIPPING_AUTO_DELIVER_DAYS' | 'SHIPPING_AUTO_DELIVER_SECONDS'>): number {
  return (config.SHIPPING_AUTO_DELIVER_SECONDS ?? config.SHIPPING_AUTO_DELIVER_DAYS * DAY_SECONDS) * 1000;
}

/** How long after delivery a shipment can be returned, in milliseconds. */
export function returnWindowMs(config: Pick<ShippingConfig, 'RETURN_WINDOW_DAYS' | 'RETURN_WINDOW_SECONDS'>): number {
  return (config.RETURN_WINDOW_SECONDS ?? config.RETURN_WINDOW_DAYS * DAY_SECONDS) * 1000;
}
