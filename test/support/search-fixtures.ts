import type { SearchDocument, SearchFacets, SearchQuery } from '../../lib/contracts/search.ts';
import { MARKETS } from '../../lib/money/markets.ts';
import { priceRanges } from '../../lib/search/price-ranges.ts';

const AUBERT = { maisonId: 'maison-aubert', maisonName: 'Maison Aubert' };
const VALMONT = { maisonId: 'valmont', maisonName: 'Valmont Genève' };
const CASTELLANE = { maisonId: 'castellane', maisonName: 'Castellane' };
const ORSINI = { maisonId: 'orsini', maisonName: 'Orsini Firenze' };

const RINGS = { categoryId: 'rings', categoryName: 'Rings' };
const NECKLACES = { categoryId: 'necklaces', categoryName: 'Necklaces' };
const EARRINGS = { categoryId: 'earrings', categoryName: 'Earrings' };
const WATCHES = { categoryId: 'watches', categoryName: 'Watches' };
const HANDBAGS = { categoryId: 'handbags', categoryName: 'Handbags' };
const SCARVES = { categoryId: 'scarves', categoryName: 'Scarves' };

const ETOILE = { collectionId: 'aubert-etoile', collectionName: 'Étoile' };
const RIVIERE = { collectionId: 'aubert-riviere', collectionName: 'Rivière' };
const ASTRE = { collectionId: 'valmont-astre', collectionName: 'Astre' };
const HERITAGE = { collectionId: 'valmont-heritage', collectionName: 'Héritage 1873' };
const VOYAGE = { collectionId: 'castellane-voyage', collectionName: 'Voyage' };
const GIARDINO = { collectionId: 'orsini-giardino', collectionName: 'Giardino' };

/** Most values a facet lists, per the search contract. */
const FACET_SIZE = 100;

const day = (iso: string) => Date.parse(`${iso}T09:00:00Z`);

/**
 * A small catalog of four maisons, priced per market in each market's own currency (EUR cents, yen,
 * pence...), with gaps on purpose: not every piece is sold in every market or in stock everywhere, and
 * one piece is archived.
 */
