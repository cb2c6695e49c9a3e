import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { modelOn, outboxPlugin, recordEvent, Subjects, type WithOutbox } from '@jetmart/common';
import { CATEGORIES, DEFAULT_CATEGORY, categoryWithDescendants, isCategory } from '@jetmart/common/contracts';
import { productImageSchema, type ProductImage } from './product-image';

/** A product as its seller lists it. Units held or sold are kept in the unit ledger (./unit-ledger). */
export interface ProductAttrs {
  title: string;
  description: string;
  priceMinor: number;
  /** Units the seller lists (held and sold units included). */
  quantity: number;
  userId: string;
  /** A slug of the category tree (common's CATEGORIES); DEFAULT_CATEGORY when the seller chose none. */
  category: string;
}

/**
 * Why a product is off the catalog: its seller took it off (`seller`, reversible by relisting) or
 * the seller's account was deleted (`account-deleted`, for good). Products unlisted before sellers
 * could unlist have `unlistedAt` and no reason: they were all account deletions.
 */
export type UnlistReason = 'seller' | 'account-deleted';

export interface ProductFields extends ProductAttrs, WithOutbox {
  /**
   * Set while the product is unlisted: THE notion of "listed" (listed = no `unlistedAt`). An
   * unlisted product is out of the catalog and orders refuses new orders for it.
   */
  unlistedAt?: Date;
  unlistReason?: UnlistReason;
  /** Up to IMAGE_LIMITS.maxPerProduct, the cover first; changed only through ./product-image. */
  images: ProductImage[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ProductChanges = Partial<Pick<ProductAttrs, 'title' | 'description' | 'priceMinor' | 'quantity' | 'category'>>;

/** What a seller's change did: the caller saves a `changed` product. */
export type ChangeOutcome = { kind: 'changed' } | { kind: 'unchanged' } | { kind: 'quantity-below-taken'; unitsTaken: number };

/** What an unlisting did: the caller saves an `unlisted` product. */
export type UnlistOutcome = 'unlisted' | 'already-unlisted';
/** What a seller's unlist or relist did: the caller saves an `unlisted` / `relisted` product. */
export type SellerUnlistOutcome = 'unlisted' | 'already-unlisted';
export type RelistOutcome = 'relisted' | 'already-listed' | 'account-deleted';

interface ProductMethods {
  /**
   * Applies the seller's changes and queues `product.updated`. Nothing is changed or queued when
   * nothing differs (so the version only rises for a real change) or when the new quantity is
   * below `unitsTaken` (units held by live orders + units sold).
   */
  applyChanges(changes: ProductChanges, unitsTaken: number): ChangeOutcome;
  /**
   * Takes the product off sale for good (its seller's account is gone): the listed quantity
   * becomes the units already taken (held by live orders + sold − restocked), so none is
   * available, and `product.updated` tells orders' replica. Invariant 1 holds (quantity = taken).
   * Again on an unlisted product: only lowers the quantity to what is taken now (units released
   * or restocked since), else changes nothing, so a redelivery is a no-op.
   */
  unlist(unitsTaken: number, now?: Date): UnlistOutcome;
  /**
   * The seller takes the product off the catalog. The listed quantity is kept (a relist puts the
   * same units back) and live orders keep their held units; orders' replica learns it from
   * `product.updated` (`listed: false`) and refuses new orders.
   */
  unlistBySeller(now?: Date): SellerUnlistOutcome;
  /** The seller puts a product they unlisted back in the catalog; never one of a deleted account. */
  relist(): RelistOutcome;
  /** Whether the product is in the catalog (no `unlistedAt`). */
  isListed(): boolean;
  /** The event payload describing this product at `version`. */
  eventData(version: number): ProductEventData;
}

export interface ProductEventData {
  id: string;
  title: string;
  priceMinor: number;
  quantity: number;
  userId: string;
  /** Added with seller unlisting; absent in older events (listed, unless the quantity says otherwise). */
  listed: boolean;
  /** Added with the catalog (issue 19): what search indexes, so its read model needs only the PRODUCTS stream. */
  description: string;
  category: string;
  /** Image ids, the cover first (the product's `images`, when it has any). */
  images: string[];
  createdAt: string;
  version: number;
}

export type ProductModel = Model<ProductFields, object, ProductMethods>;
export type ProductDoc = HydratedDocument<ProductFields, ProductMethods>;

const productSchema = new Schema<ProductFields, ProductModel, ProductMethods>(
  {
    title: { type: String, required: true, maxlength: 200 },
    description: { type: String, default: '' },
    priceMinor: { type: Number, required: true, min: 1 },
    quantity: { type: Number, required: true, min: 0 },
    userId: { type: String, required: true },
    unlistedAt: { type: Date },
    unlistReason: { type: String, enum: ['seller', 'account-deleted'] },
    images: { type: [productImageSchema], default: [] },
    // Products listed before categories have none stored: mongoose fills the default on reading.
    category: { type: String, default: DEFAULT_CATEGORY, enum: allCategorySlugs() },
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
productSchema.plugin(outboxPlugin);
// Newest-first listing with a (createdAt, _id) cursor.
productSchema.index({ createdAt: -1, _id: -1 });
// A seller's products (`?sellerId=`, `/mine`), newest first with the same cursor.
productSchema.index({ userId: 1, createdAt: -1, _id: -1 });
// The catalog of one category (`?category=`, a parent with its children: `$in`), newest first.
productSchema.index({ category: 1, createdAt: -1, _id: -1 });

function allCategorySlugs(): string[] {
  return CATEGORIES.flatMap((c) => categoryWithDescendants(c.slug));
}

/**
 * The filter for a category and everything under it. Products stored before categories have no
 * `category` field (they read as DEFAULT_CATEGORY), so the default's filter also matches a missing
 * field (`$in` with null). An unknown slug matches nothing.
 */
export function categoryFilter(slug: string): Record<string, unknown> {
  if (!isCategory(slug)) return { category: { $in: [] } };
  const slugs: (string | null)[] = categoryWithDescendants(slug);
  if (slugs.includes(DEFAULT_CATEGORY)) slugs.push(null);
  return { category: { $in: slugs } };
}

/** The ids of the product's images, the cover first (products stored before images have none). */
function imageIdsOf(product: ProductDoc): string[] {
  return (product.images ?? []).map((image) => image.id);
}

productSchema.methods.isListed = function (this: ProductDoc): boolean {
  return !this.unlistedAt;
};

productSchema.methods.eventData = function (this: ProductDoc, version: number): ProductEventData {
  return {
    id: this.id,
    title: this.title,
    priceMinor: this.priceMinor,
    quantity: this.quantity,
    userId: this.userId,
    listed: this.isListed(),
    description: this.description,
    category: this.category,
    images: imageIdsOf(this),
    createdAt: this.createdAt.toISOString(),
    version,
  };
};

productSchema.methods.applyChanges = function (this: ProductDoc, changes: ProductChanges, unitsTaken: number): ChangeOutcome {
  if (changes.quantity !== undefined && changes.quantity < unitsTaken) return { kind: 'quantity-below-taken', unitsTaken };
  for (const [key, value] of Object.entries(changes) as [keyof ProductChanges, string | number][]) {
    if (value !== undefined && this.get(key) !== value) this.set(key, value);
  }
  if (!this.isModified()) return { kind: 'unchanged' };
  // save() with optimisticConcurrency bumps the version by exactly one.
  recordEvent(this, Subjects.ProductUpdated, this.eventData(this.version + 1));
  return { kind: 'changed' };
};

productSchema.methods.unlist = function (this: ProductDoc, unitsTaken: number, now = new Date()): UnlistOutcome {
  const quantity = Math.max(0, Math.min(this.quantity, unitsTaken));
  const forGood = this.unlistedAt && this.unlistReason !== 'seller';
  if (forGood && this.quantity === quantity) return 'already-unlisted';
  if (!this.unlistedAt) this.unlistedAt = now;
  // A product its seller had unlisted is now off for good: a relist must not bring it back.
  this.unlistReason = 'account-deleted';
  this.quantity = quantity;
  // Every save bumps the version (optimisticConcurrency), so every save is published, even one
  // that only marks the product: the replicas must see each version.
  recordEvent(this, Subjects.ProductUpdated, this.eventData(this.version + 1));
  return 'unlisted';
};

productSchema.methods.unlistBySeller = function (this: ProductDoc, now = new Date()): SellerUnlistOutcome {
  if (this.unlistedAt) return 'already-unlisted';
  this.unlistedAt = now;
  this.unlistReason = 'seller';
  recordEvent(this, Subjects.ProductUpdated, this.eventData(this.version + 1));
  return 'unlisted';
};

productSchema.methods.relist = function (this: ProductDoc): RelistOutcome {
  if (!this.unlistedAt) return 'already-listed';
  if (this.unlistReason !== 'seller') return 'account-deleted';
  this.unlistedAt = undefined;
  this.unlistReason = undefined;
  recordEvent(this, Subjects.ProductUpdated, this.eventData(this.version + 1));
  return 'relisted';
};

/** A new product with its `product.created` event queued; the caller saves it. */
export function buildProduct(Product: ProductModel, attrs: ProductAttrs, now = new Date()): ProductDoc {
  // createdAt is set here, not by the save's timestamps, because product.created carries it.
  const product = new Product({ ...attrs, createdAt: now, updatedAt: now });
  recordEvent(product, Subjects.ProductCreated, product.eventData(0));
  return product;
}

export function productModelOn(conn: Connection): ProductModel {
  return modelOn<ProductModel>(conn, 'Product', productSchema);
}
