import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { OramaSearchIndex } from '../../lib/adapters/orama/orama-search-index.ts';
import type { SearchDocument, SearchQuery, SearchSort } from '../../lib/contracts/search.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../lib/money/markets.ts';
import { priceRanges } from '../../lib/search/price-ranges.ts';
import { analyze, analyzeQuery } from '../../lib/search/text-analysis.ts';

/** Latency of one engine over the query mix, in milliseconds. */
export interface LatencyFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

/** Figures for one catalog size; the top-level latency and build figures are OramaSearchIndex's. */
export interface SearchBenchResult extends LatencyFigures {
  readonly docs: number;
  readonly queries: number;
  /** One-minute load average when the size started: latency figures from a busy machine read high. */
  readonly loadAverage: number;
  readonly buildMs: number;
  /** Heap plus typed-array memory the built OramaSearchIndex holds. */
  readonly heapMB: number;
  /** The same queries answered by a naive linear scan over the same documents, in the same run. */
  readonly baseline: LatencyFigures & { readonly buildMs: number };
  /**
   * Orama answering the whole query itself (`where`, `sortBy`, facets) on a sample of the queries, when
   * asked for: slow to build and to query.
   */
  readonly oramaNative?: LatencyFigures & { readonly buildMs: number; readonly queries: number };
}

export interface SearchBenchOptions {
  /** @default 2000 */
  readonly queries?: number;
  /** Queries run before timing, so the JIT has compiled the hot paths. @default 300 */
  readonly warmup?: number;
  /** Also time Orama answering whole queries itself on this many of the queries (0 skips it). @default 0 */
  readonly oramaNativeQueries?: number;
  /** @default 20260101 */
  readonly seed?: number;
}

/**
 * Builds the local search index (OramaSearchIndex) over synthetic catalogs of each size and times a
 * mixed query load (1-3 words, a fifth with a typo, a third with facet filters, some sorted by price or
 * date, a few past page one) against a linear scan of the same documents, in the same run. Run:
 * `npx tsx -e "import('./test/bench/search-bench.ts').then(m=>m.benchSearch([10000,100000])).then(r=>console.log(JSON.stringify(r,null,1)))"`
 */
export async function benchSearch(
  sizes: readonly number[] = [10_000, 100_000],
  options: SearchBenchOptions = {},
): Promise<SearchBenchResult[]> {
  const queryCount = options.queries ?? 2000;
  const warmup = options.warmup ?? 300;
  const seed = options.seed ?? 20260101;
  const out: SearchBenchResult[] = [];
  for (const size of sizes) {
    const loadAverage = round(loadavg()[0]!, 2);
    const docs = syntheticCatalog(size, seed);
    const queries = syntheticQueries(docs, queryCount + warmup, seed + 1);

    await collectGarbage();
    const before = memory();
    let start = performance.now();
    const index = await OramaSearchIndex.create(docs);
    const buildMs = performance.now() - start;
    await collectGarbage();
    const heapMB = (memory() - before) / 2 ** 20;
    start = performance.now();
    const scan = new LinearScan(docs);
    const scanBuildMs = performance.now() - start;
    const [engine, baseline] = (await timeInterleaved(queries, warmup, [
      (q) => index.search(q),
      async (q) => scan.search(q),
    ])) as [LatencyFigures, LatencyFigures];

    let oramaNative: SearchBenchResult['oramaNative'];
    if (options.oramaNativeQueries) {
      const sample = queries.slice(0, warmup + options.oramaNativeQueries);
      start = performance.now();
      const native = await OramaNative.create(docs);
      const nativeBuildMs = performance.now() - start;
      const figures = await time(sample, Math.min(warmup, 20), (q) => native.search(q));
      oramaNative = { ...figures, buildMs: round(nativeBuildMs), queries: options.oramaNativeQueries };
    }

    out.push({
      docs: size,
      queries: queryCount,
      loadAverage,
      buildMs: round(buildMs),
      heapMB: round(heapMB),
      ...engine,
      baseline: { ...baseline, buildMs: round(scanBuildMs) },
      ...(oramaNative ? { oramaNative } : {}),
    });
  }
  return out;
}

