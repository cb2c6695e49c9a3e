/**
 * `@jetmart/common/contracts`: the pure parts of jetmart's contracts, with no runtime dependencies
 * (no nats, mongoose, zod, express): stream names, the dead-letter headers, and the API's record
 * types and limits. For code that must not load the service machinery, such as the storefront
 * (Next.js). Keep it that way: everything exported here may import only other pure modules.
 */
export * from './events/streams';
export * from './events/dead-letter';
export * from './api/records';
export * from './api/sellers';
export * from './api/address';
export * from './api/export';
export * from './api/ops';
export * from './api/catalog';
