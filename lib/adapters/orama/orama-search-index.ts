import type {
  SearchDocument,
  SearchFacets,
  SearchHit,
  SearchQuery,
  SearchResult,
  SearchSort,
} from '../../contracts/search.ts';
import { MARKET_CODES, MARKETS, type MarketCode } from '../../money/markets.ts';
import { type PriceRange, priceRanges } from '../../search/price-ranges.ts';
import type { IndexOutcome, SearchIndex } from '../../search/search-index.ts';
import { analyzeQuery, type QueryWord } from '../../search/text-analysis.ts';
import { OramaFullText } from './orama-full-text.ts';

/** Most values a facet lists, as the OpenSearch terms aggregations ask for. */
const FACET_SIZE = 100;

/** Facet dimensions, as bits of a document's failed-filter mask. */
const MAISON = 1;
const CATEGORY = 2;
const COLLECTION = 4;
const MATERIAL = 8;
const PRICE = 16;
const IN_STOCK = 32;

const MARKET_INDEX = new Map(MARKET_CODES.map((code, i) => [code, i]));
const RANGES_BY_MARKET = new Map(MARKET_CODES.map((code) => [code, priceRanges(MARKETS[code].currency)]));

/** Facet values (maisons, categories...) numbered densely so counts live in typed arrays. */
class ValueDictionary {
  readonly #ids = new Map<string, number>();
  readonly values: string[] = [];
  readonly labels: string[] = [];

  /** The id of a value, adding it if new; the label follows the latest document that names it. */
  intern(value: string, label: string): number {
    let id = this.#ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.#ids.set(value, id);
      this.values.push(value);
      this.labels.push(label);
    } else {
      this.labels[id] = label;
    }
    return id;
  }

  /** A lookup table of the requested values, or undefined when the facet is not filtered. */
  allowed(requested: readonly string[] | undefined): Uint8Array | undefined {
    if (!requested) return undefined;
    const table = new Uint8Array(this.values.length);
    for (const value of requested) {
      const id = this.#ids.get(value);
      if (id !== undefined) table[id] = 1;
    }
    return table;
  }

  facet(counts: Int32Array): SearchFacets['maison'] {
    const out: SearchFacets['maison'] = [];
    for (let id = 0; id < counts.length; id++) {
      const count = counts[id]!;
      if (count > 0) out.push({ value: this.values[id]!, label: this.labels[id]!, count });
    }
    // Keep the values a terms aggregation keeps (count, then key), then order them for display.
    if (out.length > FACET_SIZE) out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    return out.slice(0, FACET_SIZE).sort(byCountThenLabel);
  }
}

/** One collator for every facet sort: `localeCompare` with a locale builds a new one per call. */
const LABEL_ORDER = new Intl.Collator('en');

/** Facet display order: most frequent first, then by label, then by value for labels that repeat. */
function byCountThenLabel(a: SearchFacets['maison'][number], b: SearchFacets['maison'][number]): number {
  return b.count - a.count || LABEL_ORDER.compare(a.label, b.label) || (a.value < b.value ? -1 : 1);
}

/**
 * Per-slot columns for filtering, faceting and sorting: flat typed arrays rather than objects, so one
 * pass over 100k candidates stays in cache.
 */
class Columns {
  capacity = 0;
  alive = new Uint8Array(0);
  maison = new Int32Array(0);
  category = new Int32Array(0);
  collection = new Int32Array(0);
  createdAt = new Float64Array(0);
  /** Bit m set when the document is in stock in MARKET_CODES[m]. */
  inStock = new Uint16Array(0);
  /** Price per market in minor units, -1 where the market has no price. */
  prices: Float64Array[] = MARKET_CODES.map(() => new Float64Array(0));
  /** Index of the price range per market, -1 where the market has no price. */
  priceBuckets: Int8Array[] = MARKET_CODES.map(() => new Int8Array(0));
  /** Materials of slot s: materialIds[materialStart[s] .. materialStart[s] + materialCount[s]). */
  materialStart = new Int32Array(0);
  materialCount = new Uint8Array(0);
  materialIds = new Int32Array(16);
  materialLength = 0;

  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    const next = Math.max(capacity, this.capacity * 2, 1024);
    this.alive = copy(this.alive, new Uint8Array(next));
    this.maison = copy(this.maison, new Int32Array(next));
    this.category = copy(this.category, new Int32Array(next));
    this.collection = copy(this.collection, new Int32Array(next));
    this.createdAt = copy(this.createdAt, new Float64Array(next));
    this.inStock = copy(this.inStock, new Uint16Array(next));
    this.prices = this.prices.map((column) => copy(column, new Float64Array(next)));
    this.priceBuckets = this.priceBuckets.map((column) => copy(column, new Int8Array(next)));
    this.materialStart = copy(this.materialStart, new Int32Array(next));
    this.materialCount = copy(this.materialCount, new Uint8Array(next));
    this.capacity = next;
  }

  pushMaterial(id: number): void {
    if (this.materialLength === this.materialIds.length) {
      this.materialIds = copy(this.materialIds, new Int32Array(this.materialLength * 2));
    }
    this.materialIds[this.materialLength++] = id;
  }
}

