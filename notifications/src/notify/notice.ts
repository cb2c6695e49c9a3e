import type { Address } from '@jetmart/common/contracts';

/** A line of an order as a message shows it. */
export interface NoticeLine {
  title: string;
  quantity: number;
  /** Unit price when ordered (absent in events written before fulfilment). */
  priceMinor?: number;
}

/**
 * One fact for one person, in the shape every template reads: the email's HTML (MJML) and text
 * parts and the in-app entry are all made from it, so they always say the same thing.
 */
export interface Notice {
  /** The recipient (a user id; the contact replica gives the address). */
  userId: string;
  /** What happened (NotificationRecord.kind). */
  kind: string;
  /** The email's subject and the in-app entry's title. */
  subject: string;
  /** The first is the in-app entry's body. */
  paragraphs: [string, ...string[]];
  /** Label/value pairs (carrier, tracking number, amount, reason). */
  details?: [string, string][];
  lines?: NoticeLine[];
  totalMinor?: number;
  address?: Address;
  /** A storefront path (`/orders/<id>`): the button in the email and the in-app entry's link. */
  link: string;
  /** The button's label. */
  action: string;
  /**
   * An account mail (password reset, address verification): sent to `to`, the address the account
   * had when it asked, whatever the contact replica holds (the person may have none yet), and by
   * email only (no in-app entry: the feed is for facts, and a link there would outlive the mail).
   * `secretLink` is `link` with its single-use token: it goes into the mail and nowhere else (the
   * records keep `link`, without the token).
   */
  direct?: { to: string; secretLink: string };
}
