import type { Metadata } from 'next';
import { notFound, redirect } from 'next/navigation';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { ProductPhotos } from '@/components/catalog/ProductPhotos';
import { ProductForm } from '@/components/ProductForm';
import { firstParam } from '@/lib/params';
import { signinUrl } from '@/lib/redirect';
import { getCurrentUser, serverApi } from '@/lib/server-api';
import type { Product } from '@jetmart/common/contracts';

export const metadata: Metadata = { title: 'Edit product' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function EditProductPage({ params, searchParams }: Props) {
  const { id } = await params;
  const query = await searchParams;
  const user = await getCurrentUser();
  if (!user) redirect(signinUrl(`/sell/${id}/edit`));
  const res = await serverApi<Product>(`/api/products/${encodeURIComponent(id)}`);
  if (!res.ok && (res.status === 404 || res.status === 400)) notFound();
  if (!res.ok) return <ApiErrorNotice title="Could not load this product" errors={res.errors} />;
  // Only its seller may edit a product; to anyone else the edit page does not exist.
  if (res.data.userId !== user.id) notFound();
  return (
    <>
      <ProductForm product={res.data} />
      <ProductPhotos
        productId={res.data.id}
        title={res.data.title}
        images={res.data.images ?? []}
        done={firstParam(query.photo)}
        error={firstParam(query.photoError)}
      />
    </>
  );
}
