import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CategoryInput,
  CollectionInput,
  MaisonInput,
  ProductInput,
  Slug,
} from '../../../lib/contracts/catalog.ts';
import { DEMO_EPOCH, type DemoData, generateDemoData } from '../../../lib/demo/demo-data.ts';
import { Location, MARKET_ZONES } from '../../../lib/demo/locations.ts';
import { priceList, roundToPricePoint } from '../../../lib/demo/pricing.ts';
import { Prng } from '../../../lib/demo/prng.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../../lib/money/markets.ts';

const demo = generateDemoData();
const cdk = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: { vitrine: { zones: Record<string, { regions: string[]; countries: string[] }> } };
};
const zones = cdk.context.vitrine.zones;

/** Recomputes every product's in-stock markets from the stock rows alone. */
function marketsFromStock(data: DemoData): Map<string, MarketCode[]> {
  const productOfSku = new Map<string, string>();
  for (const p of data.products) for (const v of p.input.variants) productOfSku.set(v.sku, p.productId);
  const zoneOf = new Map(data.locations.map((l) => [l.locationId, l.zone]));
  const zonesOf = new Map<string, Set<string>>();
  for (const s of data.stock) {
    if (s.onHand <= 0) continue;
    const productId = productOfSku.get(s.sku)!;
    const set = zonesOf.get(productId) ?? new Set<string>();
    set.add(zoneOf.get(s.locationId)!);
    zonesOf.set(productId, set);
  }
  return new Map(
    data.products.map((p) => [
      p.productId,
      MARKET_CODES.filter((m) => zonesOf.get(p.productId)?.has(MARKET_ZONES[m]) ?? false),
    ]),
  );
}

