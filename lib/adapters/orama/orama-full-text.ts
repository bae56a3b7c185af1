import { count, create, insert, remove, search, type Tokenizer } from '@orama/orama';
import type { SearchDocument } from '../../contracts/search.ts';
import { analyze, autoFuzziness, FIELD_BOOSTS, FUZZY, type QueryWord } from '../../search/text-analysis.ts';

type TextField = keyof typeof FIELD_BOOSTS;

/**
 * The text Orama indexes per field. Lists are joined into one string: Orama's `string[]` type resets a
 * document's term frequencies on each element, so only the last material or tag would keep its own.
 */
const FIELD_TEXT: Record<TextField, (doc: SearchDocument) => string> = {
  name: (d) => d.name,
  maisonName: (d) => d.maisonName,
  collectionName: (d) => d.collectionName,
  categoryName: (d) => d.categoryName,
  materials: (d) => d.materials.join('\n'),
  tags: (d) => d.tags.join('\n'),
  description: (d) => d.description,
  story: (d) => d.story,
};
const TEXT_FIELDS = Object.keys(FIELD_BOOSTS) as TextField[];
/** The text fields, and the product id again as an enum so a search can be limited to given products. */
const TEXT_SCHEMA = {
  ...(Object.fromEntries(TEXT_FIELDS.map((field) => [field, 'string'])) as Record<TextField, 'string'>),
  productId: 'enum',
} as const;
type TextRow = { id: string; productId: string } & Record<TextField, string>;

/** Orama's per-field boosts for the words as typed, and for their corrections and completions. */
const TYPED_BOOST: Record<TextField, number> = { ...FIELD_BOOSTS };
const EXPANDED_BOOST = Object.fromEntries(
  TEXT_FIELDS.map((field) => [field, FIELD_BOOSTS[field] * FUZZY.expansionBoost]),
) as Record<TextField, number>;

/**
 * Ends every indexed term. Orama's radix lookups match a term as a prefix of longer ones ("gold" finds
 * "golden"); with the marker, "gold$" finds only "gold", and an unmarked lookup is a completion.
 * `analyze` never yields the character.
 */
const TERM_END = '$';

/**
 * Documents per Orama database. Orama gathers a term's documents with `Array.includes` over the ones
 * already gathered, quadratic in how many documents of one database hold the term; at 100k products in
 * one database a common word took seconds. Shards keep that list short, at the cost of one search call
 * per shard. Like OpenSearch shards, each scores with its own term statistics.
 */
const SHARD_SIZE = 512;

/**
 * The project's analysis as Orama's tokenizer. Orama names the property when it indexes or un-indexes a
 * document and none for a query term; queries reach it already analyzed and marked (see `#search`).
 */
const documentTokenizer: Tokenizer = {
  language: 'english',
  normalizationCache: new Map(),
  tokenize: (raw, _language, property) =>
    property === undefined
      ? raw.split(' ')
      : // Unique terms, as Orama's own tokenizer returns them: Orama counts a term once per occurrence
        // for its document frequency, so a repeated word would skew (even negate) its IDF.
        Array.from(new Set(analyze(raw)), (term) => term + TERM_END),
};

/** Vocabulary entries are single terms, already analyzed and marked. */
const termTokenizer: Tokenizer = {
  language: 'english',
  normalizationCache: new Map(),
  tokenize: (raw) => [raw],
};

const VOCABULARY_SCHEMA = { term: 'string' } as const;

function createTextShard() {
  return create({
    schema: TEXT_SCHEMA,
    components: { tokenizer: documentTokenizer },
    sort: { enabled: false },
  });
}

function createVocabulary() {
  return create({
    schema: VOCABULARY_SCHEMA,
    components: { tokenizer: termTokenizer },
    sort: { enabled: false },
  });
}

type TextShard = ReturnType<typeof createTextShard>;
type Vocabulary = ReturnType<typeof createVocabulary>;

/**
 * Orama answers synchronously unless a plugin, hook or component is async, and none is installed. The
 * adapter relies on it: a search that yielded half-way could see half of a batch being indexed.
 */
function settled<T>(result: T | Promise<T>): T {
  if (result instanceof Promise) {
    throw new Error('Orama answered asynchronously; OramaFullText needs it synchronous');
  }
  return result;
}

