const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Formats a decimal amount of currency units (the API's money) for display. */
export function formatMoney(amount: number): string {
  return formatter.format(amount);
}

/** price × quantity summed in integer cents, so 0.1 + 0.2 stays 0.30. */
export function lineTotal(lines: { price: number; quantity: number }[]): number {
  const cents = lines.reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0);
  return cents / 100;
}
