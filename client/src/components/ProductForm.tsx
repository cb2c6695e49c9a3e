'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import type { ApiErrorItem, Product } from '@jetmart/common/contracts';
import { Field, FormErrors, TextAreaField } from './Field';

const FIELDS = ['title', 'price', 'quantity', 'description'];

/** A number when the text is one, else the text itself: the API says what is wrong with it. */
function numberOrRaw(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** Create (POST /api/products) or edit (PUT /api/products/:id) a product. */
export function ProductForm({ product }: { product?: Product }) {
  const router = useRouter();
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const editing = product !== undefined;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = {
      title: String(form.get('title') ?? '').trim(),
      price: numberOrRaw(String(form.get('price') ?? '')),
      quantity: numberOrRaw(String(form.get('quantity') ?? '')),
      description: String(form.get('description') ?? '').trim(),
    };
    setBusy(true);
    setErrors([]);
    const res = editing
      ? await callApi<Product>('PUT', `/api/products/${encodeURIComponent(product.id)}`, body)
      : await callApi<Product>('POST', '/api/products', body);
    if (res.ok) {
      router.push(editing ? '/sell' : `/products/${res.data.id}`);
      router.refresh();
      return;
    }
    setErrors(res.errors);
    setBusy(false);
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate aria-labelledby="product-form-title">
      <h1 id="product-form-title">{editing ? 'Edit product' : 'List a product'}</h1>
      <Field id="title" label="Title" type="text" maxLength={200} required defaultValue={product?.title} error={messageFor(errors, 'title')} />
      <TextAreaField id="description" label="Description (optional)" defaultValue={product?.description} error={messageFor(errors, 'description')} />
      <Field
        id="price"
        label="Price (USD)"
        type="text"
        inputMode="decimal"
        required
        defaultValue={product?.price}
        hint="Up to 2 decimals, at most 1,000,000."
        error={messageFor(errors, 'price')}
      />
      <Field
        id="quantity"
        label="Units in stock"
        type="number"
        inputMode="numeric"
        min={0}
        step={1}
        required
        defaultValue={product?.quantity}
        hint={editing ? `${product.quantity - product.available} units are held by open orders or sold (approximately).` : 'Whole units you can ship.'}
        error={messageFor(errors, 'quantity')}
      />
      <FormErrors messages={generalMessages(errors, FIELDS)} />
      <div className="actions" style={{ marginTop: 0 }}>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'List product'}
        </button>
        <Link href="/sell">Cancel</Link>
      </div>
    </form>
  );
}
