/**
 * The JetStream streams and the subject family each holds. Pure constants (no nats, no
 * mongoose), also exported by `@jetmart/common/contracts`.
 */
export const Streams = {
  products: { name: 'PRODUCTS', subjects: ['product.>'] },
  orders: { name: 'ORDERS', subjects: ['order.>'] },
  payments: { name: 'PAYMENTS', subjects: ['payment.>'] },
  expiration: { name: 'EXPIRATION', subjects: ['expiration.>'] },
  shipments: { name: 'SHIPMENTS', subjects: ['shipment.>'] },
  returns: { name: 'RETURNS', subjects: ['return.>'] },
  users: { name: 'USERS', subjects: ['user.>'] },
  deadLetter: { name: 'DEADLETTER', subjects: ['deadletter.>'] },
} as const;

/** The stream a subject lives in (by its family, the part before the first dot). */
export function streamOf(subject: string): string {
  const family = subject.split('.')[0];
  const found = Object.values(Streams).find((s) => s.subjects.some((p) => p.split('.')[0] === family));
  if (!found) throw new Error(`no stream for subject ${subject}`);
  return found.name;
}
