/**
 * Text analysis and full-text settings shared by both SearchIndex adapters. OpenSearch builds its
 * `vitrine_text` analyzer (standard tokenizer, lowercase, asciifolding, a short stop list,
 * `minimal_english` stemming) and its query from these settings; the Orama adapter plugs the functions
 * below into Orama as its tokenizer. Both then agree on what a word is and which words match.
 */

/**
 * Field boosts of full-text matching, used by both adapters: the name says what the piece is, the maison
 * who made it; a word in a long story says little.
 */
export const FIELD_BOOSTS = {
  name: 4,
  maisonName: 3,
  collectionName: 2,
  categoryName: 2,
  materials: 2,
  tags: 1.5,
  description: 1,
  story: 1,
} as const;

/** Typo tolerance shared by both adapters: OpenSearch's `fuzziness: AUTO` with these limits. */
export const FUZZY = {
  /** A typo is never assumed in the first letter, as shoppers rarely make one there. */
  prefixLength: 1,
  maxExpansions: 50,
  /** The last word is also matched as a prefix once it has this many characters. */
  minPrefixLength: 2,
  /**
   * A completion of the word being typed counts for less than the word typed in full. The Orama adapter
   * weighs typo corrections the same; OpenSearch weighs those by their edit distance itself.
   */
  expansionBoost: 0.8,
} as const;

/**
 * Words that carry no meaning in a product query, in English and the French of maison names. Kept short
 * on purpose: "or" (gold, in French) and "rose" must stay searchable. The OpenSearch analyzer uses the
 * same list.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'at',
  'by',
  'de',
  'des',
  'du',
  'en',
  'et',
  'for',
  'in',
  'la',
  'le',
  'les',
  'of',
  'on',
  'the',
  'to',
  'with',
]);

/** Letters asciifolding maps to more than a stripped accent. */
const FOLDS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', þ: 'th' };
const FOLDABLE = /[ßæœøłđþ]/g;
const COMBINING_MARKS = /\p{M}+/gu;
const NON_WORD = /[^\p{L}\p{N}]+/u;
const NON_WORD_ASCII = /[^a-z0-9]+/;
const NON_ASCII = /[^ -~\t\n\r]/;

/** Lower-cases and strips accents, so "Éclat" and "eclat" are the same word. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(FOLDABLE, (c) => FOLDS[c] ?? c);
}

/**
 * Lucene's EnglishMinimalStemmer (OpenSearch `minimal_english`): only plural endings go, so "earrings"
 * meets "earring" without the over-stemming of Porter ("earrings" -> "ear").
 */
export function stemMinimalEnglish(word: string): string {
  const len = word.length;
  if (len < 3 || word[len - 1] !== 's') return word;
  const beforeS = word[len - 2];
  if (beforeS === 'u' || beforeS === 's') return word;
  if (beforeS === 'e') {
    const c3 = word[len - 3];
    const c4 = word[len - 4];
    if (len > 3 && c3 === 'i' && c4 !== 'a' && c4 !== 'e') return `${word.slice(0, len - 3)}y`;
    if (c3 === 'i' || c3 === 'a' || c3 === 'o' || c3 === 'e') return word;
  }
  return word.slice(0, len - 1);
}

/** The terms of a text, in order, duplicates kept. */
export function analyze(text: string): string[] {
  // Most catalog text is plain ASCII: Unicode normalisation and a Unicode-aware split are the costliest
  // steps of indexing, and ASCII needs neither.
  const ascii = !NON_ASCII.test(text);
  const words = ascii ? text.toLowerCase().split(NON_WORD_ASCII) : foldText(text).split(NON_WORD);
  const out: string[] = [];
  for (const raw of words) {
    if (raw === '' || STOP_WORDS.has(raw)) continue;
    out.push(stemMinimalEnglish(raw));
  }
  return out;
}

/** One whitespace-separated word of a query and the terms it analyzes to (none for a stop word). */
export interface QueryWord {
  readonly terms: readonly string[];
  /** The word the shopper may still be typing: its last term also matches as a prefix. */
  readonly last: boolean;
}

/** Most words a query may carry; the rest is ignored, as a 200-character query has no more meaning. */
export const MAX_QUERY_WORDS = 16;

/**
 * Splits a query the way the OpenSearch query builder does: one clause per whitespace-separated word,
 * every word required, words that analyze to nothing (stop words, punctuation) dropped.
 */
export function analyzeQuery(q: string): QueryWord[] {
  const words = q.trim().split(/\s+/).filter(Boolean).slice(0, MAX_QUERY_WORDS);
  const out: QueryWord[] = [];
  words.forEach((word, i) => {
    const terms = analyze(word);
    if (terms.length > 0) out.push({ terms, last: i === words.length - 1 });
  });
  return out;
}

/**
 * Edits a term of this length may take, as OpenSearch `fuzziness: AUTO` (AUTO:3,6) allows: none up to
 * two characters, one up to five, two beyond.
 */
export function autoFuzziness(length: number): number {
  if (length < 3) return 0;
  return length < 6 ? 1 : 2;
}
