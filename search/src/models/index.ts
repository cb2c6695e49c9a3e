import type { Connection } from 'mongoose';
import { searchDocumentModelOn, type SearchDocumentModel } from './search-document';

export * from './search-document';

export interface SearchModels {
  SearchDocument: SearchDocumentModel;
}

/** Every search model on `conn` (which must have the database plugins: runService, useTestDatabase). */
export function searchModels(conn: Connection): SearchModels {
  return { SearchDocument: searchDocumentModelOn(conn) };
}