type Runner = (query: SearchQuery) => Promise<unknown>;

async function time(queries: readonly SearchQuery[], warmup: number, run: Runner): Promise<LatencyFigures> {
  const [figures] = await timeInterleaved(queries, warmup, [run]);
  return figures!;
}

/** Queries per block when alternating runners. */
const BLOCK = 50;

/**
 * Times each runner on every query, alternating runners block by block: a noisy neighbour or a slow
 * patch of the machine then weighs on all of them alike, while each runner still works with caches it
 * warmed itself (alternating query by query would let the scan evict the index before each query).
 */
async function timeInterleaved(
  queries: readonly SearchQuery[],
  warmup: number,
  runners: readonly Runner[],
): Promise<LatencyFigures[]> {
  for (const run of runners) for (let i = 0; i < warmup; i++) await run(queries[i]!);
  const samples = runners.map((): number[] => []);
  for (let block = warmup; block < queries.length; block += BLOCK) {
    const end = Math.min(queries.length, block + BLOCK);
    for (let r = 0; r < runners.length; r++) {
      for (let i = block; i < end; i++) {
        const start = performance.now();
        await runners[r]!(queries[i]!);
        samples[r]!.push(performance.now() - start);
      }
    }
  }
  return samples.map((times) => {
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    const mean = times.reduce((sum, v) => sum + v, 0) / times.length;
    return { p50Ms: round(at(0.5), 4), p99Ms: round(at(0.99), 4), meanMs: round(mean, 4) };
  });
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function memory(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

let gc: (() => void) | undefined;
/**
 * Heap figures mean little without a collection first; tsx gives no --expose-gc, so ask V8 directly.
 * V8 frees typed-array memory on a background task after a collection, hence the pause and the second
 * pass before reading the figures.
 */
async function collectGarbage(): Promise<void> {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
}

/** mulberry32: small, fast and the same sequence on every machine for a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAISON_WORDS = [
  ['Maison', 'Aubert'],
  ['Valmont', 'Genève'],
  ['Castellane'],
  ['Orsini', 'Firenze'],
  ['Duvernay'],
  ['Hartwell', 'Finch'],
  ['Marchetti', 'Roma'],
  ['Kaneda'],
  ['Belloc'],
  ['Rochambeau'],
  ['Sévigné'],
  ['Lindqvist'],
  ['Montclair'],
  ['Vasari'],
  ['Delacroix', 'Joaillier'],
  ['Ashcombe'],
  ['Brunelli'],
  ['Moreau', 'Frères'],
  ['Tessier'],
  ['Albrecht', 'Uhren'],
  ['Vionnet', 'Atelier'],
  ['Casadei'],
  ['Ferrand'],
  ['Halloran'],
  ['Okamura'],
  ['Rosenthal'],
  ['Valloire'],
  ['Castiglione'],
  ['Beaumarchais'],
  ['Wren', 'Hollis'],
];
const CATEGORIES: Array<{ name: string; nouns: string[]; materials: string[] }> = [
  { name: 'Rings', nouns: ['ring', 'band', 'solitaire', 'signet'], materials: ['jewel'] },
  { name: 'Necklaces', nouns: ['necklace', 'pendant', 'rivière', 'sautoir'], materials: ['jewel'] },
  { name: 'Earrings', nouns: ['earrings', 'studs', 'hoops', 'drops'], materials: ['jewel'] },
  { name: 'Bracelets', nouns: ['bracelet', 'cuff', 'bangle', 'chain'], materials: ['jewel'] },
  {
    name: 'Watches',
    nouns: ['watch', 'chronograph', 'tourbillon', 'moonphase', 'perpetual'],
    materials: ['watch'],
  },
  { name: 'Handbags', nouns: ['bag', 'tote', 'clutch', 'satchel', 'shoulder bag'], materials: ['leather'] },
  {
    name: 'Small Leather Goods',
    nouns: ['wallet', 'card holder', 'pouch', 'key ring'],
    materials: ['leather'],
  },
  { name: 'Scarves', nouns: ['scarf', 'stole', 'shawl', 'carré'], materials: ['textile'] },
  { name: 'Ready-to-Wear', nouns: ['coat', 'jacket', 'dress', 'blouse', 'trench'], materials: ['textile'] },
  { name: 'Shoes', nouns: ['loafers', 'pumps', 'sneakers', 'boots', 'mules'], materials: ['leather'] },
  { name: 'Cufflinks', nouns: ['cufflinks', 'studs'], materials: ['jewel'] },
  { name: 'Brooches', nouns: ['brooch', 'clip'], materials: ['jewel'] },
  { name: 'Sunglasses', nouns: ['sunglasses', 'frames'], materials: ['eyewear'] },
  { name: 'Fragrance', nouns: ['eau de parfum', 'extrait', 'candle'], materials: ['fragrance'] },
];
const MATERIALS: Record<string, string[]> = {
  jewel: [
    '18k yellow gold',
    '18k rose gold',
    '18k white gold',
    'platinum',
    'diamond',
    'sapphire',
    'emerald',
    'ruby',
    'akoya pearl',
    'mother-of-pearl',
    'onyx',
    'lapis lazuli',
    'malachite',
    'tsavorite',
    'sterling silver',
  ],
  watch: [
    'stainless steel',
    '18k rose gold',
    'platinum',
    'titanium',
    'sapphire crystal',
    'alligator leather',
    'grand feu enamel',
    'ceramic',
    'diamond',
    'meteorite',
  ],
  leather: [
    'calfskin',
    'lambskin',
    'crocodile leather',
    'ostrich leather',
    'suede',
    'canvas',
    'palladium-plated brass',
    'goatskin',
    'python',
    'bamboo',
  ],
  textile: [
    'silk twill',
    'cashmere',
    'wool',
    'linen',
    'vicuña',
    'silk satin',
    'tweed',
    'mohair',
    'cotton poplin',
  ],
  eyewear: ['acetate', 'titanium', 'mineral glass', '18k yellow gold'],
  fragrance: ['jasmine', 'iris', 'oud', 'vetiver', 'rose de mai', 'sandalwood', 'glass flacon'],
};
const NAME_WORDS = [
  'Étoile',
  'Serpentine',
  'Lumière',
  'Riviera',
  'Héritage',
  'Constellation',
  'Jardin',
  'Vendôme',
  'Astre',
  'Voyage',
  'Giardino',
  'Aurore',
  'Céleste',
  'Marée',
  'Nocturne',
  'Sillage',
  'Orbite',
  'Eclipse',
  'Comète',
  'Volute',
  'Plume',
  'Tressage',
  'Cavalier',
  'Atlante',
  'Mosaïque',
  'Horizon',
  'Opaline',
  'Soleil',
  'Minuit',
  'Aria',
];
const ADJECTIVES = [
  'pavé',
  'mini',
  'medium',
  'large',
  'ultra-thin',
  'skeleton',
  'quilted',
  'reversible',
  'double',
  'twisted',
  'hand-painted',
  'engraved',
  'limited',
  'classic',
  'slim',
  'signature',
];
const CRAFT = [
  'hand-stitched with waxed linen thread',
  'set by hand under the loupe',
  'polished for hours in the workshop',
  'engraved with a guilloché pattern',
  'assembled by a single watchmaker',
  'saddle-stitched over eighteen hours',
  'hand-rolled at the edges',
  'enamelled and fired eleven times',
  'cut and matched by the maison gemmologist',
  'woven on narrow looms',
  'bevelled and black-polished',
  'lacquered in twelve coats',
  'chased and repoussé by hand',
  'braided from fine strands',
];
const ORIGINS = [
  'Paris',
  'Geneva',
  'Florence',
  'Kyoto',
  'the Vallée de Joux',
  'Milan',
  'Valencia',
  'Como',
  'Biella',
  'the Loire valley',
  'Tuscany',
  'Pforzheim',
  'Antwerp',
  'Jaipur',
  'Burma',
  'Colombia',
  'Sri Lanka',
  'Mongolia',
];
const HERITAGE = [
  'first drawn in the maison archives',
  'a signature of the house since the twenties',
  'revived from a pattern of 1911',
  'inspired by the founder’s travels',
  'created for a royal commission',
  'shown at the Paris exhibition of 1925',
  'named after the maison’s first boutique',
  'a tribute to the art deco years',
];
const TAGS = [
  'gift',
  'icon',
  'new',
  'limited edition',
  'high jewellery',
  'travel',
  'bridal',
  'complication',
  'made to order',
];

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Per-market price as a multiple of the EUR price in cents, in each market's own minor units. */
const MARKET_FACTOR: Record<MarketCode, number> = {
  FR: 1,
  DE: 1,
  IT: 1,
  ES: 1,
  GB: 0.86,
  CH: 0.97,
  US: 1.08,
  JP: 1.65,
  KR: 15,
  SG: 1.5,
};

/** A deterministic catalog of `count` products across 30 maisons, 14 categories and ~75 materials. */
export function syntheticCatalog(count: number, seed: number): SearchDocument[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maisons = MAISON_WORDS.map((words) => ({ id: slug(words.join(' ')), name: words.join(' ') }));
  const collections = maisons.map((m) =>
    Array.from({ length: 6 }, () => pick(NAME_WORDS)).map((word) => ({
      id: `${m.id}-${slug(word)}`,
      name: word,
    })),
  );
  const start = Date.parse('2020-01-01T00:00:00Z');
  const docs: SearchDocument[] = [];
  for (let i = 0; i < count; i++) {
    const m = Math.floor(random() * maisons.length);
    const maison = maisons[m]!;
    const category = pick(CATEGORIES);
    const collection = pick(collections[m]!);
    const pool = MATERIALS[pick(category.materials)]!;
    const materials = [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(pool)))];
    const noun = pick(category.nouns);
    const name = `${collection.name} ${random() < 0.6 ? `${pick(ADJECTIVES)} ` : ''}${noun}${
      random() < 0.3 ? ` ${20 + Math.floor(random() * 25)}` : ''
    }`;
    // Log-uniform from 300 to 300,000 euros: many accessible pieces, a long tail of high jewellery.
    const eurCents = Math.round(30_000 * 1000 ** random()) * 100;
    const prices: SearchDocument['prices'] = {};
    const inStockMarkets: MarketCode[] = [];
    for (const market of MARKET_CODES) {
      if (random() < 0.12) continue;
      // Yen and won price lists end in round hundreds.
      const step = MARKETS[market].currency === 'JPY' || MARKETS[market].currency === 'KRW' ? 100 : 1;
      prices[market] = Math.max(step, Math.round((eurCents * MARKET_FACTOR[market]) / step) * step);
      if (random() < 0.55) inStockMarkets.push(market);
    }
    docs.push({
      productId: `${slug(name)}-${i.toString(36)}`,
      name,
      maisonId: maison.id,
      maisonName: maison.name,
      categoryId: slug(category.name),
      categoryName: category.name,
      collectionId: collection.id,
      collectionName: collection.name,
      description: `A ${pick(ADJECTIVES)} ${noun} in ${materials.join(' and ')}, from the ${collection.name} line.`,
      story: [
        `Each piece is ${pick(CRAFT)} and ${pick(CRAFT)}.`,
        `${materials[0]} sourced from ${pick(ORIGINS)}, finished in ${pick(ORIGINS)}.`,
        `The ${collection.name} motif is ${pick(HERITAGE)}.`,
      ].join('\n'),
      materials,
      tags: random() < 0.5 ? [pick(TAGS)] : [pick(TAGS), pick(TAGS)],
      prices,
      inStockMarkets,
      active: random() > 0.03,
      createdAt: start + Math.floor(random() * 5 * 365 * 86_400_000),
      version: 1,
    });
  }
  return docs;
}

