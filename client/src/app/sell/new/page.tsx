import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ProductForm } from '@/components/ProductForm';
import { signinUrl } from '@/lib/redirect';
import { getCurrentUser } from '@/lib/server-api';

export const metadata: Metadata = { title: 'List a product' };

export default async function NewProductPage() {
  if (!(await getCurrentUser())) redirect(signinUrl('/sell/new'));
  return <ProductForm />;
}
