'use client';

import type { ApiErrorItem } from '@jetmart/common/contracts';
import { ADDRESS_FIELDS, countryOptions, type AddressField, type AddressInput } from '@/lib/address';
import { messageFor } from '@/lib/errors';
import { Field, SelectField } from './Field';

/** The input id of an address field (`address-postalCode`), so a caller can focus the first one to fix. */
export const addressInputId = (field: AddressField, prefix = 'address') => `${prefix}-${field}`;

const HINTS: Partial<Record<AddressField, string>> = {
  name: 'The person who receives the parcel.',
  line2: 'Apartment, floor, building (if any).',
  phone: 'For the carrier, if they need to reach you.',
};

/**
 * The fields of a postal address, controlled by the caller. `errors` are by address field
 * (`country`), as parseAddressForm and addressApiErrors give them.
 */
export function AddressFields({
  value,
  onChange,
  errors,
  prefix = 'address',
  disabled,
}: {
  value: AddressInput;
  onChange: (field: AddressField, text: string) => void;
  errors: ApiErrorItem[];
  prefix?: string;
  disabled?: boolean;
}) {
  return (
    <div className="address-fields">
      {ADDRESS_FIELDS.map(({ field, label, optional, autoComplete }) => {
        const id = addressInputId(field, prefix);
        const shown = optional ? `${label} (optional)` : label;
        const error = messageFor(errors, field);
        if (field === 'country') {
          return (
            <SelectField
              key={field}
              id={id}
              label={shown}
              className={`address-${field}`}
              autoComplete={autoComplete}
              required
              disabled={disabled}
              value={value.country}
              onChange={(e) => onChange('country', e.target.value)}
              error={error}
            >
              <option value="">Choose a country</option>
              {countryOptions().map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </SelectField>
          );
        }
        return (
          <Field
            key={field}
            id={id}
            label={shown}
            className={`address-${field}`}
            type={field === 'phone' ? 'tel' : 'text'}
            autoComplete={autoComplete}
            required={!optional}
            disabled={disabled}
            value={value[field]}
            onChange={(e) => onChange(field, e.target.value)}
            hint={HINTS[field]}
            error={error}
          />
        );
      })}
    </div>
  );
}
