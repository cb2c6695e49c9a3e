import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReturnRecord } from '@jetmart/common/contracts';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ReturnCard } from '@/components/ReturnCard';
import { SellerReturnActions } from '@/components/ReturnActions';
import { signinUrl } from '@/lib/redirect';
import { returnActions } from '@/lib/returns';
import { serverApi } from '@/lib/server-api';

export const metadata: Metadata = { title: 'Returns to handle' };

const PATH = '/sell/returns';

/**
 * A seller's returns (GET /api/returns?role=seller, newest first): requests to approve or reject,
 * approved ones to mark received (restocking the units or not), and the history below.
 */
export default async function SellerReturnsPage() {
  const res = await serverApi<ReturnRecord[]>(`/api/returns?${new URLSearchParams({ role: 'seller' })}`);
  if (!res.ok && res.status === 401) redirect(signinUrl(PATH));
  const all = res.ok && Array.isArray(res.data) ? res.data : [];
  // Oldest first where the seller has something to do (first come, first served), newest first in the history.
  const requested = all.filter((r) => r.status === 'requested').reverse();
  const approved = all.filter((r) => r.status === 'approved').reverse();
  const done = all.filter((r) => returnActions(r, 'seller').length === 0);
  return (
    <>
      <div className="page-head">
        <h1>Returns to handle</h1>
        <div className="page-actions">
          <Link href="/sell/shipments">To ship</Link>
          <Link href="/sell">My products</Link>
        </div>
      </div>
      <p className="muted">
        Buyers ask to return delivered items. Approve or reject each request; once the items are back, mark them received and the buyer is
        refunded.
      </p>
      {!res.ok ? (
        <ApiErrorNotice title="Could not load your returns" errors={res.errors} />
      ) : (
        <>
          <ReturnGroup id="requested" title="Waiting for your decision" returns={requested} empty="No return requests right now." />
          <ReturnGroup id="approved" title="Approved, waiting for the items" returns={approved} empty="None." />
          <ReturnGroup id="done" title="Handled" returns={done} empty="None yet." actions={false} />
        </>
      )}
    </>
  );
}

function ReturnGroup({
  id,
  title,
  returns,
  empty,
  actions = true,
}: {
  id: string;
  title: string;
  returns: ReturnRecord[];
  empty: string;
  actions?: boolean;
}) {
  return (
    <section aria-labelledby={`${id}-heading`} data-testid={`returns-${id}`}>
      <h2 id={`${id}-heading`}>{actions ? `${title} (${returns.length})` : title}</h2>
      {returns.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="shipment-list">
          {returns.map((r) => (
            <li key={r.id}>
              <ReturnCard ret={r} reader="seller" showOrder>
                {actions ? <SellerReturnActions ret={r} /> : null}
              </ReturnCard>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
