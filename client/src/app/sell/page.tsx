import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { formatMoney } from '@/lib/money';
import { signinUrl } from '@/lib/redirect';
import { listSellerProducts } from '@/lib/seller';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'My products' };

export default async function SellerPage() {
  const user = await getCurrentUser();
  if (!user) redirect(signinUrl('/sell'));
  const res = await listSellerProducts(user.id);
  return (
    <>
      <div className="page-head">
        <h1>My products</h1>
        <div className="page-actions">
          <Link href="/sell/shipments">To ship</Link>
          <Link href="/sell/returns">Returns to handle</Link>
          <Link href="/sell/new" className="button">
            List a product
          </Link>
        </div>
      </div>
      {!res.ok ? (
        <ApiErrorNotice title="Could not load your products" errors={res.errors} />
      ) : res.items.length === 0 ? (
        <div className="empty" data-testid="seller-empty">
          <p>You have not listed anything yet.</p>
          <Link href="/sell/new" className="button">
            List your first product
          </Link>
        </div>
      ) : (
        <table className="lines" aria-label="My products">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col" className="num">
                Price
              </th>
              <th scope="col" className="num">
                Listed
              </th>
              <th scope="col" className="num">
                Available
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {res.items.map((p) => (
              <tr key={p.id} data-testid="seller-product" data-product-id={p.id}>
                <td data-label="Title">
                  <Link href={`/products/${p.id}`}>{p.title}</Link>
                </td>
                <td className="num" data-label="Price">
                  {formatMoney(p.price)}
                </td>
                <td className="num" data-label="Listed">
                  {p.quantity}
                </td>
                <td className="num" data-label="Available">
                  {p.available <= 0 ? <span className="sold-out">Sold out</span> : p.available}
                </td>
                <td>
                  <Link href={`/sell/${p.id}/edit`} aria-label={`Edit ${p.title}`}>
                    Edit
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {res.ok && res.truncated ? (
        <p className="notice" style={{ marginTop: '1rem' }}>
          Only your products among the newest 2,000 in the shop are shown.
        </p>
      ) : null}
    </>
  );
}
