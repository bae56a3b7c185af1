import { z } from 'zod';
import { CurrencyCode, Money } from '../money/currency.ts';
import { MARKETS, MarketCode } from '../money/markets.ts';
import { defineEvent } from './events.ts';

/** Lower-case slug used for product, maison, collection and category ids. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a lower-case slug: letters, digits and dashes');
export const Sku = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{2,40}$/, 'must be upper-case letters, digits and dashes');

const Text = (max: number) => z.string().trim().min(1).max(max);

export const ProductStatus = z.enum(['active', 'draft', 'archived']);

export const Story = z
  .strictObject({
    craftsmanship: Text(4000).describe('How the piece is made: ateliers, techniques, hours of handwork'),
    materials: z.array(Text(80)).min(1).max(20).describe('Materials, e.g. "18k yellow gold", "calfskin"'),
    provenance: Text(2000).describe('Where materials and making come from'),
    heritage: Text(4000).describe('The piece in the history of its maison'),
  })
  .meta({ id: 'Story' });

export const MediaRef = z
  .strictObject({
    type: z.enum(['image', 'video', 'model3d']),
    url: z.url({ protocol: /^https$/, error: 'media url must be an https URL' }).max(2048),
    alt: Text(300),
    role: z.enum(['hero', 'detail', 'lifestyle', 'packshot']).default('detail'),
  })
  .meta({ id: 'MediaRef' });

export const Edition = z
  .strictObject({
    number: z.number().int().min(1).describe("This piece's number within its limited edition"),
    size: z.number().int().min(1).max(100_000).describe('How many pieces the edition has'),
  })
  .refine((e) => e.number <= e.size, {
    message: 'edition number cannot exceed the edition size',
    path: ['number'],
  })
  .meta({ id: 'Edition' });

export const Variant = z
  .strictObject({
    sku: Sku,
    size: Text(40).optional(),
    colour: Text(60).optional(),
    edition: Edition.optional(),
  })
  .meta({ id: 'Variant' });
export type Variant = z.infer<typeof Variant>;

/** A price in one market's price list, in minor units of that market's currency. */
export const MarketPrice = z
  .strictObject({
    market: MarketCode,
    currency: CurrencyCode,
    amount: z.number().int().positive().max(1e13),
  })
  .refine((p) => MARKETS[p.market]?.currency === p.currency, {
    message: 'currency does not match the market (prices are set per market, never converted)',
    path: ['currency'],
  })
  .meta({ id: 'MarketPrice' });

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): boolean {
  return new Set(items.map(key)).size === items.length;
}

/** Body of `PUT /v1/admin/products/{productId}`: everything staff set about a product. */
export const ProductInput = z
  .strictObject({
    name: Text(200),
    maisonId: Slug,
    collectionId: Slug,
    categoryId: Slug,
    status: ProductStatus.default('active'),
    description: Text(4000),
    story: Story,
    media: z.array(MediaRef).max(30).default([]),
    variants: z
      .array(Variant)
      .min(1)
      // A save writes the product, its outbox event and one SKU pointer per variant in one
      // TransactWriteItems, which holds at most 100 items: 96 leaves room for the product, the event
      // and a few pointers of SKUs the new version drops.
      .max(96)
      .refine((v) => uniqueBy(v, (x) => x.sku), 'each variant needs its own SKU'),
    prices: z
      .array(MarketPrice)
      .min(1)
      .refine((p) => uniqueBy(p, (x) => x.market), 'one price per market'),
    tags: z.array(Text(40)).max(30).default([]),
  })
  .meta({ id: 'ProductInput' });
export type ProductInput = z.infer<typeof ProductInput>;

const Ref = z.strictObject({ id: Slug, name: z.string() });

/** A product as stored in the catalog table. */
export const Product = ProductInput.safeExtend({
  productId: Slug,
  maison: Ref,
  collection: Ref,
  category: Ref,
  inStockMarkets: z.array(MarketCode).describe('Markets where at least one variant can be sold now'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().positive(),
}).meta({ id: 'Product' });
export type Product = z.infer<typeof Product>;

/** A product as a storefront sees it in one market. */
export const ProductView = z
  .strictObject({
    productId: Slug,
    name: z.string(),
    maison: Ref,
    collection: Ref,
    category: Ref,
    description: z.string(),
    story: Story,
    media: z.array(MediaRef),
    variants: z.array(Variant),
    tags: z.array(z.string()),
    market: MarketCode,
    price: Money.extend({
      taxIncluded: z.boolean().describe("Whether the market's price includes VAT or consumption tax"),
      formatted: z.string(),
    }),
    inStock: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'ProductView' });
export type ProductView = z.infer<typeof ProductView>;

export const MaisonInput = z
  .strictObject({
    name: Text(120),
    founded: z.number().int().min(1000).max(3000).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    description: Text(4000),
  })
  .meta({ id: 'MaisonInput' });
export const Maison = MaisonInput.safeExtend({ maisonId: Slug, updatedAt: z.iso.datetime() }).meta({
  id: 'Maison',
});
export type Maison = z.infer<typeof Maison>;

export const CollectionInput = z
  .strictObject({
    name: Text(120),
    maisonId: Slug,
    season: Text(40).optional(),
    description: Text(4000),
  })
  .meta({ id: 'CollectionInput' });
export const Collection = CollectionInput.safeExtend({
  collectionId: Slug,
  updatedAt: z.iso.datetime(),
}).meta({
  id: 'Collection',
});
export type Collection = z.infer<typeof Collection>;

export const CategoryInput = z
  .strictObject({ name: Text(120), description: Text(2000) })
  .meta({ id: 'CategoryInput' });
export const Category = CategoryInput.safeExtend({ categoryId: Slug, updatedAt: z.iso.datetime() }).meta({
  id: 'Category',
});
export type Category = z.infer<typeof Category>;

export const ProductUpserted = defineEvent({
  source: 'vitrine.catalog',
  detailType: 'ProductUpserted',
  version: 1,
  data: z.strictObject({
    productId: Slug,
    version: z.number().int().positive(),
    status: ProductStatus,
    skus: z.array(Sku),
  }),
});
