import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import type { ReturnRecord } from '@jetmart/common/contracts';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ReturnCard } from '@/components/ReturnCard';
import { WithdrawReturnButton } from '@/components/ReturnActions';
import { signinUrl } from '@/lib/redirect';
import { returnActions } from '@/lib/returns';
import { serverApi } from '@/lib/server-api';

export const metadata: Metadata = { title: 'My returns' };

const PATH = '/returns';

/** The buyer's returns, newest first (GET /api/returns?role=buyer), each with its state; a requested one can be withdrawn. */
export default async function MyReturnsPage() {
  const res = await serverApi<ReturnRecord[]>(`/api/returns?${new URLSearchParams({ role: 'buyer' })}`);
  if (!res.ok && res.status === 401) redirect(signinUrl(PATH));
  return (
    <>
      <div className="page-head">
        <h1>My returns</h1>
        <Link href="/orders">My orders</Link>
      </div>
      <p className="muted">To return items, open the delivered order and choose “Return items” on its shipment.</p>
      {!res.ok ? (
        <ApiErrorNotice title="Could not load your returns" errors={res.errors} />
      ) : res.data.length === 0 ? (
        <div className="empty" data-testid="returns-empty">
          <p>You have not asked to return anything.</p>
          <Link href="/orders" className="button">
            See my orders
          </Link>
        </div>
      ) : (
        <ul className="shipment-list" aria-label="My returns">
          {res.data.map((r) => (
            <li key={r.id}>
              <ReturnCard ret={r} reader="buyer" headingLevel={2} showOrder>
                {returnActions(r, 'buyer').includes('withdraw') ? <WithdrawReturnButton ret={r} /> : null}
              </ReturnCard>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
