import type { SearchDocument, SearchQuery, SearchResult } from '../contracts/search.ts';

export interface IndexOutcome {
  /** Documents written. */
  readonly indexed: number;
  /** Documents skipped because the index already held the same or a newer version. */
  readonly stale: number;
}

/**
 * Full-text catalog search. Implemented by OpenSearch on AWS and Orama locally; both pass the same
 * contract suite (test/adapters/search-index.contract.ts).
 */
export interface SearchIndex {
  /** Writes documents with external versioning: a document older than the indexed one is skipped. */
  index(documents: readonly SearchDocument[]): Promise<IndexOutcome>;
  search(query: SearchQuery): Promise<SearchResult>;
}
