import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  orderSignatureNotice,
  SIGNATURE_CATEGORIES,
  SIGNATURE_THRESHOLDS,
  SignatureNotice,
  signatureNotice,
} from '../../../lib/delivery/signature.ts';
import { MARKETS, type MarketCode } from '../../../lib/money/markets.ts';

const MARKET_CODES = Object.keys(SIGNATURE_THRESHOLDS) as MarketCode[];
const OTHER_CATEGORIES = ['handbags', 'fragrance', 'ready-to-wear', 'leather-goods'];

const market = fc.constantFrom(...MARKET_CODES);
const categories = fc.array(fc.constantFrom(...SIGNATURE_CATEGORIES, ...OTHER_CATEGORIES), { maxLength: 5 });
/** Values around each market's threshold, where the rule turns, and far from it. */
const valueFor = (code: MarketCode) => {
  const threshold = SIGNATURE_THRESHOLDS[code];
  return fc.oneof(
    fc.integer({ min: 0, max: 3 * threshold }),
    fc.integer({ min: threshold - 2, max: threshold + 2 }),
  );
};
const parcel = market.chain((code) =>
  fc.record({ market: fc.constant(code), value: valueFor(code), categories }),
);

describe('signature rule', () => {
  it('requires a signature iff the value reaches the market threshold or a listed category is in the parcel', () => {
    fc.assert(
      fc.property(parcel, (input) => {
        const notice = signatureNotice(input);
        const listed = input.categories.filter((c) => SIGNATURE_CATEGORIES.includes(c));
        const byValue = input.value >= SIGNATURE_THRESHOLDS[input.market];
        expect(notice.required).toBe(byValue || listed.length > 0);
        expect(notice.reasons).toEqual([
          ...(byValue ? ['value'] : []),
          ...(listed.length ? ['category'] : []),
        ]);
        expect(notice.categories).toEqual([...new Set(listed)].sort());
        expect(notice.threshold).toEqual({
          amount: SIGNATURE_THRESHOLDS[input.market],
          currency: MARKETS[input.market].currency,
        });
        expect(notice.pickupAlternative).toBe(notice.required);
        expect(SignatureNotice.safeParse(notice).success).toBe(true);
      }),
    );
  });

  it('turns exactly at the threshold, in each market’s own minor units', () => {
    expect(signatureNotice({ market: 'FR', value: 99_999, categories: [] }).required).toBe(false);
    expect(signatureNotice({ market: 'FR', value: 100_000, categories: [] }).required).toBe(true);
    // Yen have no minor unit: ¥150,000 is the line, not ¥1,500.
    expect(signatureNotice({ market: 'JP', value: 149_999, categories: [] }).required).toBe(false);
    expect(signatureNotice({ market: 'JP', value: 150_000, categories: [] })).toMatchObject({
      required: true,
      threshold: { amount: 150_000, currency: 'JPY' },
    });
  });

  it('requires one for a watch whatever its price', () => {
    expect(signatureNotice({ market: 'US', value: 1, categories: ['watches'] })).toMatchObject({
      required: true,
      reasons: ['category'],
      categories: ['watches'],
    });
  });

  it('takes thresholds and categories from a policy when given', () => {
    const policy = { thresholds: { FR: 50_000 }, categories: ['handbags'] };
    expect(signatureNotice({ market: 'FR', value: 50_000, categories: [] }, policy).required).toBe(true);
    expect(signatureNotice({ market: 'FR', value: 1, categories: ['watches'] }, policy).required).toBe(false);
    expect(signatureNotice({ market: 'FR', value: 1, categories: ['handbags'] }, policy).required).toBe(true);
  });

  it('requires one for an order iff any of its parcels requires one, and says nothing of no parcel', () => {
    fc.assert(
      fc.property(fc.array(parcel, { minLength: 1, maxLength: 4 }), (parcels) => {
        const notices = parcels.map((p) => signatureNotice(p));
        const order = orderSignatureNotice(parcels);
        expect(order?.required).toBe(notices.some((n) => n.required));
        expect(order?.categories).toEqual([...new Set(notices.flatMap((n) => n.categories))].sort());
      }),
    );
    expect(orderSignatureNotice([])).toBeUndefined();
  });
});
