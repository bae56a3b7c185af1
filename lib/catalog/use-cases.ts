import type { z } from 'zod';
import {
  type Category,
  type CategoryInput,
  type Collection,
  type CollectionInput,
  type Maison,
  type MaisonInput,
  type Product,
  type ProductInput,
  ProductUpserted,
  type ProductView,
} from '../contracts/catalog.ts';
import {
  MalformedRequestError,
  NotFoundError,
  PreconditionFailedError,
  UnknownReferenceError,
  VersionConflictError,
} from '../errors.ts';
import type { MarketCode } from '../money/markets.ts';
import { type Clock, domainEvent } from '../platform/domain-event.ts';
import type { ProductListKey, ProductRepository, TaxonomyRepository } from './ports.ts';
import { isSoldIn, toProductView } from './product-view.ts';

export interface CatalogDeps {
  readonly products: ProductRepository;
  readonly taxonomy: TaxonomyRepository;
  readonly clock: Clock;
}

/** Optimistic-concurrency retries before giving up on a hot product. */
const MAX_SAVE_ATTEMPTS = 5;

export interface UpsertProductCommand {
  readonly productId: string;
  readonly input: ProductInput;
  /** From `If-Match`: write only over this version (0: only if absent). */
  readonly ifMatch?: number;
  readonly correlationId: string;
}

export interface UpsertProductOutcome {
  readonly product: Product;
  readonly created: boolean;
  /** False when the stored product already had this content: nothing written, no event. */
  readonly changed: boolean;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function contentOf(product: Product): ProductInput {
  const { productId, maison, collection, category, inStockMarkets, createdAt, updatedAt, version, ...input } =
    product;
  return input;
}

async function resolveReferences(taxonomy: TaxonomyRepository, input: ProductInput) {
  const [maison, collection, category] = await Promise.all([
    taxonomy.getMaison(input.maisonId),
    taxonomy.getCollection(input.collectionId),
    taxonomy.getCategory(input.categoryId),
  ]);
  if (!maison)
    throw new UnknownReferenceError(`Unknown maison ${input.maisonId}`, { maisonId: input.maisonId });
  if (!collection || collection.maisonId !== input.maisonId) {
    throw new UnknownReferenceError(`Maison ${input.maisonId} has no collection ${input.collectionId}`, {
      collectionId: input.collectionId,
    });
  }
  if (!category) {
    throw new UnknownReferenceError(`Unknown category ${input.categoryId}`, { categoryId: input.categoryId });
  }
  return {
    maison: { id: maison.maisonId, name: maison.name },
    collection: { id: collection.collectionId, name: collection.name },
    category: { id: category.categoryId, name: category.name },
  };
}

/**
 * Creates or replaces a product. Replaying identical content writes nothing; a concurrent writer is
 * retried against the fresh version unless the caller pinned one with If-Match.
 */
export async function upsertProduct(
  deps: CatalogDeps,
  cmd: UpsertProductCommand,
): Promise<UpsertProductOutcome> {
  const refs = await resolveReferences(deps.taxonomy, cmd.input);
  for (let attempt = 1; ; attempt++) {
    const current = await deps.products.get(cmd.productId);
    const currentVersion = current?.version ?? 0;
    if (cmd.ifMatch !== undefined && cmd.ifMatch !== currentVersion) {
      throw new PreconditionFailedError(
        `Product ${cmd.productId} is at version ${currentVersion}, not ${cmd.ifMatch}`,
        { currentVersion },
      );
    }
    if (
      current &&
      canonical(contentOf(current)) === canonical(cmd.input) &&
      canonical([current.maison, current.collection, current.category]) ===
        canonical([refs.maison, refs.collection, refs.category])
    ) {
      return { product: current, created: false, changed: false };
    }
    const now = deps.clock.now().toISOString();
    const product: Product = {
      ...cmd.input,
      productId: cmd.productId,
      ...refs,
      inStockMarkets: current?.inStockMarkets ?? [],
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
      version: currentVersion + 1,
    };
    const event = domainEvent(
      ProductUpserted,
      {
        productId: product.productId,
        version: product.version,
        status: product.status,
        skus: product.variants.map((v) => v.sku),
      },
      {
        eventId: `product:${product.productId}:v${product.version}`,
        correlationId: cmd.correlationId,
        occurredAt: deps.clock.now(),
      },
    );
    try {
      await deps.products.save(product, currentVersion, [event]);
      return { product, created: !current, changed: true };
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (cmd.ifMatch !== undefined) {
        throw new PreconditionFailedError(`Product ${cmd.productId} changed while it was being written`);
      }
      if (attempt >= MAX_SAVE_ATTEMPTS) throw error;
    }
  }
}

/** The product page in one market; 404 when it is not active or not priced there. */
export async function getProductView(
  deps: Pick<CatalogDeps, 'products'>,
  productId: string,
  market: MarketCode,
): Promise<ProductView> {
  const product = await deps.products.get(productId);
  if (!product || !isSoldIn(product, market)) {
    throw new NotFoundError(`No product ${productId} is sold in market ${market}`);
  }
  return toProductView(product, market);
}

export function encodeCursor(key: ProductListKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.productId])).toString('base64url');
}