export const CATALOG: readonly SearchDocument[] = [
  {
    productId: 'etoile-solitaire-ring',
    name: 'Étoile Solitaire Ring',
    ...AUBERT,
    ...RINGS,
    ...ETOILE,
    description: 'A 1.5-carat round brilliant diamond held by six platinum claws.',
    story:
      'Each stone is chosen by the maison gemmologist and set by hand in the Place Vendôme workshop.\n' +
      'Diamonds are sourced under the Kimberley Process from mines in Botswana and Canada.\n' +
      'The Étoile setting first appeared on an engagement ring made for the founder’s daughter in 1911.',
    materials: ['platinum', 'diamond'],
    tags: ['engagement', 'solitaire'],
    prices: { FR: 1_850_000, DE: 1_850_000, GB: 1_600_000, US: 2_000_000, JP: 3_000_000 },
    inStockMarkets: ['FR', 'JP', 'US'],
    active: true,
    createdAt: day('2024-09-02'),
    version: 3,
  },
  {
    productId: 'etoile-pave-band',
    name: 'Étoile Pavé Band',
    ...AUBERT,
    ...RINGS,
    ...ETOILE,
    description: 'A slender band paved with forty-two round diamonds.',
    story:
      'Pavé setters raise tiny beads of gold to hold each stone, a day of work per ring.\n' +
      'Gold is recycled and refined in France.\n' +
      'Designed as the companion to the Étoile solitaire.',
    materials: ['18k rose gold', 'diamond'],
    tags: ['stackable'],
    prices: { FR: 420_000, DE: 420_000, GB: 365_000, US: 460_000, JP: 690_000 },
    inStockMarkets: ['FR', 'GB'],
    active: true,
    createdAt: day('2024-03-15'),
    version: 1,
  },
  {
    productId: 'riviere-diamond-necklace',
    name: 'Rivière Diamond Necklace',
    ...AUBERT,
    ...NECKLACES,
    ...RIVIERE,
    description: 'Fifty-six graduated diamonds in a continuous line of white gold.',
    story:
      'Every link is articulated so the necklace falls like water, a technique kept by three artisans.\n' +
      'Each diamond carries its own grading certificate.\n' +
      'A rivière of this kind crowned the maison stand at the 1925 Paris exhibition.',
    materials: ['18k white gold', 'diamond'],
    tags: ['high jewellery'],
    prices: { FR: 6_500_000, DE: 6_500_000, US: 7_200_000, JP: 10_500_000 },
    inStockMarkets: ['FR'],
    active: true,
    createdAt: day('2023-11-20'),
    version: 2,
  },
  {
    productId: 'riviere-sapphire-earrings',
    name: 'Rivière Sapphire Drop Earrings',
    ...AUBERT,
    ...EARRINGS,
    ...RIVIERE,
    description: 'Two cushion-cut Ceylon sapphires beneath a line of small diamonds.',
    story:
      'The sapphires are matched as a pair by colour and weight, which can take a year of sourcing.\n' +
      'Sapphires from Sri Lanka, cut in Paris.\n' +
      'Drop earrings have been a Rivière signature since the 1950s.',
    materials: ['18k white gold', 'sapphire', 'diamond'],
    tags: ['high jewellery', 'gift'],
    prices: { FR: 1_280_000, DE: 1_280_000, GB: 1_100_000, US: 1_400_000, JP: 2_100_000 },
    inStockMarkets: ['JP', 'US'],
    active: true,
    createdAt: day('2025-01-10'),
    version: 1,
  },
  {
    productId: 'etoile-pearl-earrings',
    name: 'Étoile Pearl Earrings',
    ...AUBERT,
    ...EARRINGS,
    ...ETOILE,
    description: 'Akoya pearls on a star of polished yellow gold.',
    story:
      'Pearls are drilled and mounted by hand so no metal shows from the front.\n' +
      'Akoya pearls from Ise Bay in Japan.\n' +
      'The star motif recalls the maison’s first shop sign.',
    materials: ['18k yellow gold', 'akoya pearl'],
    tags: ['gift'],
    prices: { FR: 290_000, DE: 290_000, GB: 255_000, US: 320_000, JP: 450_000 },
    inStockMarkets: ['FR', 'GB', 'JP'],
    active: true,
    createdAt: day('2025-02-01'),
    version: 1,
  },
  {
    productId: 'astre-tourbillon-42',
    name: 'Astre Tourbillon 42 mm',
    ...VALMONT,
    ...WATCHES,
    ...ASTRE,
    description: 'A flying tourbillon at six o’clock, hand-wound, in a platinum case.',
    story:
      'Two hundred and twelve components finished by hand, with bevelled bridges and black-polished steel.\n' +
      'Movement made and assembled in the Vallée de Joux.\n' +
      'The Astre line began with a pocket watch for an astronomer in 1890.',
    materials: ['platinum', 'sapphire crystal', 'alligator leather'],
    tags: ['complication', 'limited edition'],
    prices: { FR: 14_500_000, CH: 14_000_000, US: 16_000_000, JP: 23_000_000 },
    inStockMarkets: ['CH', 'JP'],
    active: true,
    createdAt: day('2024-06-12'),
    version: 4,
  },
  {
    productId: 'astre-moonphase-39',
    name: 'Astre Moonphase 39 mm',
    ...VALMONT,
    ...WATCHES,
    ...ASTRE,
    description: 'An astronomical moon phase accurate to one day in 122 years.',
    story:
      'Assembled in the same Vallée de Joux workshop that builds the tourbillon of the line.\n' +
      'Gold case forged in Geneva.\n' +
      'The moon disc is cut from aventurine, as on the 1890 pocket watch.',
    materials: ['18k rose gold', 'alligator leather'],
    tags: ['complication'],
    prices: { FR: 3_850_000, DE: 3_850_000, CH: 3_700_000, GB: 3_300_000, US: 4_200_000, JP: 6_200_000 },
    inStockMarkets: ['FR', 'CH', 'GB', 'US'],
    active: true,
    createdAt: day('2023-05-30'),
    version: 2,
  },
  {
    productId: 'heritage-1873-chronograph',
    name: 'Héritage 1873 Chronograph',
    ...VALMONT,
    ...WATCHES,
    ...HERITAGE,
    description: 'A column-wheel chronograph with a grand feu enamel dial.',
    story:
      'The enamel dial is fired eleven times in a kiln.\n' +
      'Steel case made in Geneva.\n' +
      'Named for the year the maison opened its first workshop.',
    materials: ['stainless steel', 'sapphire crystal', 'calfskin'],
    tags: ['chronograph'],
    prices: { FR: 980_000, DE: 980_000, CH: 950_000, GB: 850_000, US: 1_050_000, JP: 1_550_000 },
    inStockMarkets: ['FR', 'DE', 'CH', 'GB', 'US', 'JP'],
    active: true,
    createdAt: day('2022-10-05'),
    version: 1,
  },
  {
    productId: 'voyage-trunk-bag-25',
    name: 'Voyage Trunk Bag 25',
    ...CASTELLANE,
    ...HANDBAGS,
    ...VOYAGE,
    description: 'A small structured bag modelled on the maison’s travelling trunks.',
    story:
      'Saddle-stitched by one artisan from start to finish, about eighteen hours per bag.\n' +
      'Calfskin tanned in the Loire valley.\n' +
      'Castellane built wardrobe trunks for ocean liners from 1868.',
    materials: ['calfskin', 'palladium-plated brass'],
    tags: ['travel'],
    prices: { FR: 720_000, DE: 720_000, GB: 630_000, US: 790_000, JP: 1_150_000 },
    inStockMarkets: ['FR', 'US'],
    active: true,
    createdAt: day('2024-11-18'),
    version: 2,
  },
  {
    productId: 'voyage-crocodile-tote',
    name: 'Voyage Crocodile Tote',
    ...CASTELLANE,
    ...HANDBAGS,
    ...VOYAGE,
    description: 'A tote in matte crocodile with yellow gold hardware.',
    story:
      'Skins are matched so the scales run symmetrically across both sides.\n' +
      'Crocodile from certified farms, tanned in France.\n' +
      'Made to order since the first Voyage collection.',
    materials: ['crocodile leather', '18k yellow gold'],
    tags: ['made to order'],
    prices: { FR: 5_400_000, DE: 5_400_000, US: 6_000_000, JP: 8_600_000 },
    inStockMarkets: [],
    active: true,
    createdAt: day('2024-02-02'),
    version: 1,
  },
  {
    productId: 'voyage-mini-pouch',
    name: 'Voyage Mini Pouch',
    ...CASTELLANE,
    ...HANDBAGS,
    ...VOYAGE,
    description: 'A lambskin pouch that carries keys, cards and a lipstick.',
    story:
      'Edges are painted and polished by hand in seven coats.\n' +
      'Lambskin from Spanish tanneries.\n' +
      'The smallest piece of the Voyage line.',
    materials: ['lambskin'],
    tags: ['gift'],
    prices: { FR: 145_000, DE: 145_000, GB: 125_000, US: 160_000, JP: 230_000 },
    inStockMarkets: ['FR', 'GB', 'US', 'JP'],
    active: true,
    createdAt: day('2025-03-03'),
    version: 1,
  },
  {
    productId: 'giardino-silk-scarf-90',
    name: 'Giardino Silk Twill Scarf 90',
    ...ORSINI,
    ...SCARVES,
    ...GIARDINO,
    description: 'A 90 cm square of silk twill printed with the Boboli gardens.',
    story:
      'Printed with thirty-two screens, one per colour, and hand-rolled at the edges.\n' +
      'Silk woven and printed near Como.\n' +
      'Orsini has printed silk in Florence since 1921.',
    materials: ['silk twill'],
    tags: ['gift'],
    prices: { FR: 62_000, DE: 62_000, IT: 62_000, GB: 54_000, US: 68_000, JP: 99_000 },
    inStockMarkets: ['FR', 'IT', 'GB', 'US', 'JP'],
    active: true,
    createdAt: day('2024-04-22'),
    version: 1,
  },
  {
    productId: 'giardino-cashmere-stole',
    name: 'Giardino Cashmere Stole',
    ...ORSINI,
    ...SCARVES,
    ...GIARDINO,
    description: 'A wide stole of cashmere edged in silk.',
    story:
      'Woven on narrow looms and brushed with teasel heads.\n' +
      'Cashmere from Mongolia, woven in Biella.\n' +
      'Orsini’s winter line since 1960.',
    materials: ['cashmere', 'silk'],
    tags: ['winter'],
    prices: { FR: 165_000, DE: 165_000, IT: 165_000, US: 180_000, JP: 265_000 },
    inStockMarkets: ['IT'],
    active: true,
    createdAt: day('2023-09-09'),
    version: 1,
  },
  {
    productId: 'giardino-bamboo-bag',
    name: 'Giardino Bamboo Top-Handle Bag',
    ...ORSINI,
    ...HANDBAGS,
    ...GIARDINO,
    description: 'A top-handle bag with a handle of flame-bent bamboo.',
    story:
      'The bamboo is heated and bent by hand, then lacquered.\n' +
      'Calfskin from Tuscany, made in Florence.\n' +
      'Orsini first used bamboo when leather was rationed in 1947.',
    materials: ['calfskin', 'bamboo'],
    tags: ['icon'],
    prices: { FR: 310_000, DE: 310_000, IT: 310_000, GB: 270_000, US: 340_000, JP: 495_000 },
    inStockMarkets: ['FR', 'IT'],
    active: true,
    createdAt: day('2024-07-07'),
    version: 3,
  },
  {
    productId: 'riviere-ruby-ring',
    name: 'Rivière Ruby and Diamond Ring',
    ...AUBERT,
    ...RINGS,
    ...RIVIERE,
    description: 'An oval Burmese ruby surrounded by diamonds.',
    story:
      'Archived after the last piece was sold.\n' + 'Ruby from Mogok.\n' + 'A Rivière classic of the 1980s.',
    materials: ['platinum', 'ruby', 'diamond'],
    tags: ['high jewellery'],
    prices: { FR: 2_400_000, DE: 2_400_000, US: 2_600_000, JP: 3_900_000 },
    inStockMarkets: [],
    active: false,
    createdAt: day('2025-04-01'),
    version: 5,
  },
];