describe('generateDemoData', () => {
  it('is deterministic: the same seed gives deep-equal output, another seed another catalog', () => {
    expect(generateDemoData()).toEqual(demo);
    expect(generateDemoData({ seed: 1847, epoch: DEMO_EPOCH, products: 240 })).toEqual(demo);
    const other = generateDemoData({ seed: 7 });
    expect(other.products.map((p) => p.input)).not.toEqual(demo.products.map((p) => p.input));
    expect(other.stock).not.toEqual(demo.stock);
  });

  it('generates the first products the same way whatever the catalog size', () => {
    const small = generateDemoData({ products: 40 });
    expect(small.products).toEqual(demo.products.slice(0, 40));
    const skus = new Set(small.products.flatMap((p) => p.input.variants.map((v) => v.sku)));
    expect(small.stock).toEqual(demo.stock.filter((s) => skus.has(s.sku)));
  });

  it('has at least 200 products across at least 8 maisons and 4 categories', () => {
    expect(demo.products.length).toBeGreaterThanOrEqual(200);
    expect(demo.maisons.length).toBeGreaterThanOrEqual(8);
    expect(demo.categories.length).toBeGreaterThanOrEqual(4);
    const maisons = new Set(demo.products.map((p) => p.input.maisonId));
    const categories = new Set(demo.products.map((p) => p.input.categoryId));
    expect(maisons.size).toBe(demo.maisons.length);
    expect(categories.size).toBe(demo.categories.length);
  });

  it('gives every maison 2 to 4 collections and a founding year and country', () => {
    for (const m of demo.maisons) {
      expect(MaisonInput.parse(m.input)).toEqual(m.input);
      expect(Slug.parse(m.maisonId)).toBe(m.maisonId);
      expect(m.input.founded).toBeTypeOf('number');
      expect(m.input.country).toMatch(/^[A-Z]{2}$/);
      const own = demo.collections.filter((c) => c.input.maisonId === m.maisonId);
      expect(own.length).toBeGreaterThanOrEqual(2);
      expect(own.length).toBeLessThanOrEqual(4);
    }
    for (const c of demo.collections) expect(CollectionInput.parse(c.input)).toEqual(c.input);
    for (const c of demo.categories) expect(CategoryInput.parse(c.input)).toEqual(c.input);
    expect(new Set(demo.collections.map((c) => c.collectionId)).size).toBe(demo.collections.length);
  });

  it('produces products that parse with ProductInput unchanged, with unique slug ids', () => {
    for (const p of demo.products) {
      const parsed = ProductInput.safeParse(p.input);
      expect(parsed.error?.issues, p.productId).toBeUndefined();
      expect(parsed.data).toEqual(p.input);
      expect(Slug.safeParse(p.productId).success, p.productId).toBe(true);
    }
    expect(new Set(demo.products.map((p) => p.productId)).size).toBe(demo.products.length);
  });

  it('references existing maisons, collections of the same maison, and categories', () => {
    const collections = new Map(demo.collections.map((c) => [c.collectionId, c.input]));
    const maisons = new Set(demo.maisons.map((m) => m.maisonId));
    const categories = new Set(demo.categories.map((c) => c.categoryId));
    for (const { input } of demo.products) {
      expect(maisons.has(input.maisonId)).toBe(true);
      expect(categories.has(input.categoryId)).toBe(true);
      expect(collections.get(input.collectionId)?.maisonId).toBe(input.maisonId);
    }
  });

  it('prices every product in every market, in the market currency, rounded to whole price points', () => {
    for (const { productId, input } of demo.products) {
      expect(input.prices.map((p) => p.market).sort(), productId).toEqual([...MARKET_CODES].sort());
      for (const price of input.prices) {
        expect(price.currency).toBe(MARKETS[price.market].currency);
        expect(Number.isInteger(price.amount) && price.amount > 0).toBe(true);
        if (price.currency === 'JPY') expect(price.amount % 1_000).toBe(0);
        else if (price.currency === 'KRW') expect(price.amount % 10_000).toBe(0);
        else expect(price.amount % 100, `${productId} ${price.market}`).toBe(0);
      }
      // The eurozone shares one price list.
      const eur = new Set(input.prices.filter((p) => p.currency === 'EUR').map((p) => p.amount));
      expect(eur.size).toBe(1);
    }
  });

  it('derives market prices from price-list ratios, not live conversion', () => {
    expect(roundToPricePoint(2_437, 'EUR')).toBe(2_450);
    expect(roundToPricePoint(187, 'EUR')).toBe(185);
    expect(roundToPricePoint(12_340, 'USD')).toBe(12_300);
    expect(roundToPricePoint(421_400, 'JPY')).toBe(421_000);
    expect(roundToPricePoint(4_018_000, 'KRW')).toBe(4_020_000);
    expect(roundToPricePoint(1, 'EUR')).toBe(5);
    const prices = Object.fromEntries(priceList(2_450).map((p) => [p.market, p]));
    expect(prices.FR).toEqual({ market: 'FR', currency: 'EUR', amount: 245_000 });
    expect(prices.GB).toEqual({ market: 'GB', currency: 'GBP', amount: 215_000 });
    expect(prices.JP).toEqual({ market: 'JP', currency: 'JPY', amount: 421_000 });
    expect(prices.KR).toEqual({ market: 'KR', currency: 'KRW', amount: 4_020_000 });
  });

  it('gives every variant a SKU unique across the catalog', () => {
    const skus = demo.products.flatMap((p) => p.input.variants.map((v) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    for (const sku of skus) expect(sku).toMatch(/^[A-Z0-9][A-Z0-9-]{2,40}$/);
  });

  it('sizes rings, ready-to-wear and shoes', () => {
    const sized = demo.products.filter(
      (p) =>
        p.input.categoryId === 'ready-to-wear' ||
        p.input.categoryId === 'shoes' ||
        (p.input.categoryId === 'fine-jewellery' && /\b(Ring|Band)\b/.test(p.input.name)),
    );
    expect(sized.length).toBeGreaterThan(50);
    for (const p of sized) for (const v of p.input.variants) expect(v.size, p.productId).toBeTruthy();
    expect(demo.products.some((p) => p.input.variants.some((v) => v.colour))).toBe(true);
  });

  it('numbers limited editions within their size, including editions with several numbered pieces', () => {
    const editions = demo.products.filter((p) => p.input.variants.some((v) => v.edition));
    expect(editions.length).toBeGreaterThan(5);
    expect(editions.some((p) => p.input.variants.length >= 2)).toBe(true);
    for (const p of editions) {
      const numbers = p.input.variants.map((v) => v.edition!.number);
      expect(new Set(numbers).size).toBe(numbers.length);
      for (const v of p.input.variants) {
        expect(v.edition!.number).toBeGreaterThanOrEqual(1);
        expect(v.edition!.number).toBeLessThanOrEqual(v.edition!.size);
      }
      expect(p.input.tags).toContain('limited-edition');
    }
  });

  it('writes stories with real materials and enough variety for search', () => {
    for (const { input } of demo.products) {
      expect(input.story.materials.length).toBeGreaterThanOrEqual(1);
      expect(input.story.materials.length).toBeLessThanOrEqual(4);
      expect(input.description).not.toMatch(/lorem|ipsum|undefined|NaN|\$\{/i);
      expect(JSON.stringify(input.story)).not.toMatch(/undefined|NaN|\$\{/);
    }
    expect(JSON.stringify(demo)).not.toMatch(/undefined|NaN|\[object Object\]/);
    const distinct = (f: (p: DemoData['products'][number]) => string) =>
      new Set(demo.products.map(f)).size / demo.products.length;
    expect(distinct((p) => p.input.description)).toBeGreaterThan(0.95);
    expect(distinct((p) => p.input.story.craftsmanship)).toBeGreaterThan(0.95);
    expect(distinct((p) => p.input.story.heritage)).toBeGreaterThan(0.9);
    expect(distinct((p) => p.input.name)).toBeGreaterThan(0.8);
    const materials = new Set(demo.products.flatMap((p) => p.input.story.materials));
    expect(materials.size).toBeGreaterThan(40);
    expect(materials).toContain('18k rose gold');
    expect(materials).toContain('sapphire crystal');
    expect(materials).toContain('grained calfskin');
    expect(materials).toContain('cashmere');
  });

  it('references media on the demo CDN over https, with alt text and a hero image', () => {
    for (const { productId, input } of demo.products) {
      expect(input.media.filter((m) => m.role === 'hero')).toHaveLength(1);
      for (const m of input.media) {
        expect(m.url.startsWith(`https://media.vitrine.example/${input.maisonId}/${productId}/`)).toBe(true);
        expect(m.alt.length).toBeGreaterThan(5);
      }
    }
  });

  it('dates products over the two years before the epoch', () => {
    const epoch = Date.parse(DEMO_EPOCH);
    for (const p of demo.products) {
      const at = Date.parse(p.createdAt);
      expect(new Date(at).toISOString()).toBe(p.createdAt);
      expect(at).toBeLessThan(epoch);
      expect(at).toBeGreaterThanOrEqual(epoch - 730 * 86_400_000);
    }
    const later = generateDemoData({ epoch: '2030-06-01T00:00:00Z', products: 20 });
    for (const p of later.products) expect(p.createdAt >= '2028-06-01').toBe(true);
  });

  it('places boutiques and warehouses in every zone, in a region and country of that zone', () => {
    expect(new Set(demo.locations.map((l) => l.locationId)).size).toBe(demo.locations.length);
    for (const zone of Object.keys(zones)) {
      const here = demo.locations.filter((l) => l.zone === zone);
      expect(
        here.some((l) => l.type === 'boutique' && l.pickupCapable),
        zone,
      ).toBe(true);
      expect(
        here.some((l) => l.type === 'warehouse'),
        zone,
      ).toBe(true);
    }
    for (const l of demo.locations) {
      expect(Location.parse(l)).toEqual(l);
      expect(zones[l.zone]?.regions, l.locationId).toContain(l.region);
      expect(zones[l.zone]?.countries, l.locationId).toContain(l.country);
      if (l.type === 'warehouse') expect(l.pickupCapable).toBe(false);
    }
    const byId = new Map(demo.locations.map((l) => [l.locationId, l]));
    expect(byId.get('paris-saint-honore')).toMatchObject({
      name: 'Paris Rue Saint-Honoré boutique',
      country: 'FR',
      zone: 'eu',
      region: 'eu-central-1',
      timezone: 'Europe/Paris',
    });
    expect(byId.get('london-new-bond-street')?.region).toBe('eu-west-1');
    expect(byId.get('beverly-hills-rodeo-drive')?.region).toBe('us-west-2');
    expect(byId.get('new-york-madison-avenue')?.region).toBe('us-east-1');
  });

  it('assigns locations to the nearest region of the configured zones', () => {
    const custom = generateDemoData({
      products: 1,
      zones: {
        eu: { regions: ['eu-west-3', 'eu-south-1'] },
        apac: { regions: ['ap-southeast-1', 'ap-northeast-1'] },
      },
    });
    const region = (id: string) => custom.locations.find((l) => l.locationId === id)?.region;
    expect(region('paris-saint-honore')).toBe('eu-west-3');
    expect(region('milan-via-montenapoleone')).toBe('eu-south-1');
    expect(region('singapore-orchard-road')).toBe('ap-southeast-1');
    expect(region('tokyo-ginza')).toBe('ap-northeast-1');
    expect(region('chicago-oak-street')).toBe('us-east-1');
  });

  it('rejects a warehouse offering click and collect', () => {
    const warehouse = demo.locations.find((l) => l.type === 'warehouse')!;
    expect(Location.safeParse({ ...warehouse, pickupCapable: true }).success).toBe(false);
  });

  it('keeps stock only for existing SKUs and locations, once per pair, with whole quantities', () => {
    const skus = new Set(demo.products.flatMap((p) => p.input.variants.map((v) => v.sku)));
    const locations = new Set(demo.locations.map((l) => l.locationId));
    const pairs = new Set<string>();
    for (const s of demo.stock) {
      expect(skus.has(s.sku), s.sku).toBe(true);
      expect(locations.has(s.locationId), s.locationId).toBe(true);
      expect(Number.isInteger(s.onHand) && s.onHand >= 0).toBe(true);
      pairs.add(`${s.sku}@${s.locationId}`);
    }
    expect(pairs.size).toBe(demo.stock.length);
  });

  it('holds each numbered piece at most once', () => {
    const numbered = new Set(
      demo.products.flatMap((p) => p.input.variants.filter((v) => v.edition).map((v) => v.sku)),
    );
    const units = new Map<string, number>();
    for (const s of demo.stock) if (numbered.has(s.sku)) units.set(s.sku, (units.get(s.sku) ?? 0) + s.onHand);
    for (const sku of numbered) expect(units.get(sku) ?? 0).toBeLessThanOrEqual(1);
  });

  it('derives in-stock markets from stock: most products in most markets, a few sold out', () => {
    const expected = marketsFromStock(demo);
    for (const p of demo.products) expect(p.inStockMarkets, p.productId).toEqual(expected.get(p.productId));
    const everywhere = demo.products.filter((p) => p.inStockMarkets.length === MARKET_CODES.length).length;
    const soldOut = demo.products.filter((p) => p.inStockMarkets.length === 0).length;
    const pairs = demo.products.reduce((n, p) => n + p.inStockMarkets.length, 0);
    expect(everywhere / demo.products.length).toBeGreaterThan(0.6);
    expect(pairs / (demo.products.length * MARKET_CODES.length)).toBeGreaterThan(0.75);
    expect(soldOut).toBeGreaterThan(0);
    expect(soldOut / demo.products.length).toBeLessThan(0.15);
  });

  it('uses no real luxury brand names', () => {
    const deny = [
      'hermes',
      'chanel',
      'louis vuitton',
      'vuitton',
      'dior',
      'gucci',
      'prada',
      'cartier',
      'rolex',
      'patek',
      'audemars',
      'vacheron',
      'bulgari',
      'bvlgari',
      'van cleef',
      'tiffany',
      'boucheron',
      'chaumet',
      'fendi',
      'celine',
      'loewe',
      'bottega',
      'balenciaga',
      'saint laurent',
      'givenchy',
      'valentino',
      'versace',
      'burberry',
      'omega',
      'jaeger',
      'breguet',
      'piaget',
      'chopard',
      'graff',
      'harry winston',
      'goyard',
      'berluti',
      'loro piana',
      'cucinelli',
      'zegna',
      'armani',
      'miu miu',
      'mikimoto',
      'tasaki',
      'lanvin',
      'guerlain',
      'montblanc',
      'blancpain',
      'hublot',
      'tag heuer',
      'richard mille',
      'moynat',
      'delvaux',
      'smythson',
      'asprey',
      'buccellati',
      'pomellato',
      'damiani',
      'ferragamo',
      "tod's",
    ];
    const text = JSON.stringify(demo)
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase();
    for (const brand of deny) expect(text, brand).not.toMatch(new RegExp(`\\b${brand}\\b`));
  });

  it('validates its options', () => {
    expect(() => generateDemoData({ products: 0 })).toThrow(RangeError);
    expect(() => generateDemoData({ products: 100_001 })).toThrow(RangeError);
    expect(() => generateDemoData({ products: 1.5 })).toThrow(RangeError);
    expect(() => generateDemoData({ seed: -1 })).toThrow(RangeError);
    expect(() => generateDemoData({ epoch: 'yesterday' })).toThrow(RangeError);
  });

  it('scales to 10,000 products with unique ids and SKUs', () => {
    const big = generateDemoData({ products: 10_000, seed: 3 });
    expect(big.products).toHaveLength(10_000);
    expect(new Set(big.products.map((p) => p.productId)).size).toBe(10_000);
    const skus = big.products.flatMap((p) => p.input.variants.map((v) => v.sku));
    expect(new Set(skus).size).toBe(skus.length);
    for (const p of big.products) expect(p.productId.length).toBeLessThanOrEqual(64);
  });
});

describe('Prng', () => {
  it('repeats its sequence for a seed and stream, and differs across both', () => {
    const take = (r: Prng) => Array.from({ length: 8 }, () => r.uint32());
    expect(take(new Prng(42))).toEqual(take(new Prng(42)));
    expect(take(new Prng(42))).not.toEqual(take(new Prng(43)));
    expect(take(new Prng(42, 1))).not.toEqual(take(new Prng(42, 2)));
  });

  it('draws floats in [0, 1) and integers within bounds', () => {
    const r = new Prng(1);
    let floatsOk = true;
    let intsOk = true;
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      floatsOk &&= x >= 0 && x < 1;
      const n = r.int(3, 7);
      intsOk &&= Number.isInteger(n) && n >= 3 && n <= 7;
      seen.add(n);
    }
    expect(floatsOk).toBe(true);
    expect(intsOk).toBe(true);
    expect(seen).toEqual(new Set([3, 4, 5, 6, 7]));
    expect(new Set(r.sample([1, 2, 3, 4, 5], 5))).toEqual(new Set([1, 2, 3, 4, 5]));
  });
});
