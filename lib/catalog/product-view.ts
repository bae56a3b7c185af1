import type { Product, ProductView } from '../contracts/catalog.ts';
import { formatMoney } from '../money/currency.ts';
import { type MarketCode, marketOf } from '../money/markets.ts';

/** Whether a storefront in the market may show the product at all. */
export function isSoldIn(product: Product, market: MarketCode): boolean {
  return product.status === 'active' && product.prices.some((p) => p.market === market);
}

/** The product as a storefront in one market sees it: its price there, tax treatment and stock. */
export function toProductView(product: Product, market: MarketCode): ProductView {
  const price = product.prices.find((p) => p.market === market);
  if (!price) throw new Error(`product ${product.productId} has no price in ${market}`);
  const { locale, taxInclusive } = marketOf(market);
  return {
    productId: product.productId,
    name: product.name,
    maison: product.maison,
    collection: product.collection,
    category: product.category,
    description: product.description,
    story: product.story,
    media: product.media,
    variants: product.variants,
    tags: product.tags,
    market,
    price: {
      amount: price.amount,
      currency: price.currency,
      taxIncluded: taxInclusive,
      formatted: formatMoney(price, locale),
    },
    inStock: product.inStockMarkets.includes(market),
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  };
}