/** The active products of the catalog. */
export const ACTIVE = CATALOG.filter((d) => d.active);

/** The fixture with this id, or a clear failure when a test names one that does not exist. */
export function product(productId: string): SearchDocument {
  const doc = CATALOG.find((d) => d.productId === productId);
  if (!doc) throw new Error(`no fixture product ${productId}`);
  return doc;
}

/** A parsed SearchQuery: the route's defaults plus what the test sets. */
export function searchQuery(input: Partial<SearchQuery> & Pick<SearchQuery, 'market'>): SearchQuery {
  return { q: '', sort: 'relevance', page: 1, limit: 20, ...input };
}

interface Expected {
  readonly total: number;
  /** Product ids in the order the query's sort gives (relevance without text: newest first). */
  readonly ids: string[];
  readonly facets: SearchFacets;
}

/**
 * What a browse query (no text) must return over `docs`, computed the slow, obvious way: each facet
 * re-filters the documents with every filter except its own.
 */
export function expectedBrowse(docs: readonly SearchDocument[], query: SearchQuery): Expected {
  if (query.q.trim() !== '') throw new Error('expectedBrowse covers queries without text');
  const market = query.market;
  const priced = docs.filter((d) => d.active && d.prices[market] !== undefined);
  type Filter = 'maison' | 'category' | 'collection' | 'material' | 'price' | 'inStock';
  const passes = (d: SearchDocument, except?: Filter): boolean => {
    const price = d.prices[market]!;
    return (
      (except === 'maison' || !query.maison || query.maison.includes(d.maisonId)) &&
      (except === 'category' || !query.category || query.category.includes(d.categoryId)) &&
      (except === 'collection' || !query.collection || query.collection.includes(d.collectionId)) &&
      (except === 'material' || !query.material || d.materials.some((m) => query.material!.includes(m))) &&
      (except === 'price' ||
        ((query.priceMin === undefined || price >= query.priceMin) &&
          (query.priceMax === undefined || price <= query.priceMax))) &&
      (except === 'inStock' ||
        query.inStock === undefined ||
        d.inStockMarkets.includes(market) === query.inStock)
    );
  };
  const results = priced.filter((d) => passes(d));
  const byNewest = (a: SearchDocument, b: SearchDocument) =>
    b.createdAt - a.createdAt || (a.productId < b.productId ? -1 : 1);
  const order: Record<SearchQuery['sort'], (a: SearchDocument, b: SearchDocument) => number> = {
    relevance: byNewest,
    newest: byNewest,
    price_asc: (a, b) => a.prices[market]! - b.prices[market]! || byNewest(a, b),
    price_desc: (a, b) => b.prices[market]! - a.prices[market]! || byNewest(a, b),
  };
  const countBy = (except: Filter, values: (d: SearchDocument) => Array<[string, string]>) => {
    const counts = new Map<string, { value: string; label: string; count: number }>();
    for (const d of priced.filter((doc) => passes(doc, except))) {
      for (const [value, label] of values(d)) {
        const entry = counts.get(value) ?? { value, label, count: 0 };
        entry.count++;
        counts.set(value, entry);
      }
    }
    // A facet lists at most FACET_SIZE values: the most frequent, ties to the smaller value.
    return [...counts.values()]
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, FACET_SIZE)
      .sort(
        (a, b) => b.count - a.count || a.label.localeCompare(b.label, 'en') || (a.value < b.value ? -1 : 1),
      );
  };
  const forPrice = priced.filter((d) => passes(d, 'price'));
  const forStock = priced.filter((d) => passes(d, 'inStock'));
  const inStockCount = forStock.filter((d) => d.inStockMarkets.includes(market)).length;
  return {
    total: results.length,
    ids: results.sort(order[query.sort]).map((d) => d.productId),
    facets: {
      maison: countBy('maison', (d) => [[d.maisonId, d.maisonName]]),
      category: countBy('category', (d) => [[d.categoryId, d.categoryName]]),
      collection: countBy('collection', (d) => [[d.collectionId, d.collectionName]]),
      material: countBy('material', (d) => [...new Set(d.materials)].map((m): [string, string] => [m, m])),
      priceRange: priceRanges(MARKETS[market].currency).map((range) => ({
        ...range,
        count: forPrice.filter((d) => {
          const price = d.prices[market]!;
          return price >= range.from && (range.to === null || price < range.to);
        }).length,
      })),
      inStock: [
        { value: true, count: inStockCount },
        { value: false, count: forStock.length - inStockCount },
      ],
    },
  };
}