/** Receives a document matching a query word (its product id) and the score of that match. */
export type WordHitVisitor = (productId: string, score: number) => void;

/** The vocabulary terms a query word stands for. */
export interface WordTerms {
  /** Its own terms that the vocabulary holds. */
  readonly typed: ReadonlySet<string>;
  /** Corrections within the AUTO edit distance and, for the word being typed, completions. */
  readonly expanded: ReadonlySet<string>;
  /** Live documents holding each term, summed: how many documents the word can match at most. */
  readonly documents: number;
}

/**
 * The full-text side of the local search index, on Orama: each active product's text fields in an Orama
 * database (sharded), scored with Orama's BM25 and the shared field boosts, and the vocabulary in small
 * Orama databases where typo tolerance runs.
 *
 * A query word is looked up in two steps, as Lucene expands a fuzzy query over its term dictionary
 * before reading postings. First Orama's `tolerance` search over the vocabulary finds the terms within
 * the word's AUTO edit distance (and, for the word being typed, the terms it begins), at most
 * `FUZZY.maxExpansions`; the vocabulary is split by first letter, which is how `FUZZY.prefixLength`
 * holds. Then one search per shard reads those exact terms' documents. Running `tolerance` on the
 * documents themselves instead walks every edit path of eight field trees per shard and gathers a
 * common word's documents again on each path: 300 to 400 ms at the median on the 100k bench catalog.
 *
 * Orama's own BM25 differs from OpenSearch's in ways the contract leaves open: it sums a word's score
 * over fields (OpenSearch takes the best field plus 0.3 of the others), normalises term frequency by
 * field length, and each shard has its own statistics.
 */
export class OramaFullText {
  readonly #shards: TextShard[] = [];
  /** Products assigned to each shard, live or not, so a shard never outgrows SHARD_SIZE. */
  readonly #assigned: number[] = [];
  /** A product keeps its shard through updates and deactivation, so replacing it leaves no hole. */
  readonly #shardOf = new Map<string, number>();
  /** Vocabulary databases keyed by a term's first `FUZZY.prefixLength` characters. */
  readonly #vocabulary = new Map<string, Vocabulary>();
  /** Live documents holding each term: a term leaves the vocabulary with its last document. */
  readonly #documentsWith = new Map<string, number>();

