import type { z } from 'zod';
import type { CategoryInput, CollectionInput, MaisonInput, ProductInput } from '../contracts/catalog.ts';
import type { MarketCode } from '../money/markets.ts';
import { CATEGORIES } from './categories/index.ts';
import type { CategoryId } from './categories/types.ts';
import { demoLocations, type Location, type ZoneRegions } from './locations.ts';
import { type CollectionSpec, MAISONS } from './maisons.ts';
import { buildProduct, ProductIds } from './products.ts';
import { type StockLevel, stockPlan } from './stock.ts';
import { slugify } from './text.ts';

/** The seed the local runtime uses unless told otherwise. */
export const DEMO_SEED = 1847;
/** The fixed "now" products are dated against, so the catalog does not shift from one day to the next. */
export const DEMO_EPOCH = '2026-01-01T00:00:00Z';
/** How many products the local runtime loads. */
export const DEMO_PRODUCT_COUNT = 240;
/** Upper bound for benchmark catalogs. */
export const MAX_DEMO_PRODUCTS = 100_000;

/** Options of {@link generateDemoData}; every one has a default. */
export interface DemoDataOptions {
  /** Unsigned 32-bit integer; the same seed always gives the same catalog. Default {@link DEMO_SEED}. */
  readonly seed?: number;
  /** ISO date-time that `createdAt` values count back from. Default {@link DEMO_EPOCH}. */
  readonly epoch?: string;
  /** How many products, 1 to {@link MAX_DEMO_PRODUCTS}. Default {@link DEMO_PRODUCT_COUNT}. */
  readonly products?: number;
  /** The platform's residency zones (`cdk.json` `zones`), to place each location in its nearest region. */
  readonly zones?: ZoneRegions;
}

/** A maison and the body an admin would `PUT` for it. */
export interface DemoMaison {
  readonly maisonId: string;
  readonly input: z.infer<typeof MaisonInput>;
}

/** A collection and the body an admin would `PUT` for it. */
export interface DemoCollection {
  readonly collectionId: string;
  readonly input: z.infer<typeof CollectionInput>;
}

/** A category and the body an admin would `PUT` for it. */
export interface DemoCategory {
  readonly categoryId: string;
  readonly input: z.infer<typeof CategoryInput>;
}

/** A product: its `PUT /v1/admin/products/{productId}` body and the fields the catalog derives. */
export interface DemoProduct {
  readonly productId: string;
  readonly input: ProductInput;
  /** Markets where a location of the market's zone holds stock of at least one SKU. */
  readonly inStockMarkets: MarketCode[];
  readonly createdAt: string;
}

/** Units of a SKU on hand at a location. */
export type DemoStock = StockLevel;

/** A complete demo catalog with its locations and stock. */
export interface DemoData {
  readonly maisons: DemoMaison[];
  readonly collections: DemoCollection[];
  readonly categories: DemoCategory[];
  readonly products: DemoProduct[];
  readonly locations: Location[];
  readonly stock: DemoStock[];
}

function resolveOptions(options: DemoDataOptions): { seed: number; epochMs: number; count: number } {
  const seed = options.seed ?? DEMO_SEED;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    throw new RangeError(`seed must be an integer from 0 to ${0xffff_ffff}, got ${seed}`);
  }
  const epoch = options.epoch ?? DEMO_EPOCH;
  const epochMs = Date.parse(epoch);
  if (Number.isNaN(epochMs))
    throw new RangeError(`epoch must be an ISO date-time, got ${JSON.stringify(epoch)}`);
  const count = options.products ?? DEMO_PRODUCT_COUNT;
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEMO_PRODUCTS) {
    throw new RangeError(`products must be an integer from 1 to ${MAX_DEMO_PRODUCTS}, got ${count}`);
  }
  return { seed, epochMs, count };
}

/**
 * Generates the demo catalog: eight invented maisons with their collections, the categories, products with
 * stories, variants, limited editions and a price in every market, and boutiques, warehouses and stock in
 * every residency zone. Pure and deterministic: the same options always give deep-equal output.
 *
 * @example
 * const demo = generateDemoData(); // 240 products
 * const bench = generateDemoData({ products: 10_000, seed: 7 });
 */
export function generateDemoData(options: DemoDataOptions = {}): DemoData {
  const { seed, epochMs, count } = resolveOptions(options);

  const collectionIds = new Map<CollectionSpec, string>();
  const collections: DemoCollection[] = [];
  for (const maison of MAISONS) {
    for (const spec of maison.collections) {
      const collectionId = `${maison.id}-${slugify(spec.name)}`;
      collectionIds.set(spec, collectionId);
      collections.push({
        collectionId,
        input: {
          name: spec.name,
          maisonId: maison.id,
          ...(spec.season ? { season: spec.season } : {}),
          description: spec.description,
        },
      });
    }
  }

  const used = new Set<CategoryId>(MAISONS.flatMap((m) => m.categories));
  const categories: DemoCategory[] = Object.values(CATEGORIES)
    .filter((c) => used.has(c.id))
    .map((c) => ({ categoryId: c.id, input: { name: c.name, description: c.description } }));

  const maisons: DemoMaison[] = MAISONS.map((m) => ({
    maisonId: m.id,
    input: { name: m.name, founded: m.founded, country: m.country, description: m.description },
  }));

  const locations = demoLocations(options.zones);
  const run = { seed, epochMs, plan: stockPlan(locations), ids: new ProductIds(), collectionIds };
  const products: DemoProduct[] = [];
  const stock: DemoStock[] = [];
  for (let i = 0; i < count; i++) {
    const built = buildProduct(run, i);
    products.push({
      productId: built.productId,
      input: built.input,
      inStockMarkets: built.inStockMarkets,
      createdAt: built.createdAt,
    });
    for (const level of built.stock) stock.push(level);
  }

  return { maisons, collections, categories, products, locations, stock };
}
