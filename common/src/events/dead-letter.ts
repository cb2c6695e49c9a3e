/**
 * The dead-letter contract: where a Listener parks a message it gives up on, and the headers it
 * puts on the copy. Pure constants (no nats, no mongoose), also exported by
 * `@jetmart/common/contracts` for the storefront's operations page.
 */

/** Headers on a dead-lettered copy: what it was, where it came from, who failed and why. */
export const DeadLetterHeaders = {
  subject: 'Jetmart-Original-Subject',
  stream: 'Jetmart-Original-Stream',
  sequence: 'Jetmart-Original-Sequence',
  consumer: 'Jetmart-Consumer',
  error: 'Jetmart-Error',
  deliveries: 'Jetmart-Deliveries',
} as const;

/** Prefix of the subjects dead-lettered copies are published to: `deadletter.<durable>`. */
export const DEAD_LETTER_SUBJECT_PREFIX = 'deadletter.';

/** The subject a durable's dead-lettered messages go to. */
export const deadLetterSubject = (durable: string): string => `${DEAD_LETTER_SUBJECT_PREFIX}${durable}`;
