import { Subjects, type Event, type Subject } from '@jetmart/common';
import { DEFAULT_CATEGORY } from '@jetmart/common/contracts';
import type { SearchDocumentFields } from '../models';
import type { ProductFacts, SearchIndex } from './search-index';

/** The subjects search follows: everything its read model and index are made of (all on PRODUCTS). */
export const SEARCH_SUBJECTS = [
  Subjects.ProductCreated,
  Subjects.ProductUpdated,
  Subjects.ProductStockChanged,
  Subjects.ProductRatingChanged,
] as const satisfies readonly Subject[];

type ProductData = Event<typeof Subjects.ProductCreated>['data'];

export function productFacts(data: ProductData): ProductFacts {
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

/** Applies one (validated) event of the PRODUCTS stream to an in-memory index; true when it changed it. */
export function applyEventToIndex(index: SearchIndex, event: Event<Subject>): boolean {
  switch (event.subject) {
    case Subjects.ProductCreated:
    case Subjects.ProductUpdated: {
      const data = event.data as ProductData;
      const createdAt = new Date(data.createdAt ?? event.occurredAt);
      return index.applyProduct(data.id, data.version, productFacts(data), createdAt, event.subject === Subjects.ProductCreated);
    }
    case Subjects.ProductStockChanged: {
      const data = event.data as Event<typeof Subjects.ProductStockChanged>['data'];
      return index.applyStock(data.id, data.version, data.inStock);
    }
    case Subjects.ProductRatingChanged: {
      const data = event.data as Event<typeof Subjects.ProductRatingChanged>['data'];
      return index.applyRating(data.id, data.version, data.ratingCount, data.ratingSum);
    }
    default:
      return false;
  }
}

/** Applies one read-model document to an in-memory index (the benchmark indexes its generated catalog so). */
export function applyDocumentToIndex(index: SearchIndex, doc: SearchDocumentFields): void {
  index.applyProduct(
    doc._id,
    doc.version,
    {
      title: doc.title,
      description: doc.description ?? '',
      priceMinor: doc.priceMinor,
      quantity: doc.quantity,
      sellerId: doc.sellerId,
      listed: doc.listed !== false,
      category: doc.category ?? DEFAULT_CATEGORY,
      images: doc.images ?? [],
    },
    new Date(doc.createdAt),
    true,
  );
  if (doc.stockVersion > 0 && doc.inStock !== null) index.applyStock(doc._id, doc.stockVersion, doc.inStock);
  if (doc.ratingVersion > 0) index.applyRating(doc._id, doc.ratingVersion, doc.ratingCount, doc.ratingSum);
}
