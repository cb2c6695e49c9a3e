import { LocalDateTime } from './LocalDateTime';
import { formatMoney } from '@/lib/money';
import { payoutStatusLabel, type LedgerBalance, type Payout } from '@/lib/sellers';

/** Pending (not yet delivered, or still returnable), available to pay out, and paid out so far. */
export function Balance({ balance }: { balance: LedgerBalance }) {
  return (
    <dl className="figures" data-testid="balance">
      <div>
        <dt>Available</dt>
        <dd data-testid="balance-available">{formatMoney(balance.available)}</dd>
      </div>
      <div>
        <dt>Pending</dt>
        <dd data-testid="balance-pending">{formatMoney(balance.pending)}</dd>
      </div>
      <div>
        <dt>Paid out</dt>
        <dd data-testid="balance-paid-out">{formatMoney(balance.paidOut)}</dd>
      </div>
    </dl>
  );
}

export function PayoutTable({ payouts }: { payouts: Payout[] }) {
  if (payouts.length === 0) return <p className="muted">No payouts yet.</p>;
  return (
    <table className="lines" aria-label="Payouts" data-testid="payouts">
      <thead>
        <tr>
          <th scope="col">Date</th>
          <th scope="col" className="num">
            Amount
          </th>
          <th scope="col">Status</th>
          <th scope="col">Stripe transfer</th>
        </tr>
      </thead>
      <tbody>
        {payouts.map((p) => (
          <tr key={p.id} data-testid="payout" data-payout-id={p.id}>
            <td data-label="Date">
              <LocalDateTime iso={p.createdAt} />
            </td>
            <td className="num" data-label="Amount" data-testid="payout-amount">
              {formatMoney(p.amount)}
            </td>
            <td data-label="Status">{payoutStatusLabel(p.status)}</td>
            <td data-label="Stripe transfer">{p.transferId ? <code>{p.transferId}</code> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
