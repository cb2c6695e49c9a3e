import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { LocalDateTime } from '@/components/LocalDateTime';
import { PayoutAccountForm, PayoutButton, VerifyEmailNotice } from '@/components/PayoutActions';
import { Balance, PayoutTable } from '@/components/SellerMoney';
import { formatMoney } from '@/lib/money';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { myAccount, myLedger, myPayouts } from '@/lib/seller';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Payouts' };

const KIND_LABELS = { sale: 'Sale', refund: 'Refund', payout: 'Payout' } as const;

/**
 * Where the seller's money goes: the connected Stripe account, the balance with "Pay out
 * available balance", the payouts so far and the ledger's entries (each sale's commission shown).
 */
export default async function PayoutsPage({ searchParams }: { searchParams: Promise<{ cursor?: string | string[] }> }) {
  const cursor = firstParam((await searchParams).cursor);
  const [user, account, ledger, payouts] = await Promise.all([getCurrentUser(), myAccount(), myLedger(cursor), myPayouts()]);
  if (!user || [account, ledger, payouts].some((r) => !r.ok && r.status === 401)) redirect(signinUrl('/sell/payouts'));
  // Known up front when the session says so; payments' 403 says it again when a button is used.
  const unverified = (user as { emailVerified?: boolean }).emailVerified === false || (!account.ok && account.status === 403);

  return (
    <>
      <h1>Payouts</h1>
      {unverified ? <VerifyEmailNotice /> : null}

      <section aria-labelledby="account-h">
        <h2 id="account-h">Payout account</h2>
        {account.ok || account.status === 403 ? (
          <PayoutAccountForm current={account.ok ? account.data.stripeAccountId : null} pageNotice={unverified} />
        ) : (
          <ApiErrorNotice title="Could not load your payout account" errors={account.errors} />
        )}
      </section>

      <section aria-labelledby="balance-h">
        <h2 id="balance-h">Balance</h2>
        {ledger.ok ? (
          <>
            <Balance balance={ledger.data.balance} />
            {account.ok && !account.data.stripeAccountId ? (
              <p className="muted">Add your Stripe account above to receive payouts.</p>
            ) : (
              <PayoutButton available={ledger.data.balance.available} />
            )}
            <p className="muted">
              A sale is pending until its parcel is delivered and the return window has closed; then it is available to pay out.
            </p>
          </>
        ) : (
          <ApiErrorNotice title="Could not load your balance" errors={ledger.errors} />
        )}
      </section>

      <section aria-labelledby="payouts-h">
        <h2 id="payouts-h">Payouts</h2>
        {payouts.ok ? (
          <PayoutTable payouts={payouts.data.payouts} />
        ) : (
          <ApiErrorNotice title="Could not load your payouts" errors={payouts.errors} />
        )}
      </section>

      {ledger.ok ? (
        <section aria-labelledby="ledger-h">
          <h2 id="ledger-h">Ledger</h2>
          {ledger.data.entries.length === 0 ? (
            <p className="muted">{cursor ? 'No more entries.' : 'No entries yet: each paid sale, refund and payout is written here.'}</p>
          ) : (
            <table className="lines" aria-label="Ledger entries" data-testid="ledger">
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Kind</th>
                  <th scope="col" className="num">
                    Gross
                  </th>
                  <th scope="col" className="num">
                    Commission
                  </th>
                  <th scope="col" className="num">
                    Net
                  </th>
                  <th scope="col">Available from</th>
                </tr>
              </thead>
              <tbody>
                {ledger.data.entries.map((e) => (
                  <tr key={e.id} data-testid="ledger-entry" data-kind={e.kind}>
                    <td data-label="Date">
                      <LocalDateTime iso={e.createdAt} />
                    </td>
                    <td data-label="Kind">{KIND_LABELS[e.kind] ?? e.kind}</td>
                    <td className="num" data-label="Gross">
                      {formatMoney(e.gross)}
                    </td>
                    <td className="num" data-label="Commission">
                      {formatMoney(e.commission)} <span className="muted">({e.commissionPercent}%)</span>
                    </td>
                    <td className="num" data-label="Net">
                      {formatMoney(e.net)}
                    </td>
                    <td data-label="Available from">{e.availableAt ? <LocalDateTime iso={e.availableAt} /> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav className="pager" aria-label="Ledger pages">
            {cursor ? <Link href="/sell/payouts">← Newest entries</Link> : <span />}
            {ledger.data.nextCursor ? (
              <Link href={`/sell/payouts?${new URLSearchParams({ cursor: ledger.data.nextCursor })}`} rel="next">
                Older entries →
              </Link>
            ) : null}
          </nav>
        </section>
      ) : null}
    </>
  );
}
