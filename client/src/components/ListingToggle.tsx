'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { ApiErrorItem } from '@jetmart/common/contracts';
import { callApi } from '@/lib/client-api';
import type { SellerProduct } from '@/lib/sellers';

/**
 * "Unlist" takes a product out of the catalog (new orders for it are refused; orders already
 * placed go on); "Relist" puts it back. The list is read again afterwards, so what it shows is
 * what the products service says.
 */
export function ListingToggle({ product }: { product: Pick<SellerProduct, 'id' | 'title' | 'listed'> }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const action = product.listed ? 'unlist' : 'relist';

  async function toggle() {
    setBusy(true);
    setErrors([]);
    const res = await callApi<SellerProduct>('POST', `/api/products/${encodeURIComponent(product.id)}/${action}`);
    if (!res.ok) setErrors(res.errors);
    router.refresh();
    setBusy(false);
  }

  return (
    <>
      <button
        type="button"
        className={product.listed ? 'button-secondary button-small' : 'button-small'}
        onClick={() => void toggle()}
        disabled={busy}
        aria-label={`${product.listed ? 'Unlist' : 'Relist'} ${product.title}`}
      >
        {busy ? 'Saving…' : product.listed ? 'Unlist' : 'Relist'}
      </button>
      {errors.length ? (
        <p className="line-error" role="alert" data-testid="listing-error">
          {errors.map((e) => e.message).join(' ')}
        </p>
      ) : null}
    </>
  );
}