function copy<T extends Uint8Array | Int8Array | Uint16Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The version the index holds for a product, and its slot while it is searchable (-1 for a tombstone). */
interface Held {
  readonly version: number;
  readonly slot: number;
}

/**
 * The local SearchIndex behind `npm start` and the tests, on the embedded Orama engine; it passes the
 * same contract suite as OpenSearch.
 *
 * Orama does the full text (OramaFullText): it holds every active product's text fields, applies the
 * project's analysis as its tokenizer, finds typo-tolerant matches and scores them with BM25 and the
 * shared field boosts. It is asked for matching ids and scores only. Filters, the six facets (each
 * counted without its own filter, as disjunctive faceting wants) and the sort keys are read from per-slot
 * columns in one pass over the matches, and the page is taken with a bounded heap. A query without text
 * never reaches Orama.
 *
 * On the bench mix (test/bench/search-bench.ts) this answers in about 3 ms at the median and 10-20 ms at
 * p99 on 10k products, and 35 ms and 120 ms on 100k: about what a linear scan costs, as Orama spends
 * around a microsecond per matching document and field. Orama answering the whole query itself
 * (`where`, `facets`, `sortBy`) took 22 ms and 360 ms on 10k, as it sorts every match, builds facets
 * from whole documents and repeats that once per filtered facet.
 *
 * Versioning follows OpenSearch's `version_type: external`: a document is written only when its version
 * is greater than the one held. Inactive documents leave a tombstone (their version) so an older active
 * copy arriving late cannot bring a product back.
 */
export class OramaSearchIndex implements SearchIndex {
  readonly #held = new Map<string, Held>();
  #docs: Array<SearchDocument | undefined> = [];
  #slotCount = 0;
  #liveCount = 0;
  #columns = new Columns();
  readonly #text = new OramaFullText();
  readonly #maisons = new ValueDictionary();
  readonly #categories = new ValueDictionary();
  readonly #collections = new ValueDictionary();
  readonly #materials = new ValueDictionary();
  /** Reused across queries: a browse over 100k products would otherwise allocate 400 kB each time. */
  #results = new Int32Array(0);

  /** An index holding `documents` (indexed with the same versioning rules as later writes). */
  static async create(documents: readonly SearchDocument[] = []): Promise<OramaSearchIndex> {
    const index = new OramaSearchIndex();
    await index.index(documents);
    return index;
  }

