/**
 * `@jetmart/common/contracts`: the pure constants of jetmart's messaging contracts, with no runtime
 * dependencies (no nats, mongoose, zod, express): stream names and the dead-letter headers. For
 * code that must not load the service machinery, such as the storefront (Next.js).
 * Keep it that way: everything exported here may import only other pure modules.
 */
export * from './events/streams';
export * from './events/dead-letter';