/** Query words a shopper would type: maisons, materials, product nouns, collection and craft words. */
function queryVocabulary(): string[] {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const w of text.split(/[\s-]+/)) if (w.length > 2) words.add(w.toLowerCase());
  };
  MAISON_WORDS.flat().forEach(add);
  CATEGORIES.forEach((c) => {
    c.nouns.forEach(add);
  });
  Object.values(MATERIALS).flat().forEach(add);
  NAME_WORDS.forEach(add);
  ADJECTIVES.forEach(add);
  ['geneva', 'florence', 'paris', 'kyoto', 'engraved', 'stitched', 'enamel', 'archives', 'deco'].forEach(add);
  return [...words];
}

function typo(word: string, random: () => number): string {
  const i = 1 + Math.floor(random() * (word.length - 2));
  const kind = random();
  if (kind < 0.4) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  if (kind < 0.7) return word.slice(0, i) + word.slice(i + 1);
  return word.slice(0, i) + 'aeiourstn'[Math.floor(random() * 9)] + word.slice(i + 1);
}

/** The query mix, drawn from the catalog's own facet values so filters select real subsets. */
export function syntheticQueries(
  docs: readonly SearchDocument[],
  count: number,
  seed: number,
): SearchQuery[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const vocabulary = queryVocabulary();
  const sorts: SearchSort[] = [
    'relevance',
    'relevance',
    'relevance',
    'relevance',
    'relevance',
    'relevance',
    'price_asc',
    'price_desc',
    'newest',
    'newest',
  ];
  const queries: SearchQuery[] = [];
  for (let i = 0; i < count; i++) {
    const words = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(vocabulary));
    if (random() < 0.2) {
      const w = Math.floor(random() * words.length);
      if (words[w]!.length >= 5) words[w] = typo(words[w]!, random);
    }
    const market = pick(MARKET_CODES);
    const query: SearchQuery = {
      q: words.join(' '),
      market,
      sort: pick(sorts),
      page: random() < 0.1 ? 2 + Math.floor(random() * 3) : 1,
      limit: 20,
    };
    if (random() < 0.33) {
      const doc = pick(docs);
      const filter = Math.floor(random() * 5);
      if (filter === 0) query.maison = [doc.maisonId, pick(docs).maisonId];
      if (filter === 1) query.category = [doc.categoryId];
      if (filter === 2) query.material = [pick(doc.materials)];
      if (filter === 3) {
        const ranges = priceRanges(MARKETS[market].currency);
        const range = pick(ranges);
        query.priceMin = range.from;
        if (range.to !== null) query.priceMax = range.to - 1;
      }
      if (filter === 4) query.inStock = true;
      if (random() < 0.3) query.inStock = random() < 0.8;
    }
    queries.push(query);
  }
  return queries;
}