  async index(documents: readonly SearchDocument[]): Promise<IndexOutcome> {
    let indexed = 0;
    let stale = 0;
    for (const doc of documents) {
      const held = this.#held.get(doc.productId);
      if (held && doc.version <= held.version) {
        stale++;
        continue;
      }
      if (held && held.slot >= 0) {
        this.#text.remove(this.#docs[held.slot]!);
        this.#kill(held.slot);
      }
      let slot = -1;
      if (doc.active) {
        slot = this.#append(doc);
        this.#text.add(doc);
      }
      this.#held.set(doc.productId, { version: doc.version, slot });
      indexed++;
    }
    // Updates leave dead slots behind; rebuilding the columns once they outnumber the live ones keeps the
    // cost of an update amortised O(1) and scans proportional to live documents.
    if (this.#slotCount - this.#liveCount > Math.max(1024, this.#liveCount)) this.#compact();
    return { indexed, stale };
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const market = query.market;
    const m = MARKET_INDEX.get(market)!;
    const currency = MARKETS[market].currency;
    const ranges = RANGES_BY_MARKET.get(market)!;
    const page = query.page ?? 1;
    const limit = query.limit ?? 20;
    const words = analyzeQuery(query.q ?? '');

    let slots: Int32Array | undefined;
    let count = this.#slotCount;
    let scores: Float64Array | undefined;
    if (words.length > 0) {
      const matches = this.#match(words);
      slots = matches.slots;
      count = matches.count;
      scores = matches.scores;
    }

    const pass = this.#filterAndCount(query, m, ranges.length, slots, count);
    const sort = query.sort ?? 'relevance';
    const order = this.#comparator(sort === 'relevance' && !scores ? 'newest' : sort, m, scores);
    const offset = (page - 1) * limit;
    const top = selectTop(pass.results, pass.total, Math.min(pass.total, offset + limit), order);
    const hits: SearchHit[] = [];
    for (let i = offset; i < top.length; i++) {
      hits.push(this.#hit(top[i]!, market, m, currency, scores));
    }

    return {
      market,
      total: pass.total,
      page,
      limit,
      hits,
      facets: {
        maison: this.#maisons.facet(pass.maison),
        category: this.#categories.facet(pass.category),
        collection: this.#collections.facet(pass.collection),
        material: this.#materials.facet(pass.material),
        priceRange: ranges.map((range, i) => ({ ...range, count: pass.priceRange[i]! })),
        inStock: [
          { value: true, count: pass.inStock[1]! },
          { value: false, count: pass.inStock[0]! },
        ],
      },
    };
  }

  /**
   * The slots matching every word, each word in any field, with their summed Orama scores (indexed by
   * slot). The word with the fewest possible matches goes first; each later one is only searched among
   * the products that matched every earlier one.
   */
  #match(words: readonly QueryWord[]): { slots: Int32Array; count: number; scores: Float64Array } {
    const scores = new Float64Array(this.#slotCount);
    const wordsMatched = new Uint8Array(this.#slotCount);
    const planned = words.map((word) => this.#text.expand(word)).sort((a, b) => a.documents - b.documents);
    let slots: number[] = [];
    let productIds: string[] | undefined;
    if (planned[0]!.documents === 0) return { slots: new Int32Array(0), count: 0, scores };
    for (let w = 0; w < planned.length; w++) {
      const nextSlots: number[] = [];
      const nextIds: string[] = [];
      this.#text.match(
        planned[w]!,
        (productId, score) => {
          // Orama only holds active products, which all have a slot.
          const slot = this.#held.get(productId)!.slot;
          if (wordsMatched[slot] === w) {
            wordsMatched[slot] = w + 1;
            nextSlots.push(slot);
            nextIds.push(productId);
          }
          // A second visit for the same word comes through its corrections or completions.
          if (wordsMatched[slot] === w + 1) scores[slot] = scores[slot]! + score;
        },
        productIds,
      );
      slots = nextSlots;
      productIds = nextIds;
      if (slots.length === 0) break;
    }
    return { slots: Int32Array.from(slots), count: slots.length, scores };
  }

  /**
   * One pass over the candidates. A document failing no filter is a result and counts in every facet; a
   * document failing exactly one filter counts only in that filter's own facet, which is what
   * disjunctive faceting asks for (each facet counted with every filter but its own).
   */
  #filterAndCount(
    query: SearchQuery,
    m: number,
    rangeCount: number,
    slots: Int32Array | undefined,
    count: number,
  ): FacetPass {
    const c = this.#columns;
    const maisonAllowed = this.#maisons.allowed(query.maison);
    const categoryAllowed = this.#categories.allowed(query.category);
    const collectionAllowed = this.#collections.allowed(query.collection);
    const materialAllowed = this.#materials.allowed(query.material);
    const priceMin = query.priceMin ?? Number.NEGATIVE_INFINITY;
    const priceMax = query.priceMax ?? Number.POSITIVE_INFINITY;
    const stockWanted = query.inStock === undefined ? -1 : query.inStock ? 1 : 0;

    if (this.#results.length < count)
      this.#results = new Int32Array(Math.max(count, this.#results.length * 2));
    const pass: FacetPass = {
      results: this.#results,
      total: 0,
      maison: new Int32Array(this.#maisons.values.length),
      category: new Int32Array(this.#categories.values.length),
      collection: new Int32Array(this.#collections.values.length),
      material: new Int32Array(this.#materials.values.length),
      priceRange: new Int32Array(rangeCount),
      inStock: new Int32Array(2),
    };
    const { results, maison, category, collection, material, priceRange, inStock } = pass;
    // Columns in locals: the loop below runs once per candidate, up to the whole catalog.
    const alive = c.alive;
    const maisonOf = c.maison;
    const categoryOf = c.category;
    const collectionOf = c.collection;
    const materialStart = c.materialStart;
    const materialCount = c.materialCount;
    const materialIds = c.materialIds;
    const prices = c.prices[m]!;
    const buckets = c.priceBuckets[m]!;
    const stockBits = c.inStock;
    let total = 0;

    for (let i = 0; i < count; i++) {
      const s = slots === undefined ? i : slots[i]!;
      if (alive[s] === 0) continue;
      const price = prices[s]!;
      // Only products on the market's price list exist in that market.
      if (price < 0) continue;
      const maisonId = maisonOf[s]!;
      const categoryId = categoryOf[s]!;
      const collectionId = collectionOf[s]!;
      const firstMaterial = materialStart[s]!;
      const lastMaterial = firstMaterial + materialCount[s]!;
      const stock = (stockBits[s]! >>> m) & 1;
      let failed = 0;
      if (maisonAllowed !== undefined && maisonAllowed[maisonId] === 0) failed |= MAISON;
      if (categoryAllowed !== undefined && categoryAllowed[categoryId] === 0) failed |= CATEGORY;
      if (collectionAllowed !== undefined && collectionAllowed[collectionId] === 0) failed |= COLLECTION;
      if (materialAllowed !== undefined) {
        let any = false;
        for (let j = firstMaterial; j < lastMaterial; j++) {
          if (materialAllowed[materialIds[j]!] === 1) {
            any = true;
            break;
          }
        }
        if (!any) failed |= MATERIAL;
      }
      if (price < priceMin || price > priceMax) failed |= PRICE;
      if (stockWanted >= 0 && stock !== stockWanted) failed |= IN_STOCK;

      if (failed === 0) {
        results[total++] = s;
        maison[maisonId]!++;
        category[categoryId]!++;
        collection[collectionId]!++;
        for (let j = firstMaterial; j < lastMaterial; j++) material[materialIds[j]!]!++;
        priceRange[buckets[s]!]!++;
        inStock[stock]!++;
        continue;
      }
      // Failing one filter, the document still counts in that filter's own facet.
      if (failed === MAISON) maison[maisonId]!++;
      else if (failed === CATEGORY) category[categoryId]!++;
      else if (failed === COLLECTION) collection[collectionId]!++;
      else if (failed === MATERIAL) {
        for (let j = firstMaterial; j < lastMaterial; j++) material[materialIds[j]!]!++;
      } else if (failed === PRICE) priceRange[buckets[s]!]!++;
      else if (failed === IN_STOCK) inStock[stock]!++;
    }
    pass.total = total;
    return pass;
  }

  /** Whether slot a ranks before slot b; ties end on productId so pages never overlap. */
  #comparator(
    sort: SearchSort,
    m: number,
    scores: Float64Array | undefined,
  ): (a: number, b: number) => boolean {
    const createdAt = this.#columns.createdAt;
    const prices = this.#columns.prices[m]!;
    const docs = this.#docs;
    const newest = (a: number, b: number): boolean => {
      const ca = createdAt[a]!;
      const cb = createdAt[b]!;
      if (ca !== cb) return ca > cb;
      return docs[a]!.productId < docs[b]!.productId;
    };
    switch (sort) {
      case 'price_asc':
        return (a, b) => (prices[a] !== prices[b] ? prices[a]! < prices[b]! : newest(a, b));
      case 'price_desc':
        return (a, b) => (prices[a] !== prices[b] ? prices[a]! > prices[b]! : newest(a, b));
      case 'relevance': {
        const s = scores!;
        return (a, b) => (s[a] !== s[b] ? s[a]! > s[b]! : newest(a, b));
      }
      case 'newest':
        return newest;
    }
  }

  #hit(
    slot: number,
    market: MarketCode,
    m: number,
    currency: SearchHit['price']['currency'],
    scores: Float64Array | undefined,
  ): SearchHit {
    const doc = this.#docs[slot]!;
    return {
      productId: doc.productId,
      name: doc.name,
      maison: { id: doc.maisonId, name: doc.maisonName },
      category: { id: doc.categoryId, name: doc.categoryName },
      collection: { id: doc.collectionId, name: doc.collectionName },
      price: { amount: doc.prices[market]!, currency },
      inStock: ((this.#columns.inStock[slot]! >>> m) & 1) === 1,
      score: scores ? scores[slot]! : 0,
    };
  }

  #append(doc: SearchDocument): number {
    const slot = this.#slotCount++;
    const c = this.#columns;
    c.reserve(slot + 1);
    this.#docs[slot] = doc;
    c.alive[slot] = 1;
    c.maison[slot] = this.#maisons.intern(doc.maisonId, doc.maisonName);
    c.category[slot] = this.#categories.intern(doc.categoryId, doc.categoryName);
    c.collection[slot] = this.#collections.intern(doc.collectionId, doc.collectionName);
    c.createdAt[slot] = doc.createdAt;
    let stock = 0;
    for (const market of doc.inStockMarkets) stock |= 1 << MARKET_INDEX.get(market)!;
    c.inStock[slot] = stock;
    MARKET_CODES.forEach((market, m) => {
      const price = doc.prices[market];
      c.prices[m]![slot] = price ?? -1;
      c.priceBuckets[m]![slot] = price === undefined ? -1 : bucketOf(RANGES_BY_MARKET.get(market)!, price);
    });
    c.materialStart[slot] = c.materialLength;
    const materials = new Set(doc.materials);
    c.materialCount[slot] = Math.min(materials.size, 255);
    let taken = 0;
    for (const material of materials) {
      if (taken++ === 255) break;
      c.pushMaterial(this.#materials.intern(material, material));
    }
    this.#liveCount++;
    return slot;
  }

  #kill(slot: number): void {
    this.#columns.alive[slot] = 0;
    this.#docs[slot] = undefined;
    this.#liveCount--;
  }

  /** Moves the live documents into fresh slots, in their current order; Orama keys them by product id. */
  #compact(): void {
    const live = this.#docs.filter((doc): doc is SearchDocument => doc !== undefined);
    this.#docs = [];
    this.#slotCount = 0;
    this.#liveCount = 0;
    this.#columns = new Columns();
    for (const doc of live) {
      const slot = this.#append(doc);
      this.#held.set(doc.productId, { version: doc.version, slot });
    }
  }
}

interface FacetPass {
  readonly results: Int32Array;
  total: number;
  readonly maison: Int32Array;
  readonly category: Int32Array;
  readonly collection: Int32Array;
  readonly material: Int32Array;
  readonly priceRange: Int32Array;
  readonly inStock: Int32Array;
}

function bucketOf(ranges: readonly PriceRange[], price: number): number {
  for (let i = ranges.length - 1; i >= 0; i--) {
    if (price >= ranges[i]!.from) return i;
  }
  return 0;
}

/**
 * The first `k` of `slots[0..count)` in `before` order. A heap of the k best keeps this O(n log k), so
 * page one of 50k matches costs one comparison per match rather than a full sort.
 */
function selectTop(
  slots: Int32Array,
  count: number,
  k: number,
  before: (a: number, b: number) => boolean,
): Int32Array {
  if (k <= 0) return new Int32Array(0);
  const byOrder = (a: number, b: number) => (before(a, b) ? -1 : before(b, a) ? 1 : 0);
  if (k * 4 >= count) return slots.slice(0, count).sort(byOrder).subarray(0, k);
  // Max-heap on "ranks last": the root is the worst of the k kept so far.
  const heap = new Int32Array(k);
  let size = 0;
  const worse = (i: number, j: number) => before(heap[j]!, heap[i]!);
  const siftUp = (start: number) => {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(i, parent)) break;
      swap(heap, i, parent);
      i = parent;
    }
  };
  const siftDown = () => {
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < size && worse(left, worst)) worst = left;
      if (right < size && worse(right, worst)) worst = right;
      if (worst === i) return;
      swap(heap, i, worst);
      i = worst;
    }
  };
  for (let i = 0; i < count; i++) {
    const slot = slots[i]!;
    if (size < k) {
      heap[size++] = slot;
      siftUp(size - 1);
    } else if (before(slot, heap[0]!)) {
      heap[0] = slot;
      siftDown();
    }
  }
  return heap.sort(byOrder);
}

function swap(array: Int32Array, i: number, j: number): void {
  const t = array[i]!;
  array[i] = array[j]!;
  array[j] = t;
}
