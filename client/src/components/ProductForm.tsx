'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { DEFAULT_CATEGORY, PRODUCT_LIMITS, type ApiErrorItem, type Product } from '@jetmart/common/contracts';
import { categoryOptions } from '@/lib/catalog';
import { callApi } from '@/lib/client-api';
import { generalMessages, messageFor } from '@/lib/errors';
import { labelApiErrors, MAX_DESCRIPTION_LENGTH, parseProductForm, PRODUCT_FIELD_LABELS } from '@/lib/product-form';
import { Field, FormErrors, SelectField, TextAreaField } from './Field';

const FIELDS = Object.keys(PRODUCT_FIELD_LABELS);
const grouped = (n: number) => n.toLocaleString('en-US');

/** Create (POST /api/products) or edit (PUT /api/products/:id) a product. */
export function ProductForm({ product }: { product?: Product }) {
  const router = useRouter();
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);
  const editing = product !== undefined;

  /** Shows the messages and takes the person to the first field that needs fixing. */
  function showErrors(list: ApiErrorItem[]) {
    setErrors(list);
    const first = FIELDS.find((f) => messageFor(list, f));
    if (first) requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`#${first}`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '');
    const parsed = parseProductForm({
      title: text('title'),
      description: text('description'),
      category: text('category'),
      price: text('price'),
      quantity: text('quantity'),
    });
    if (!parsed.ok) return showErrors(parsed.errors);
    setBusy(true);
    setErrors([]);
    const res = editing
      ? await callApi<Product>('PUT', `/api/products/${encodeURIComponent(product.id)}`, parsed.body)
      : await callApi<Product>('POST', '/api/products', parsed.body);
    if (res.ok) {
      router.push(editing ? '/sell' : `/products/${res.data.id}`);
      router.refresh();
      return;
    }
    showErrors(labelApiErrors(res.errors));
    setBusy(false);
  }

  return (
    // noValidate: the form's own messages (which name the field) are shown, not the browser's.
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate aria-labelledby="product-form-title">
      <h1 id="product-form-title">{editing ? 'Edit product' : 'List a product'}</h1>
      <Field
        id="title"
        label="Title"
        type="text"
        required
        defaultValue={product?.title}
        hint={`What buyers search for, up to ${PRODUCT_LIMITS.maxTitleLength} characters.`}
        error={messageFor(errors, 'title')}
      />
      <TextAreaField
        id="description"
        label="Description (optional)"
        defaultValue={product?.description}
        hint={`Up to ${grouped(MAX_DESCRIPTION_LENGTH)} characters.`}
        error={messageFor(errors, 'description')}
      />
      <SelectField
        id="category"
        label="Category"
        defaultValue={product?.category ?? DEFAULT_CATEGORY}
        hint="Where buyers browsing the catalog find it."
        error={messageFor(errors, 'category')}
      >
        {categoryOptions().map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </SelectField>
      <Field
        id="price"
        label="Price (USD)"
        type="text"
        inputMode="decimal"
        autoComplete="off"
        required
        defaultValue={product ? product.price.toFixed(2) : undefined}
        hint={`In dollars and cents, like 18.50 (18,50 works too), at most ${grouped(PRODUCT_LIMITS.maxPrice)}.`}
        error={messageFor(errors, 'price')}
      />
      <Field
        id="quantity"
        label="Units in stock"
        type="text"
        inputMode="numeric"
        autoComplete="off"
        required
        defaultValue={product?.quantity}
        hint={
          editing
            ? `Whole units. ${product.quantity - product.available} are held by open orders or sold (approximately).`
            : 'Whole units you can ship, like 5 (0 lists it as sold out).'
        }
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