/**
 * The floor: one straightforward pass over plain document objects, with each document's terms
 * pre-analyzed into a Set. It matches exact terms only (no typo or prefix expansion), so it does less
 * text work per document than the index; what it shows is the cost of visiting every document.
 */
class LinearScan {
  readonly #docs: Array<{ doc: SearchDocument; terms: Set<string> }>;

  constructor(docs: readonly SearchDocument[]) {
    this.#docs = docs
      .filter((d) => d.active)
      .map((doc) => ({
        doc,
        terms: new Set(
          analyze(
            [
              doc.name,
              doc.maisonName,
              doc.collectionName,
              doc.categoryName,
              ...doc.materials,
              ...doc.tags,
              doc.description,
              doc.story,
            ].join(' '),
          ),
        ),
      }));
  }

  search(query: SearchQuery) {
    const words = analyzeQuery(query.q);
    const market = query.market;
    const results: Array<{ doc: SearchDocument; score: number }> = [];
    const facets = {
      maison: new Map<string, number>(),
      category: new Map<string, number>(),
      collection: new Map<string, number>(),
      material: new Map<string, number>(),
      price: new Map<number, number>(),
      inStock: new Map<boolean, number>(),
    };
    const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
    const ranges = priceRanges(MARKETS[market].currency);
    for (const { doc, terms } of this.#docs) {
      const price = doc.prices[market];
      if (price === undefined) continue;
      let score = 0;
      let matched = true;
      for (const word of words) {
        const hits = word.terms.filter((t) => terms.has(t)).length;
        if (hits === 0) {
          matched = false;
          break;
        }
        score += hits;
      }
      if (!matched) continue;
      const stock = doc.inStockMarkets.includes(market);
      const failed = [
        query.maison !== undefined && !query.maison.includes(doc.maisonId),
        query.category !== undefined && !query.category.includes(doc.categoryId),
        query.collection !== undefined && !query.collection.includes(doc.collectionId),
        query.material !== undefined && !doc.materials.some((m) => query.material!.includes(m)),
        (query.priceMin !== undefined && price < query.priceMin) ||
          (query.priceMax !== undefined && price > query.priceMax),
        query.inStock !== undefined && stock !== query.inStock,
      ];
      const failures = failed.filter(Boolean).length;
      if (failures > 1) continue;
      if (failures === 0) results.push({ doc, score });
      const countsFor = (i: number) => failures === 0 || failed[i];
      if (countsFor(0)) bump(facets.maison, doc.maisonId);
      if (countsFor(1)) bump(facets.category, doc.categoryId);
      if (countsFor(2)) bump(facets.collection, doc.collectionId);
      if (countsFor(3)) for (const m of doc.materials) bump(facets.material, m);
      if (countsFor(4))
        bump(
          facets.price,
          ranges.findLastIndex((r) => price >= r.from),
        );
      if (countsFor(5)) bump(facets.inStock, stock);
    }
    const byNewest = (a: SearchDocument, b: SearchDocument) => b.createdAt - a.createdAt;
    const sorters: Record<
      SearchSort,
      (a: { doc: SearchDocument; score: number }, b: { doc: SearchDocument; score: number }) => number
    > = {
      relevance: (a, b) => b.score - a.score || byNewest(a.doc, b.doc),
      newest: (a, b) => byNewest(a.doc, b.doc),
      price_asc: (a, b) => a.doc.prices[market]! - b.doc.prices[market]!,
      price_desc: (a, b) => b.doc.prices[market]! - a.doc.prices[market]!,
    };
    results.sort(sorters[query.sort]);
    const offset = (query.page - 1) * query.limit;
    return { total: results.length, hits: results.slice(offset, offset + query.limit), facets };
  }
}

