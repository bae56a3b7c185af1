import { describe, expect, it } from 'vitest';
import { ShippingMethodUnavailableError, UnsupportedDestinationError } from '../../../lib/pricing/errors.ts';
import { quoteShipping, SHIPPING_TERMS, shippingMethodsFor } from '../../../lib/pricing/shipping.ts';

const amounts = (options: ReturnType<typeof shippingMethodsFor>) =>
  Object.fromEntries(options.map((o) => [o.method, o.amount]));

describe('shippingMethodsFor', () => {
  it('makes standard free from €300 and express free from €1,500 in France', () => {
    const paris = { country: 'FR' };
    expect(amounts(shippingMethodsFor('FR', paris, 29_999))).toEqual({
      standard: 1_500,
      express: 3_000,
      white_glove: 15_000,
      pickup: 0,
    });
    expect(amounts(shippingMethodsFor('FR', paris, 30_000))).toMatchObject({ standard: 0, express: 3_000 });
    expect(amounts(shippingMethodsFor('FR', paris, 149_999))).toMatchObject({ express: 3_000 });
    expect(amounts(shippingMethodsFor('FR', paris, 150_000))).toMatchObject({ standard: 0, express: 0 });
    expect(amounts(shippingMethodsFor('FR', paris, 2_000_000))).toMatchObject({ white_glove: 0 });
  });

  it('uses yen thresholds without decimals in Japan', () => {
    expect(amounts(shippingMethodsFor('JP', { country: 'JP' }, 49_999))).toMatchObject({ standard: 1_500 });
    expect(amounts(shippingMethodsFor('JP', { country: 'JP' }, 50_000))).toMatchObject({ standard: 0 });
  });

  it('lists the terms with currency, list price, threshold and business days', () => {
    const [standard] = shippingMethodsFor('US', { country: 'US', region: 'NY' }, 10_000);
    expect(standard).toEqual({
      method: 'standard',
      amount: 1_500,
      listPrice: 1_500,
      freeFrom: 30_000,
      currency: 'USD',
      estimatedBusinessDays: { min: 3, max: 5 },
    });
  });

  it('offers white glove only where the house runs couriers', () => {
    const methods = (o: ReturnType<typeof shippingMethodsFor>) => o.map((x) => x.method);
    expect(methods(shippingMethodsFor('US', { country: 'US', region: 'NY' }, 0))).toContain('white_glove');
    expect(methods(shippingMethodsFor('US', { country: 'US', region: 'TX' }, 0))).not.toContain(
      'white_glove',
    );
    expect(methods(shippingMethodsFor('FR', { country: 'DE' }, 0))).toEqual([
      'standard',
      'express',
      'pickup',
    ]);
    expect(methods(shippingMethodsFor('KR', { country: 'KR' }, 0))).toEqual([
      'standard',
      'express',
      'pickup',
    ]);
  });

  it('offers neither white glove nor pickup across a customs border, at international prices', () => {
    const options = shippingMethodsFor('FR', { country: 'CH' }, 0);
    expect(amounts(options)).toEqual({ standard: 4_000, express: 6_000 });
  });

  it('throws UnsupportedDestinationError for destinations the market does not serve', () => {
    expect(() => shippingMethodsFor('JP', { country: 'KR' }, 0)).toThrow(UnsupportedDestinationError);
  });

  it('rejects a fractional subtotal', () => {
    expect(() => shippingMethodsFor('FR', { country: 'FR' }, 100.5)).toThrow();
  });

  it('never prices in fractions and never lets a threshold sit below its price', () => {
    for (const zones of Object.values(SHIPPING_TERMS)) {
      for (const methods of Object.values(zones)) {
        for (const terms of Object.values(methods)) {
          expect(Number.isSafeInteger(terms.price)).toBe(true);
          if (terms.freeFrom !== null) expect(terms.freeFrom).toBeGreaterThan(terms.price);
          expect(terms.days[0]).toBeLessThanOrEqual(terms.days[1]);
        }
        if (methods.standard?.freeFrom && methods.express?.freeFrom) {
          expect(methods.express.freeFrom).toBeGreaterThan(methods.standard.freeFrom);
        }
      }
    }
  });
});

describe('quoteShipping', () => {
  it('returns the option that applies', () => {
    expect(quoteShipping('GB', { country: 'GB' }, 'express', 200_000).amount).toBe(0);
  });

  it('throws SHIPPING_METHOD_UNAVAILABLE (422) for an unknown method, listing what is available', () => {
    const attempt = () => quoteShipping('SG', { country: 'SG' }, 'drone', 0);
    expect(attempt).toThrow(ShippingMethodUnavailableError);
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'SHIPPING_METHOD_UNAVAILABLE',
        status: 422,
        details: expect.objectContaining({ available: ['standard', 'express', 'pickup'] }),
      }),
    );
  });
});