  /** Indexes an active product (not already indexed). */
  add(doc: SearchDocument): void {
    let shard = this.#shardOf.get(doc.productId);
    if (shard === undefined) {
      shard = this.#openShard();
      this.#shardOf.set(doc.productId, shard);
      this.#assigned[shard]!++;
    }
    const row = { id: doc.productId, productId: doc.productId } as TextRow;
    for (const field of TEXT_FIELDS) row[field] = FIELD_TEXT[field](doc);
    settled(insert(this.#shards[shard]!, row));
    for (const term of termsOf(doc)) {
      const documents = this.#documentsWith.get(term) ?? 0;
      if (documents === 0) settled(insert(this.#vocabularyFor(term), { id: term, term: term + TERM_END }));
      this.#documentsWith.set(term, documents + 1);
    }
  }

  /** Takes out a product indexed with `add`, given the document it was indexed with. */
  remove(doc: SearchDocument): void {
    settled(remove(this.#shards[this.#shardOf.get(doc.productId)!]!, doc.productId));
    for (const term of termsOf(doc)) {
      const documents = this.#documentsWith.get(term)! - 1;
      if (documents > 0) {
        this.#documentsWith.set(term, documents);
      } else {
        this.#documentsWith.delete(term);
        settled(remove(this.#vocabularyFor(term), term));
      }
    }
  }

  /** Looks a query word up in the vocabulary: any of its terms as typed, corrected or completed. */
  expand(word: QueryWord): WordTerms {
    const typed = new Set<string>();
    const expanded = new Set<string>();
    word.terms.forEach((term, i) => {
      if (this.#documentsWith.has(term)) typed.add(term);
      const completes = word.last && i === word.terms.length - 1 && term.length >= FUZZY.minPrefixLength;
      for (const expansion of this.#expand(term, completes)) expanded.add(expansion);
    });
    for (const term of typed) expanded.delete(term);
    let documents = 0;
    for (const term of typed) documents += this.#documentsWith.get(term)!;
    for (const term of expanded) documents += this.#documentsWith.get(term)!;
    return { typed, expanded, documents };
  }

  /**
   * Visits every document holding any of a word's terms in any field, or only those of `within` (product
   * ids) when given. A document may be visited twice, once for the terms as typed and once for the
   * expansions, which score lower.
   */
  match(terms: WordTerms, visit: WordHitVisitor, within?: readonly string[]): void {
    const candidates = within && this.#byShard(within);
    if (terms.typed.size > 0) this.#search(terms.typed, TYPED_BOOST, visit, candidates);
    if (terms.expanded.size > 0) this.#search(terms.expanded, EXPANDED_BOOST, visit, candidates);
  }

  /** Vocabulary terms within the term's AUTO edit distance and, when `completes`, those it begins. */
  #expand(term: string, completes: boolean): string[] {
    const vocabulary = this.#vocabulary.get(term.slice(0, FUZZY.prefixLength));
    if (!vocabulary) return [];
    const found: string[] = [];
    const tolerance = autoFuzziness(term.length);
    if (tolerance > 0) {
      const corrections = settled(
        search(vocabulary, { term: term + TERM_END, tolerance, limit: FUZZY.maxExpansions }),
      );
      for (const hit of corrections.hits) found.push(hit.id);
    }
    if (tolerance === 1) {
      // Orama counts two swapped letters as two edits, Lucene as one; a word allowed a single edit would
      // miss "slik" for "silk" here and not on OpenSearch, so its swaps are looked up as they are.
      for (let i = FUZZY.prefixLength; i < term.length - 1; i++) {
        const swapped = term.slice(0, i) + term[i + 1] + term[i] + term.slice(i + 2);
        if (swapped !== term && this.#documentsWith.has(swapped)) found.push(swapped);
      }
    }
    if (completes) {
      const completions = settled(search(vocabulary, { term, limit: FUZZY.maxExpansions }));
      for (const hit of completions.hits) found.push(hit.id);
    }
    return found;
  }

  /**
   * One Orama search per shard for documents holding any of `terms` in any field, limited to the
   * candidates of each shard when given (shards without any are skipped).
   */
  #search(
    terms: ReadonlySet<string>,
    boost: Record<TextField, number>,
    visit: WordHitVisitor,
    candidates: ReadonlyMap<number, string[]> | undefined,
  ): void {
    const term = Array.from(terms, (t) => t + TERM_END).join(' ');
    for (let i = 0; i < this.#shards.length; i++) {
      const shard = this.#shards[i]!;
      const only = candidates?.get(i);
      if (candidates && !only) continue;
      const documents = only ? only.length : count(shard);
      if (documents === 0) continue;
      const result = settled(
        search(shard, {
          term,
          boost,
          // Orama still gathers every document holding the terms, but scores, sorts and returns only
          // these: most of the cost of a common word in a query that another word already narrowed.
          ...(only ? { where: { productId: { in: only } } } : {}),
          // Every match: the caller filters, counts facets and pages over all of them.
          limit: documents,
          // Otherwise Orama copies every hit and its document to blank out vector fields, of which
          // there are none.
          includeVectors: true,
        }),
      );
      for (const hit of result.hits) visit(hit.id, hit.score);
    }
  }

  #byShard(productIds: readonly string[]): Map<number, string[]> {
    const byShard = new Map<number, string[]>();
    for (const productId of productIds) {
      const shard = this.#shardOf.get(productId)!;
      const ids = byShard.get(shard);
      if (ids) ids.push(productId);
      else byShard.set(shard, [productId]);
    }
    return byShard;
  }

  #openShard(): number {
    const last = this.#shards.length - 1;
    if (last >= 0 && this.#assigned[last]! < SHARD_SIZE) return last;
    this.#shards.push(createTextShard());
    this.#assigned.push(0);
    return last + 1;
  }

  #vocabularyFor(term: string): Vocabulary {
    const key = term.slice(0, FUZZY.prefixLength);
    let vocabulary = this.#vocabulary.get(key);
    if (!vocabulary) {
      vocabulary = createVocabulary();
      this.#vocabulary.set(key, vocabulary);
    }
    return vocabulary;
  }
}

/** The distinct terms of a document's text fields. */
function termsOf(doc: SearchDocument): Set<string> {
  const terms = new Set<string>();
  for (const field of TEXT_FIELDS) {
    for (const term of analyze(FIELD_TEXT[field](doc))) terms.add(term);
  }
  return terms;
}
