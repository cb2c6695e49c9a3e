import { Schema, type Connection, type HydratedDocument, type Model } from 'mongoose';
import {
  apiJson,
  ConflictError,
  fromMinor,
  outboxPlugin,
  recordEvent,
  Subjects,
  type WithOutbox,
} from '@jetmart/common';

/** A product as its seller lists it. Units held or sold are kept in the unit ledger (./unit-ledger). */
export interface ProductAttrs {
  title: string;
  description: string;
  priceMinor: number;
  /** Units the seller lists (held and sold units included). */
  quantity: number;
  userId: string;
}

export interface ProductFields extends ProductAttrs, WithOutbox {
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ProductChanges = Partial<Pick<ProductAttrs, 'title' | 'description' | 'priceMinor' | 'quantity'>>;

interface ProductMethods {
  /**
   * Applies the seller's changes and queues `product.updated`; returns false (and queues nothing)
   * when nothing changes, so the version only rises for a real change.
   * `unitsTaken` = units held by live orders + units sold.
   */
  applyChanges(changes: ProductChanges, unitsTaken: number): boolean;
  /** The event payload describing this product at `version`. */
  eventData(version: number): ProductEventData;
}

export interface ProductEventData {
  id: string;
  title: string;
  priceMinor: number;
  quantity: number;
  userId: string;
  version: number;
}

export type ProductModel = Model<ProductFields, object, ProductMethods>;
export type ProductDoc = HydratedDocument<ProductFields, ProductMethods>;

/** The API shape of a product, given the units no longer available to buyers. */
export interface ProductJson {
  id: string;
  title: string;
  description: string;
  price: number;
  quantity: number;
  available: number;
  userId: string;
  version: number;
}

const productJson = apiJson(['priceMinor', 'createdAt', 'updatedAt']);

export const productSchema = new Schema<ProductFields, ProductModel, ProductMethods>(
  {
    title: { type: String, required: true, maxlength: 200 },
    description: { type: String, default: '' },
    priceMinor: { type: Number, required: true, min: 1 },
    quantity: { type: Number, required: true, min: 0 },
    userId: { type: String, required: true },
  },
  {
    timestamps: true,
    optimisticConcurrency: true,
    versionKey: 'version',
    toJSON: {
      ...productJson,
      transform(doc: unknown, ret: Record<string, unknown>) {
        const price = fromMinor(ret.priceMinor as number);
        productJson.transform(doc, ret);
        return { id: ret.id, title: ret.title, description: ret.description, price, quantity: ret.quantity, userId: ret.userId, version: ret.version };
      },
    },
  },
);
productSchema.plugin(outboxPlugin);
// Newest-first listing with a (createdAt, _id) cursor.
productSchema.index({ createdAt: -1, _id: -1 });

productSchema.methods.eventData = function (this: ProductDoc, version: number): ProductEventData {
  return { id: this.id, title: this.title, priceMinor: this.priceMinor, quantity: this.quantity, userId: this.userId, version };
};

productSchema.methods.applyChanges = function (this: ProductDoc, changes: ProductChanges, unitsTaken: number): boolean {
  if (changes.quantity !== undefined && changes.quantity < unitsTaken) {
    throw new ConflictError(`quantity cannot be lower than the ${unitsTaken} units already held or sold`, 'quantity');
  }
  for (const [key, value] of Object.entries(changes) as [keyof ProductChanges, string | number][]) {
    if (value !== undefined && this.get(key) !== value) this.set(key, value);
  }
  if (!this.isModified()) return false;
  // save() with optimisticConcurrency bumps the version by exactly one.
  recordEvent(this, Subjects.ProductUpdated, this.eventData(this.version + 1));
  return true;
};

/** A new product with its `product.created` event queued; the caller saves it. */
export function buildProduct(Product: ProductModel, attrs: ProductAttrs): ProductDoc {
  const product = new Product(attrs);
  recordEvent(product, Subjects.ProductCreated, product.eventData(0));
  return product;
}

/** The API shape: `available` is what buyers can still order as far as this service knows. */
export function presentProduct(product: ProductDoc, unitsTaken: number): ProductJson {
  const { id, title, description, price, quantity, userId, version } = product.toJSON() as unknown as ProductJson;
  return { id, title, description, price, quantity, available: Math.max(0, quantity - unitsTaken), userId, version };
}

export function productModelOn(conn: Connection): ProductModel {
  return (conn.models.Product as ProductModel) ?? conn.model<ProductFields, ProductModel>('Product', productSchema);
}
