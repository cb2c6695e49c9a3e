import { ADDRESS_LIMITS, COUNTRY_CODES, type Address, type ApiErrorItem } from '@jetmart/common/contracts';

/**
 * The shipping address form: what the person typed → an Address, or messages that name the field
 * as the form labels it. The rules are the services' (common's addressSchema, ADDRESS_LIMITS): the
 * API checks them again, and its messages (which name the JSON field, `shippingAddress.country`)
 * are put on the same fields and relabelled the same way.
 */

export type AddressField = keyof Address;

/** The fields in form order, with their labels (optional ones say so). */
export const ADDRESS_FIELDS: readonly { field: AddressField; label: string; optional?: boolean; autoComplete: string }[] = [
  { field: 'name', label: 'Full name', autoComplete: 'name' },
  { field: 'line1', label: 'Address line 1', autoComplete: 'address-line1' },
  { field: 'line2', label: 'Address line 2', optional: true, autoComplete: 'address-line2' },
  { field: 'city', label: 'City', autoComplete: 'address-level2' },
  { field: 'postalCode', label: 'Postal code', autoComplete: 'postal-code' },
  { field: 'country', label: 'Country', autoComplete: 'country' },
  { field: 'phone', label: 'Phone', optional: true, autoComplete: 'tel' },
];

const LABELS = Object.fromEntries(ADDRESS_FIELDS.map((f) => [f.field, f.label])) as Record<AddressField, string>;

export function addressLabel(field: AddressField): string {
  return LABELS[field];
}

/** What the form holds: every field as typed ('' when empty). */
export type AddressInput = Record<AddressField, string>;

export const EMPTY_ADDRESS_INPUT: AddressInput = { name: '', line1: '', line2: '', city: '', postalCode: '', country: '', phone: '' };

export type ParsedAddress = { ok: true; address: Address } | { ok: false; errors: ApiErrorItem[] };

const LIMITED: readonly (keyof typeof ADDRESS_LIMITS)[] = ['name', 'line1', 'line2', 'city', 'postalCode', 'phone'];

/** Checks every field (all messages at once) and returns the address trimmed, without empty optional fields. */
export function parseAddressForm(input: AddressInput): ParsedAddress {
  const errors: ApiErrorItem[] = [];
  const value = Object.fromEntries(ADDRESS_FIELDS.map(({ field }) => [field, (input[field] ?? '').trim()])) as AddressInput;
  for (const { field, optional } of ADDRESS_FIELDS) {
    const text = value[field];
    if (text === '') {
      if (!optional)
        errors.push({
          field,
          message: field === 'country' ? 'Country is required: choose one from the list.' : `${LABELS[field]} is required.`,
        });
      continue;
    }
    const max = (LIMITED as readonly string[]).includes(field) ? ADDRESS_LIMITS[field as keyof typeof ADDRESS_LIMITS] : undefined;
    if (max !== undefined && text.length > max) {
      errors.push({ field, message: `${LABELS[field]} can have at most ${max} characters (it has ${text.length}).` });
    }
  }
  const country = value.country.toUpperCase();
  if (value.country !== '' && !COUNTRY_CODES.includes(country)) {
    errors.push({ field: 'country', message: 'Country must be one of the countries in the list.' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    address: {
      name: value.name,
      line1: value.line1,
      ...(value.line2 ? { line2: value.line2 } : {}),
      city: value.city,
      postalCode: value.postalCode,
      country,
      ...(value.phone ? { phone: value.phone } : {}),
    },
  };
}

/** A saved or snapshot address back into the form's fields. */
export function addressToInput(address: Address): AddressInput {
  return {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? '',
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? '',
  };
}

/** Only the Address's own fields (an address-book entry also carries its id, which an order must not). */
export function addressOnly({ name, line1, line2, city, postalCode, country, phone }: Address): Address {
  return { name, line1, ...(line2 ? { line2 } : {}), city, postalCode, country, ...(phone ? { phone } : {}) };
}

/**
 * The API's address errors on the form's fields: `shippingAddress.country` (orders) or `country`
 * (the address book) → field `country`, with the message naming the field as labelled
 * ("country must be an ISO 3166-1 alpha-2 code" → "Country must be …"). Errors about anything else
 * are returned unchanged.
 */
export function addressApiErrors(errors: ApiErrorItem[], prefix = ''): ApiErrorItem[] {
  return errors.map((e) => {
    if (!e.field) return e;
    const local = prefix && e.field.startsWith(`${prefix}.`) ? e.field.slice(prefix.length + 1) : prefix ? undefined : e.field;
    if (local === undefined) return e;
    const field = local.split('.')[0] as AddressField;
    if (!(field in LABELS)) return e;
    const label = LABELS[field];
    const rest = e.message.toLowerCase().startsWith(field.toLowerCase()) ? e.message.slice(field.length) : `: ${e.message}`;
    const message = `${label}${rest}`;
    return { field, message: /[.!?]$/.test(message) ? message : `${message}.` };
  });
}

/** Whether an API error belongs to the address (so it is shown on the address form, not at the top). */
export function isAddressError(e: ApiErrorItem, prefix = ''): boolean {
  if (!e.field) return false;
  const local = prefix ? (e.field.startsWith(`${prefix}.`) ? e.field.slice(prefix.length + 1) : undefined) : e.field;
  return local !== undefined && local.split('.')[0] in LABELS;
}

let regionNames: Intl.DisplayNames | null | undefined;

/**
 * A country's name in English ("DE" → "Germany"). A fixed locale, so the server's HTML and the
 * browser's first render agree; the code itself when the runtime has no name for it.
 */
export function countryName(code: string): string {
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    } catch {
      regionNames = null;
    }
  }
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

let options: { code: string; name: string }[] | undefined;

/** Every ISO 3166-1 alpha-2 country the API accepts, by name. */
export function countryOptions(): { code: string; name: string }[] {
  options ??= COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return options;
}

/** The lines an address is written in, as on an envelope ("10115 Berlin", "Germany"). */
export function addressLines(address: Address): string[] {
  return [
    address.name,
    address.line1,
    address.line2,
    [address.postalCode, address.city].filter(Boolean).join(' '),
    countryName(address.country),
    address.phone ? `Phone: ${address.phone}` : undefined,
  ].filter((l): l is string => Boolean(l));
}

/** One line for a list of choices ("Ada Lovelace, 1 Main St, Berlin, Germany"). */
export function addressSummary(address: Address): string {
  return [address.name, address.line1, address.line2, `${address.postalCode} ${address.city}`, countryName(address.country)]
    .filter(Boolean)
    .join(', ');
}
