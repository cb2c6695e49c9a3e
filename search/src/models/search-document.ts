import { Schema, type Connection, type Model } from 'mongoose';
import { DEFAULT_CATEGORY } from '@jetmart/common/contracts';
import { applyVersion, createReplica, modelOn, type EventData, type ReplicaOutcome, type Subjects } from '@jetmart/common';

/**
 * Search's read model: one document per product, the facts search needs from three sources on
 * the PRODUCTS stream, each with its own version applied strictly N onto N−1 (SPEC invariant 2):
 * the product itself (`version`), its in-stock state (`stockVersion`) and its rating aggregate
 * (`ratingVersion`). Every write sets `touchedAt` (when the document last changed, for
 * operators). Each replica's in-memory index replays the stream itself rather than loading this
 * (background/index-follower.ts says why); the rebuild compares a replay with it.
 */
export interface SearchDocumentFields {
  _id: string;
  title: string;
  description: string;
  priceMinor: number;
  /** Listed units from the product event: the in-stock state until a stock event arrives. */
  quantity: number;
  sellerId: string;
  listed: boolean;
  category: string;
  /** Image ids, the cover first. */
  images: string[];
  createdAt: Date;
  version: number;
  /** 0 until the first product.stock-changed; then `inStock` is that event's state. */
  stockVersion: number;
  inStock: boolean | null;
  ratingVersion: number;
  ratingCount: number;
  ratingSum: number;
  touchedAt: Date;
}

export type SearchDocumentModel = Model<SearchDocumentFields>;

export const searchDocumentSchema = new Schema<SearchDocumentFields>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    priceMinor: { type: Number, required: true },
    quantity: { type: Number, required: true },
    sellerId: { type: String, required: true },
    listed: { type: Boolean, default: true },
    category: { type: String, default: DEFAULT_CATEGORY },
    images: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    version: { type: Number, required: true },
    stockVersion: { type: Number, default: 0 },
    inStock: { type: Boolean, default: null },
    ratingVersion: { type: Number, default: 0 },
    ratingCount: { type: Number, default: 0 },
    ratingSum: { type: Number, default: 0 },
    // Not indexed: nothing queries by it (an index would only slow every write on FerretDB).
    touchedAt: { type: Date, required: true },
  },
  // The three versions are the sources' own, set by events only.
  { versionKey: false },
);

/** The read model in `collection` (default: mongoose's name for it); a rebuild uses a fresh one. */
export function searchDocumentModelOn(conn: Connection, name = 'SearchDocument'): SearchDocumentModel {
  return modelOn<SearchDocumentModel>(conn, name, searchDocumentSchema);
}

export type ProductEventData = EventData<typeof Subjects.ProductCreated>;
export type StockEventData = EventData<typeof Subjects.ProductStockChanged>;
export type RatingEventData = EventData<typeof Subjects.ProductRatingChanged>;

/** The product's own fields as an event states them (optional ones absent in older events get their defaults). */
function productFields(data: ProductEventData) {
  return {
    title: data.title,
    description: data.description ?? '',
    priceMinor: data.priceMinor,
    quantity: data.quantity,
    sellerId: data.userId,
    listed: data.listed ?? true,
    category: data.category ?? DEFAULT_CATEGORY,
    images: data.images ?? [],
  };
}

/**
 * product.created: the document at the product's first version, stock and rating at 0 (their
 * first events carry version 1). `occurredAt` stands in for `createdAt` in older events.
 */
export function applyProductCreated(model: SearchDocumentModel, data: ProductEventData, occurredAt: string): Promise<ReplicaOutcome> {
  return createReplica(model, {
    _id: data.id,
    ...productFields(data),
    createdAt: new Date(data.createdAt ?? occurredAt),
    version: data.version,
    stockVersion: 0,
    inStock: null,
    ratingVersion: 0,
    ratingCount: 0,
    ratingSum: 0,
    touchedAt: new Date(),
  });
}

/** product.updated: version N onto N−1 (a gap waits, an old one is a duplicate). `createdAt` never moves. */
export function applyProductUpdated(model: SearchDocumentModel, data: ProductEventData): Promise<ReplicaOutcome> {
  return applyVersion(model, data.id, data.version, { $set: { ...productFields(data), touchedAt: new Date() } });
}

/** product.stock-changed: the stock state's own version N onto N−1. */
export function applyStockChanged(model: SearchDocumentModel, data: StockEventData): Promise<ReplicaOutcome> {
  return applyVersion(model, data.id, data.version, { $set: { inStock: data.inStock, touchedAt: new Date() } }, 'stockVersion');
}

/** product.rating-changed: the rating aggregate's own version N onto N−1. */
export function applyRatingChanged(model: SearchDocumentModel, data: RatingEventData): Promise<ReplicaOutcome> {
  return applyVersion(
    model,
    data.id,
    data.version,
    { $set: { ratingCount: data.ratingCount, ratingSum: data.ratingSum, touchedAt: new Date() } },
    'ratingVersion',
  );
}
