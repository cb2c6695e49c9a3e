import { fromMinor } from '@jetmart/common';

// The storefront shows prices the same way (client/src/lib/money.ts).
const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Integer minor units as the shop shows money: `$12.50`. */
export const formatMoney = (minor: number): string => formatter.format(fromMinor(minor));
