import { DEFAULT_CATEGORY, isCategory, PRODUCT_LIMITS, type ApiErrorItem } from '@jetmart/common/contracts';

/**
 * The seller's product form: what the person typed → the API's body, or messages that name the
 * field as the form labels it ("Price must be a number like 18.50"). The API checks the same rules
 * again; its messages (which name the JSON field, "price must be ...") are relabelled the same way.
 */

/** The form's labels by API field. */
export const PRODUCT_FIELD_LABELS = {
  title: 'Title',
  description: 'Description',
  category: 'Category',
  price: 'Price',
  quantity: 'Units in stock',
} as const;
export type ProductField = keyof typeof PRODUCT_FIELD_LABELS;

/** The products API's limit on descriptions (not among the shared PRODUCT_LIMITS). */
export const MAX_DESCRIPTION_LENGTH = 5000;

const grouped = (n: number) => n.toLocaleString('en-US');

export interface ProductInput {
  title: string;
  description: string;
  /** A slug of the shared category tree; empty means the default category. */
  category?: string;
  price: string;
  quantity: string;
}

export interface ProductBody {
  title: string;
  description: string;
  category: string;
  price: number;
  quantity: number;
}

export type ParsedProduct = { ok: true; body: ProductBody } | { ok: false; errors: ApiErrorItem[] };

export function parseProductForm(input: ProductInput): ParsedProduct {
  const errors: ApiErrorItem[] = [];
  const title = input.title.trim();
  const description = input.description.trim();
  if (title === '') errors.push({ field: 'title', message: 'Title is required.' });
  else if (title.length > PRODUCT_LIMITS.maxTitleLength) {
    errors.push({
      field: 'title',
      message: `Title can have at most ${PRODUCT_LIMITS.maxTitleLength} characters (it has ${title.length}).`,
    });
  }
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push({
      field: 'description',
      message: `Description can have at most ${grouped(MAX_DESCRIPTION_LENGTH)} characters (it has ${grouped(description.length)}).`,
    });
  }
  const category = input.category || DEFAULT_CATEGORY;
  if (!isCategory(category)) errors.push({ field: 'category', message: 'Choose a category from the list.' });
  const price = parsePrice(input.price);
  if (typeof price === 'string') errors.push({ field: 'price', message: price });
  const quantity = parseQuantity(input.quantity);
  if (typeof quantity === 'string') errors.push({ field: 'quantity', message: quantity });
  if (errors.length > 0 || typeof price === 'string' || typeof quantity === 'string') return { ok: false, errors };
  return { ok: true, body: { title, description, category, price, quantity } };
}

/**
 * A price as people write it: "18.50", "18,50" (decimal comma), "$18.50", "1,250.00" or
 * "1.250,00" (thousands grouped). Returns the amount, or the message for the person.
 */
export function parsePrice(text: string): number | string {
  let s = text
    .trim()
    .replace(/^\$\s*/, '')
    .replace(/\s+/g, '');
  if (s === '') return 'Price is required, like 18.50.';
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    // Both: the last one separates the cents, the other groups thousands.
    const group = lastComma > lastDot ? '.' : ',';
    const at = Math.max(lastComma, lastDot);
    const [whole, cents] = [s.slice(0, at), s.slice(at + 1)];
    if (!isGrouped(whole, group)) return NOT_A_PRICE;
    s = `${whole.split(group).join('')}.${cents}`;
  } else if (lastComma >= 0) {
    // "1,250" groups thousands (a price has at most 2 decimals); "18,50" and "18,5" are decimal commas.
    s = isGrouped(s, ',') && /,\d{3}$/.test(s) ? s.split(',').join('') : s.replace(',', '.');
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) return NOT_A_PRICE;
  const [, cents = ''] = s.split('.');
  if (cents.length > 2) return 'Price can have at most 2 decimals, like 18.50.';
  const amount = Number(s);
  if (amount <= 0) return 'Price must be more than 0.';
  if (amount > PRODUCT_LIMITS.maxPrice) return `Price can be at most ${grouped(PRODUCT_LIMITS.maxPrice)}.`;
  return amount;
}

const NOT_A_PRICE = 'Price must be a number like 18.50.';

/** "1,250" or "1.250" grouped by threes (or no grouping at all). */
function isGrouped(whole: string, group: string): boolean {
  if (/^\d+$/.test(whole)) return true;
  const parts = whole.split(group);
  return /^\d{1,3}$/.test(parts[0]) && parts.slice(1).every((p) => /^\d{3}$/.test(p));
}

/** Whole units, "1,000" allowed. Returns the number, or the message for the person. */
export function parseQuantity(text: string): number | string {
  const s = text.trim();
  if (s === '') return 'Units in stock is required: how many you can ship (0 if none yet).';
  if (/^-\s*\d/.test(s)) return 'Units in stock cannot be negative.';
  const digits = isGrouped(s, ',') ? s.split(',').join('') : s;
  if (!/^\d+$/.test(digits)) return 'Units in stock must be a whole number, like 5.';
  const n = Number(digits);
  if (n > PRODUCT_LIMITS.maxQuantity) return `Units in stock can be at most ${grouped(PRODUCT_LIMITS.maxQuantity)}.`;
  return n;
}

/** The API's "price must be greater than 0" → "Price must be greater than 0." (the form's label). */
export function labelApiErrors(errors: ApiErrorItem[]): ApiErrorItem[] {
  return errors.map((e) => {
    const label = e.field && e.field in PRODUCT_FIELD_LABELS ? PRODUCT_FIELD_LABELS[e.field as ProductField] : undefined;
    if (!label) return e;
    const rest = e.message.toLowerCase().startsWith(e.field!.toLowerCase()) ? e.message.slice(e.field!.length) : `: ${e.message}`;
    const message = `${label}${rest}`;
    return { ...e, message: /[.!?]$/.test(message) ? message : `${message}.` };
  });
}