export function decodeCursor(cursor: string): ProductListKey {
  try {
    const [createdAt, productId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof productId === 'string') return { createdAt, productId };
  } catch {
    // fall through to the error below
  }
  throw new MalformedRequestError('The cursor is not one this API issued');
}

/** A page of the products sold in a market, newest first. */
export async function listProducts(
  deps: Pick<CatalogDeps, 'products'>,
  query: { market: MarketCode; limit: number; cursor?: string },
): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const items: ProductView[] = [];
  const pageSize = Math.max(query.limit * 2, 25);
  let after = query.cursor ? decodeCursor(query.cursor) : undefined;
  // Unsold products are filtered after the read: read ahead until one more sold product proves a next page.
  for (;;) {
    const batch = await deps.products.listNewest(pageSize, after);
    for (const product of batch) {
      if (!isSoldIn(product, query.market)) continue;
      const last = items.at(-1);
      if (items.length === query.limit && last) {
        return { items, nextCursor: encodeCursor({ createdAt: last.createdAt, productId: last.productId }) };
      }
      items.push(toProductView(product, query.market));
    }
    const tail = batch.at(-1);
    if (batch.length < pageSize || !tail) return { items, nextCursor: null };
    after = { createdAt: tail.createdAt, productId: tail.productId };
  }
}

type Inputs = {
  maison: z.infer<typeof MaisonInput>;
  collection: z.infer<typeof CollectionInput>;
  category: z.infer<typeof CategoryInput>;
};

export async function upsertMaison(
  deps: Pick<CatalogDeps, 'taxonomy' | 'clock'>,
  maisonId: string,
  input: Inputs['maison'],
): Promise<Maison> {
  const maison: Maison = { ...input, maisonId, updatedAt: deps.clock.now().toISOString() };
  await deps.taxonomy.putMaison(maison);
  return maison;
}

export async function upsertCollection(
  deps: Pick<CatalogDeps, 'taxonomy' | 'clock'>,
  collectionId: string,
  input: Inputs['collection'],
): Promise<Collection> {
  if (!(await deps.taxonomy.getMaison(input.maisonId))) {
    throw new UnknownReferenceError(`Unknown maison ${input.maisonId}`, { maisonId: input.maisonId });
  }
  const collection: Collection = { ...input, collectionId, updatedAt: deps.clock.now().toISOString() };
  await deps.taxonomy.putCollection(collection);
  return collection;
}

export async function upsertCategory(
  deps: Pick<CatalogDeps, 'taxonomy' | 'clock'>,
  categoryId: string,
  input: Inputs['category'],
): Promise<Category> {
  const category: Category = { ...input, categoryId, updatedAt: deps.clock.now().toISOString() };
  await deps.taxonomy.putCategory(category);
  return category;
}
