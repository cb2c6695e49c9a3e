'use client';

import { useRef, useState, type FormEvent } from 'react';
import { ADDRESS_BOOK_LIMIT, type ApiErrorItem, type SavedAddress } from '@jetmart/common/contracts';
import { addressApiPath, ACCOUNT_API, sessionEnded } from '@/lib/account';
import {
  addressApiErrors,
  addressToInput,
  ADDRESS_FIELDS,
  EMPTY_ADDRESS_INPUT,
  isAddressError,
  parseAddressForm,
  type AddressInput,
} from '@/lib/address';
import { callApi } from '@/lib/client-api';
import { messageFor } from '@/lib/errors';
import { AddressBlock } from '../AddressBlock';
import { AddressFields, addressInputId } from '../AddressFields';
import { ConfirmDialog } from '../ConfirmDialog';
import { FormErrors } from '../Field';
import { SignedOutNotice } from './SignedOutNotice';

/** What the form is doing: adding a new address, or editing the saved one with this id. */
type Editing = { kind: 'add' } | { kind: 'edit'; id: string };

/**
 * The address book (/api/users/me/addresses): the saved addresses, each with Edit and Remove
 * (Remove confirmed first), and a form to add one while the book has room. Checkout offers them.
 */
export function AddressBook({ initial }: { initial: SavedAddress[] }) {
  const [book, setBook] = useState<SavedAddress[]>(initial);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [removing, setRemoving] = useState<SavedAddress | null>(null);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [signedOut, setSignedOut] = useState(false);
  const [done, setDone] = useState('');
  const addButton = useRef<HTMLButtonElement>(null);

  function refused(status: number, list: ApiErrorItem[]) {
    if (sessionEnded(status, list)) setSignedOut(true);
    else setErrors(list);
  }

  async function remove(entry: SavedAddress) {
    setRemoving(null);
    setErrors([]);
    setDone('');
    const res = await callApi('DELETE', addressApiPath(entry.id));
    // 404: it was removed already (another tab); either way it is not in the book any more.
    if (res.ok || res.status === 404) {
      setBook((current) => current.filter((a) => a.id !== entry.id));
      setDone(`Removed the address of ${entry.name}.`);
      requestAnimationFrame(() => document.getElementById('addresses-heading')?.focus());
      return;
    }
    refused(res.status, res.errors);
  }

  function saved(entry: SavedAddress, verb: string) {
    setBook((current) =>
      current.some((a) => a.id === entry.id) ? current.map((a) => (a.id === entry.id ? entry : a)) : [...current, entry],
    );
    setEditing(null);
    setDone(`${verb} the address of ${entry.name}.`);
    requestAnimationFrame(() => document.getElementById('addresses-heading')?.focus());
  }

  const full = book.length >= ADDRESS_BOOK_LIMIT;
  return (
    <section aria-labelledby="addresses-heading" className="account-section" data-testid="address-book">
      <h2 id="addresses-heading" tabIndex={-1}>
        Address book
      </h2>
      {book.length === 0 ? (
        <p className="muted" data-testid="address-book-empty">
          No saved addresses yet. Addresses you save are offered at checkout.
        </p>
      ) : (
        <ul className="address-book">
          {book.map((entry) =>
            editing?.kind === 'edit' && editing.id === entry.id ? (
              <li key={entry.id}>
                <AddressForm
                  entry={entry}
                  onSaved={(next) => saved(next, 'Saved')}
                  onCancel={() => setEditing(null)}
                  onSignedOut={() => setSignedOut(true)}
                />
              </li>
            ) : (
              <li key={entry.id} className="card" data-testid="saved-address" data-address-id={entry.id}>
                <AddressBlock address={entry} />
                <div className="actions">
                  <button
                    type="button"
                    className="button-secondary button-small"
                    aria-label={`Edit the address of ${entry.name}`}
                    onClick={() => {
                      setDone('');
                      setErrors([]);
                      setEditing({ kind: 'edit', id: entry.id });
                    }}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button-secondary button-small"
                    aria-label={`Remove the address of ${entry.name}`}
                    data-action="remove"
                    onClick={() => setRemoving(entry)}
                  >
                    Remove
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      <div role="status">{done ? <p className="success">{done}</p> : null}</div>
      <FormErrors messages={errors.map((e) => e.message)} />
      {signedOut ? <SignedOutNotice /> : null}
      {editing?.kind === 'add' ? (
        <AddressForm
          onSaved={(next) => saved(next, 'Added')}
          onCancel={() => {
            setEditing(null);
            requestAnimationFrame(() => addButton.current?.focus());
          }}
          onSignedOut={() => setSignedOut(true)}
        />
      ) : full ? (
        <p className="muted">The address book holds at most {ADDRESS_BOOK_LIMIT} addresses; remove one to add another.</p>
      ) : (
        <button
          ref={addButton}
          type="button"
          className="button-secondary"
          onClick={() => {
            setDone('');
            setErrors([]);
            setEditing({ kind: 'add' });
          }}
        >
          Add an address
        </button>
      )}
      {removing ? (
        <ConfirmDialog
          title="Remove this address?"
          description={`The address of ${removing.name} leaves your address book. Orders already placed keep their address.`}
          confirmLabel="Yes, remove address"
          dismissLabel="Keep address"
          onConfirm={() => void remove(removing)}
          onDismiss={() => {
            // Back to the Remove button that opened the confirmation.
            const id = removing.id;
            setRemoving(null);
            requestAnimationFrame(() =>
              document.querySelector<HTMLElement>(`[data-address-id="${CSS.escape(id)}"] [data-action="remove"]`)?.focus(),
            );
          }}
        />
      ) : null}
    </section>
  );
}

/** Adds an address (POST) or replaces a saved one (PUT), with the checkout's fields and checks. */
function AddressForm({
  entry,
  onSaved,
  onCancel,
  onSignedOut,
}: {
  entry?: SavedAddress;
  onSaved: (entry: SavedAddress) => void;
  onCancel: () => void;
  onSignedOut: () => void;
}) {
  const form = useRef<HTMLFormElement>(null);
  const prefix = entry ? `address-${entry.id}` : 'address-new';
  const [input, setInput] = useState<AddressInput>(entry ? addressToInput(entry) : EMPTY_ADDRESS_INPUT);
  const [errors, setErrors] = useState<ApiErrorItem[]>([]);
  const [busy, setBusy] = useState(false);

  function show(list: ApiErrorItem[]) {
    setErrors(list);
    const first = ADDRESS_FIELDS.find(({ field }) => messageFor(list, field));
    if (first) requestAnimationFrame(() => form.current?.querySelector<HTMLElement>(`#${addressInputId(first.field, prefix)}`)?.focus());
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setErrors([]);
    const parsed = parseAddressForm(input);
    if (!parsed.ok) return show(parsed.errors);
    setBusy(true);
    const res = entry
      ? await callApi<SavedAddress>('PUT', addressApiPath(entry.id), parsed.address)
      : await callApi<SavedAddress>('POST', ACCOUNT_API.addresses, parsed.address);
    setBusy(false);
    if (res.ok) return onSaved(res.data);
    if (sessionEnded(res.status, res.errors)) return onSignedOut();
    show(addressApiErrors(res.errors));
  }

  const title = entry ? `Edit the address of ${entry.name}` : 'Add an address';
  const headingId = `${prefix}-heading`;
  return (
    <form ref={form} className="form address-form" onSubmit={onSubmit} noValidate aria-labelledby={headingId} data-testid="address-form">
      <h3 id={headingId}>{title}</h3>
      <AddressFields
        prefix={prefix}
        value={input}
        onChange={(field, text) => setInput((current) => ({ ...current, [field]: text }))}
        errors={errors}
        disabled={busy}
      />
      <FormErrors messages={errors.filter((e) => !isAddressError(e)).map((e) => e.message)} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : entry ? 'Save address' : 'Add address'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
