import type { Category, Collection, Maison, Product, Variant } from '../contracts/catalog.ts';
import { ConflictError, UnprocessableError } from '../errors.ts';
import type { DomainEvent } from '../platform/domain-event.ts';

/** Position in the newest-first product listing. */
export interface ProductListKey {
  readonly createdAt: string;
  readonly productId: string;
}

/** The product that sells a SKU, and the SKU's variant in it. */
export interface SkuMatch {
  readonly product: Product;
  readonly variant: Variant;
}

/** A SKU a product was saved with already belongs to another product; SKUs are unique across the catalog. */
export class SkuTakenError extends ConflictError {
  override readonly code = 'SKU_TAKEN';
}

/** One save would change more SKUs than a single atomic write can hold. */
export class TooManySkuChangesError extends UnprocessableError {
  override readonly code = 'TOO_MANY_SKU_CHANGES';
}

export interface ProductRepository {
  get(productId: string): Promise<Product | undefined>;
  /** The product whose variants include `sku` (whatever its status), or undefined when none has it. */
  getBySku(sku: string): Promise<SkuMatch | undefined>;
  /** Products newest first (every status), starting after `after`. */
  listNewest(limit: number, after?: ProductListKey): Promise<Product[]>;
  /**
   * Writes the product if the stored version is still `expectedVersion` (0: absent), together with its
   * events, atomically. Throws VersionConflictError when another write got there first, SkuTakenError
   * when one of its SKUs belongs to another product.
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