/**
 * Orama answering whole queries, as its documentation suggests: flattened per-market price and stock
 * fields, `where` filters, `sortBy`, `tolerance` and Orama facets, plus one extra facet-only search per
 * filtered facet for disjunctive counts. Kept here as the measured reason OramaSearchIndex asks Orama for
 * matching ids and scores only, and filters, counts facets and sorts in its own columns.
 */
class OramaNative {
  // biome-ignore lint/suspicious/noExplicitAny: Orama's schema-derived types are not worth spelling out for a benchmark.
  private constructor(private readonly db: any) {}

  static async create(docs: readonly SearchDocument[]): Promise<OramaNative> {
    const schema: Record<string, string> = {
      productId: 'string',
      name: 'string',
      maisonName: 'string',
      collectionName: 'string',
      categoryName: 'string',
      materialsText: 'string[]',
      tags: 'string[]',
      description: 'string',
      story: 'string',
      maisonId: 'enum',
      categoryId: 'enum',
      collectionId: 'enum',
      materials: 'enum[]',
      createdAt: 'number',
    };
    for (const market of MARKET_CODES) {
      schema[`price_${market}`] = 'number';
      schema[`stock_${market}`] = 'boolean';
    }
    const db = create({ schema: schema as never });
    const rows = docs
      .filter((d) => d.active)
      .map((d) => {
        const row: Record<string, unknown> = {
          productId: d.productId,
          name: d.name,
          maisonName: d.maisonName,
          collectionName: d.collectionName,
          categoryName: d.categoryName,
          materialsText: d.materials,
          tags: d.tags,
          description: d.description,
          story: d.story,
          maisonId: d.maisonId,
          categoryId: d.categoryId,
          collectionId: d.collectionId,
          materials: d.materials,
          createdAt: d.createdAt,
        };
        for (const market of MARKET_CODES) {
          // Orama cannot filter on a missing number, so "not sold here" is -1.
          row[`price_${market}`] = d.prices[market] ?? -1;
          row[`stock_${market}`] = d.inStockMarkets.includes(market);
        }
        return row;
      });
    await insertMultiple(db, rows as never[], 1000);
    return new OramaNative(db);
  }

