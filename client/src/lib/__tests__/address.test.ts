import { ADDRESS_LIMITS, COUNTRY_CODES } from '@jetmart/common/contracts';
import {
  addressApiErrors,
  addressLines,
  addressOnly,
  addressSummary,
  countryName,
  countryOptions,
  EMPTY_ADDRESS_INPUT,
  isAddressError,
  parseAddressForm,
  type AddressInput,
} from '../address';

const filled: AddressInput = {
  name: '  Ada Lovelace ',
  line1: '12 St James Square',
  line2: '',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '   ',
};

describe('parseAddressForm', () => {
  test('a filled form gives the trimmed address without empty optional fields', () => {
    expect(parseAddressForm(filled)).toEqual({
      ok: true,
      address: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    });
  });

  test('optional fields are kept when given', () => {
    const parsed = parseAddressForm({ ...filled, line2: ' Flat 3 ', phone: '+44 20 7946 0000' });
    expect(parsed.ok && parsed.address).toMatchObject({ line2: 'Flat 3', phone: '+44 20 7946 0000' });
  });

  test('an empty form names every required field, and only those', () => {
    const parsed = parseAddressForm(EMPTY_ADDRESS_INPUT);
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors.map((e) => e.field)).toEqual(['name', 'line1', 'city', 'postalCode', 'country']);
    expect(errors.find((e) => e.field === 'name')?.message).toBe('Full name is required.');
    expect(errors.find((e) => e.field === 'postalCode')?.message).toBe('Postal code is required.');
    expect(errors.find((e) => e.field === 'country')?.message).toMatch(/^Country is required/);
  });

  test('whitespace alone is empty', () => {
    const parsed = parseAddressForm({ ...filled, city: '   ' });
    expect(parsed.ok ? [] : parsed.errors).toEqual([{ field: 'city', message: 'City is required.' }]);
  });

  test.each(Object.entries(ADDRESS_LIMITS))('%s longer than %i characters is refused with its label and length', (field, max) => {
    const parsed = parseAddressForm({ ...filled, [field]: 'x'.repeat(max + 1) });
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe(field);
    expect(errors[0].message).toContain(`at most ${max} characters (it has ${max + 1})`);
    // At the limit it is accepted.
    expect(parseAddressForm({ ...filled, [field]: 'x'.repeat(max) }).ok).toBe(true);
  });

  test('the country must be one of the ISO codes; a lower-case code is accepted and upper-cased', () => {
    expect(parseAddressForm({ ...filled, country: 'XX' })).toEqual({
      ok: false,
      errors: [{ field: 'country', message: 'Country must be one of the countries in the list.' }],
    });
    const parsed = parseAddressForm({ ...filled, country: 'de' });
    expect(parsed.ok && parsed.address.country).toBe('DE');
  });
});

describe('addressApiErrors', () => {
  test("orders' shippingAddress.* errors land on the form's fields, named as labelled", () => {
    expect(
      addressApiErrors(
        [
          { field: 'shippingAddress.country', message: 'country must be an ISO 3166-1 alpha-2 code' },
          { field: 'shippingAddress.postalCode', message: 'Too small: expected string to have >=1 characters' },
          { field: 'items.0.quantity', message: 'quantity must be at most 100' },
          { message: 'Something else' },
        ],
        'shippingAddress',
      ),
    ).toEqual([
      { field: 'country', message: 'Country must be an ISO 3166-1 alpha-2 code.' },
      { field: 'postalCode', message: 'Postal code: Too small: expected string to have >=1 characters.' },
      { field: 'items.0.quantity', message: 'quantity must be at most 100' },
      { message: 'Something else' },
    ]);
  });

  test("the address book's errors (no prefix) land on the same fields", () => {
    expect(addressApiErrors([{ field: 'name', message: 'name is required' }])).toEqual([
      { field: 'name', message: 'Full name is required.' },
    ]);
  });

  test('isAddressError tells address errors from others', () => {
    expect(isAddressError({ field: 'shippingAddress.city', message: 'x' }, 'shippingAddress')).toBe(true);
    expect(isAddressError({ field: 'items.0', message: 'x' }, 'shippingAddress')).toBe(false);
    expect(isAddressError({ field: 'city', message: 'x' })).toBe(true);
    expect(isAddressError({ message: 'x' })).toBe(false);
  });
});

describe('countries', () => {
  test('every ISO code the API accepts is offered once, by its English name, sorted by name', () => {
    const options = countryOptions();
    expect(options.map((o) => o.code).sort()).toEqual([...COUNTRY_CODES].sort());
    const names = options.map((o) => o.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('GB')).toBe('United Kingdom');
  });
});

describe('showing an address', () => {
  const address = {
    name: 'Ada Lovelace',
    line1: '12 St James Square',
    line2: 'Flat 3',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  };

  test('as on an envelope and on one line', () => {
    expect(addressLines({ ...address, phone: '+44 1' })).toEqual([
      'Ada Lovelace',
      '12 St James Square',
      'Flat 3',
      'SW1Y 4JH London',
      'United Kingdom',
      'Phone: +44 1',
    ]);
    expect(addressSummary(address)).toBe('Ada Lovelace, 12 St James Square, Flat 3, SW1Y 4JH London, United Kingdom');
  });

  test('an address-book entry sent with an order loses its id and nothing else', () => {
    expect(addressOnly({ ...address, id: 'abc' } as typeof address)).toEqual(address);
  });
});
