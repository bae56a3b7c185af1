import { describe, expect, it } from 'vitest';
import {
  analyze,
  analyzeQuery,
  autoFuzziness,
  foldText,
  stemMinimalEnglish,
} from '../../lib/search/text-analysis.ts';

describe('analyze', () => {
  it('folds accents and case, splits on punctuation and drops stop words', () => {
    expect(analyze('Étoile Pavé Band — in 18K Rose-Gold')).toEqual([
      'etoile',
      'pave',
      'band',
      '18k',
      'rose',
      'gold',
    ]);
    expect(foldText('Straße Cœur Ørsted')).toBe('strasse coeur orsted');
  });

  it('stems plurals as OpenSearch minimal_english does', () => {
    const cases: Array<[string, string]> = [
      ['earrings', 'earring'],
      ['diamonds', 'diamond'],
      ['accessories', 'accessory'],
      ['glass', 'glass'],
      ['status', 'status'],
      ['bags', 'bag'],
      ['shoes', 'shoes'],
      ['watches', 'watche'],
      ['is', 'is'],
    ];

    expect(cases.map(([word]) => stemMinimalEnglish(word))).toEqual(cases.map(([, stem]) => stem));
  });
});

describe('analyzeQuery', () => {
  it('keeps one entry per word that means something and marks the last typed word', () => {
    expect(analyzeQuery('  mother of  pearl-drop ')).toEqual([
      { terms: ['mother'], last: false },
      { terms: ['pearl', 'drop'], last: true },
    ]);
  });

  it('does not mark a prefix when the last word is a stop word', () => {
    expect(analyzeQuery('ring with')).toEqual([{ terms: ['ring'], last: false }]);
  });
});

describe('autoFuzziness', () => {
  it('allows no edit up to two characters, one up to five, two beyond', () => {
    expect([1, 2, 3, 5, 6, 12].map(autoFuzziness)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});
