import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Http } from './local-platform.ts';

/** A signed-in shopper of the local runtime, with the few calls every checkout test makes. */
export interface Shopper {
  readonly sub: string;
  readonly token: string;
  /** A claimed cart holding `lines`, in `market`. */
  cart(market: string, lines: readonly { sku: string; quantity: number }[]): Promise<string>;
  /** POST /v1/checkouts with a fresh (or the given) Idempotency-Key. */
  checkout(body: Record<string, unknown>, key?: string): ReturnType<Http>;
}

export const PARIS_ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

export async function shopper(api: Http, sub: string, country = 'FR'): Promise<Shopper> {
  const issued = await api('POST', '/v1/dev/token', { body: { sub, country, email: `${sub}@example.com` } });
  expect(issued.status).toBe(200);
  const token: string = issued.json.token;
  const key = () => ({ 'idempotency-key': randomUUID() });
  return {
    sub,
    token,
    async cart(market, lines) {
      const created = await api('POST', '/v1/carts', { body: { market }, headers: key() });
      expect(created.status, created.text).toBe(201);
      const cartId: string = created.json.cart.cartId;
      const cartToken: string = created.json.cartToken;
      for (const line of lines) {
        const added = await api('POST', `/v1/carts/${cartId}/lines`, {
          body: line,
          headers: { ...key(), 'x-cart-token': cartToken },
        });
        expect(added.status, added.text).toBeLessThan(300);
      }
      const claimed = await api('POST', `/v1/carts/${cartId}/claim`, {
        token,
        headers: { ...key(), 'x-cart-token': cartToken },
      });
      expect(claimed.status, claimed.text).toBe(200);
      return cartId;
    },
    checkout(body, idempotencyKey = randomUUID()) {
      return api('POST', '/v1/checkouts', { body, token, headers: { 'idempotency-key': idempotencyKey } });
    },
  };
}
