import type { Category, Collection, Maison, Product } from '../contracts/catalog.ts';
import type { DomainEvent } from '../platform/domain-event.ts';

/** Position in the newest-first product listing. */
export interface ProductListKey {
  readonly createdAt: string;
  readonly productId: string;
}

export interface ProductRepository {
  get(productId: string): Promise<Product | undefined>;
  /** Products newest first (every status), starting after `after`. */
  listNewest(limit: number, after?: ProductListKey): Promise<Product[]>;
  /**
   * Writes the product if the stored version is still `expectedVersion` (0: absent), together with its
   * events, atomically. Throws VersionConflictError when another write got there first.
   */
  save(product: Product, expectedVersion: number, events: readonly DomainEvent[]): Promise<void>;
}

export interface TaxonomyRepository {
  getMaison(maisonId: string): Promise<Maison | undefined>;
  getCollection(collectionId: string): Promise<Collection | undefined>;
  getCategory(categoryId: string): Promise<Category | undefined>;
  putMaison(maison: Maison): Promise<void>;
  putCollection(collection: Collection): Promise<void>;
  putCategory(category: Category): Promise<void>;
  listAll(): Promise<{ maisons: Maison[]; collections: Collection[]; categories: Category[] }>;
}