  async search(query: SearchQuery): Promise<unknown> {
    const m = query.market;
    const priceField = `price_${m}`;
    const filters: Record<string, unknown> = {};
    if (query.maison) filters.maisonId = { in: query.maison };
    if (query.category) filters.categoryId = { in: query.category };
    if (query.collection) filters.collectionId = { in: query.collection };
    if (query.material) filters.materials = { containsAny: query.material };
    if (query.priceMin !== undefined || query.priceMax !== undefined) {
      filters.price = { between: [query.priceMin ?? 0, query.priceMax ?? Number.MAX_SAFE_INTEGER] };
    }
    if (query.inStock !== undefined) filters.stock = query.inStock;
    const where = (except?: string) => {
      const clause: Record<string, unknown> = { [priceField]: { gte: 0 } };
      for (const [key, value] of Object.entries(filters)) {
        if (key === except) continue;
        const field = key === 'price' ? priceField : key === 'stock' ? `stock_${m}` : key;
        clause[field] = value;
      }
      return clause;
    };
    const ranges = priceRanges(MARKETS[m].currency).map((r) => ({
      from: r.from,
      to: r.to ?? Number.MAX_SAFE_INTEGER,
    }));
    const allFacets = {
      maisonId: {},
      categoryId: {},
      collectionId: {},
      materials: {},
      [priceField]: { ranges },
      [`stock_${m}`]: { true: true, false: true },
    };
    const text = {
      term: query.q,
      properties: [
        'name',
        'maisonName',
        'collectionName',
        'categoryName',
        'materialsText',
        'tags',
        'description',
        'story',
      ],
      boost: { name: 4, maisonName: 3, collectionName: 2, categoryName: 2, materialsText: 2, tags: 1.5 },
      tolerance: 1,
    };
    const sortBy =
      query.sort === 'price_asc' || query.sort === 'price_desc'
        ? { property: priceField, order: query.sort === 'price_asc' ? 'ASC' : 'DESC' }
        : query.sort === 'newest' || query.q === ''
          ? { property: 'createdAt', order: 'DESC' }
          : undefined;
    const main = await oramaSearch(this.db, {
      ...text,
      where: where(),
      facets: allFacets,
      limit: query.limit,
      offset: (query.page - 1) * query.limit,
      ...(sortBy ? { sortBy } : {}),
    } as never);
    for (const key of Object.keys(filters)) {
      await oramaSearch(this.db, { ...text, where: where(key), facets: allFacets, preflight: true } as never);
    }
    return main;
  }
}
