import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { addLine, claimCart, newCart } from '../../lib/commerce/cart.ts';
import { hashCartToken } from '../../lib/commerce/cart-use-cases.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import type { StockPool } from '../../lib/inventory/stock.ts';
import type { LocalPlatform } from '../../lib/runtime/local/platform.ts';
import { percentile } from '../bench/stats.ts';
import { useOwnDynamoLocal } from '../support/dynamo.ts';
import { type Http, type HttpAnswer, http, startTestPlatform } from '../support/local-platform.ts';
import { inParallel } from '../support/parallel.ts';
import { PARIS_ADDRESS } from '../support/shopper.ts';

// A load test: a DynamoDB Local of its own, so earlier files' work neither slows it nor skews its figures.
useOwnDynamoLocal();

/** RELIABILITY.md R1: N checkouts at concurrency C for M units of one SKU. */
const SHOPPERS = 1000;
const CONCURRENCY = 100;
const UNITS = 25;
/** R10: identical requests racing on one Idempotency-Key. */
const DUPLICATES = 50;
const ZONE = 'eu';

interface Customer {
  readonly sub: string;
  readonly token: string;
  readonly cartId: string;
}

interface Listed {
  readonly productId: string;
  readonly price: { readonly amount: number };
}

describe('checkout under concurrency on the local runtime, over HTTP', () => {
  let platform: LocalPlatform;
  let api: Http;
  /** The two least expensive pieces, below every review and manual-capture threshold. */
  let pieces: { sku: string; productId: string }[];

  /** Every pool of the SKU in the zone: `units` in one warehouse, none anywhere else. */
  async function stockOnly(sku: string, units: number): Promise<StockPool[]> {
    const others = (await platform.deps.stock.pools([sku])).filter(
      (p) => p.zone === ZONE && p.locationId !== 'roissy-warehouse',
    );
    await Promise.all(others.map((p) => platform.deps.stock.setOnHand(sku, p.locationId, ZONE, 0)));
    await platform.deps.stock.setOnHand(sku, 'roissy-warehouse', ZONE, units, { locationType: 'warehouse' });
    return zonePools(sku);
  }

  async function zonePools(sku: string): Promise<StockPool[]> {
    return (await platform.deps.stock.pools([sku])).filter((p) => p.zone === ZONE);
  }

  /** A signed-in customer with a claimed FR cart holding one piece, written straight to the repository. */
  async function customer(sub: string, piece: { sku: string; productId: string }): Promise<Customer> {
    const now = new Date();
    const { token } = await platform.deps.issuer.issue({ sub, country: 'FR', email: `${sub}@example.com` });
    const empty = newCart({
      cartId: newZoneId('crt', ZONE),
      market: 'FR',
      tokenHash: hashCartToken(randomBytes(32).toString('base64url')),
      now,
    });
    const cart = claimCart(addLine(empty, { ...piece, quantity: 1 }, now), sub, now);
    await platform.deps.carts.create(cart);
    return { sub, token, cartId: cart.cartId };
  }

  const checkoutBody = (c: Customer, shippingMethod = 'standard') => ({
    cartId: c.cartId,
    email: `${c.sub}@example.com`,
    shippingAddress: PARIS_ADDRESS,
    shippingMethod,
  });

  const checkout = (c: Customer, key: string | undefined, body: object = checkoutBody(c)) =>
    api('POST', '/v1/checkouts', {
      body,
      token: c.token,
      ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }),
    });

  beforeAll(async () => {
    platform = await startTestPlatform({ demoProducts: 24 });
    api = http(platform.url);
    const listed = await api('GET', '/v1/products?market=FR&limit=50');
    const cheapest = [...(listed.json.items as Listed[])]
      .sort((a, b) => a.price.amount - b.price.amount)
      .slice(0, 2);
    pieces = await Promise.all(
      cheapest.map(async ({ productId }) => {
        const product = await api('GET', `/v1/products/${productId}?market=FR`);
        return { sku: product.json.variants[0].sku as string, productId };
      }),
    );
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it(`R1: ${SHOPPERS} checkouts at concurrency ${CONCURRENCY} for ${UNITS} units sell exactly ${UNITS}, never more`, async () => {
    const { sku } = pieces[0]!;
    const before = await stockOnly(sku, UNITS);
    expect(before.reduce((sum, p) => sum + p.available, 0)).toBe(UNITS);
    const stock = platform.deps.stock as DynamoStockStore;
    const statsBefore = { ...stock.stats };

    let started = performance.now();
    const customers = await inParallel(
      Array.from({ length: SHOPPERS }, (_, i) => `r1-shopper-${i}`),
      CONCURRENCY,
      (sub) => customer(sub, pieces[0]!),
    );
    const prepareMs = performance.now() - started;

    started = performance.now();
    const answers = await inParallel(customers, CONCURRENCY, async (c) => {
      const sent = performance.now();
      const answer = await checkout(c, randomUUID());
      return { customer: c, answer, ms: performance.now() - sent };
    });
    const checkoutMs = performance.now() - started;

    const statuses: Record<number, number> = {};
    for (const { answer } of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const latencies = answers.map((a) => a.ms);
    const stats = {
      attempts: stock.stats.attempts - statsBefore.attempts,
      conflictRetries: stock.stats.conflictRetries - statsBefore.conflictRetries,
      conditionFailures: stock.stats.conditionFailures - statsBefore.conditionFailures,
    };
    console.log(
      `R1: ${SHOPPERS} checkouts at concurrency ${CONCURRENCY} for ${UNITS} units: statuses ${JSON.stringify(statuses)}, ` +
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, ` +
        `total ${(checkoutMs / 1000).toFixed(1)} s (${((SHOPPERS * 1000) / checkoutMs).toFixed(0)} checkouts/s); ` +
        `reserve transactions ${JSON.stringify(stats)}; carts and tokens prepared in ${(prepareMs / 1000).toFixed(1)} s`,
    );

    expect(answers.filter((a) => a.answer.status >= 500).map((a) => a.answer.text)).toEqual([]);
    const won = answers.filter((a) => a.answer.status === 201);
    const lost = answers.filter((a) => a.answer.status !== 201);
    expect(won).toHaveLength(UNITS);
    for (const { answer } of won) expect(answer.json.status).toBe('awaiting_payment');
    const unexpected = lost.filter(
      ({ answer }) =>
        answer.status !== 409 ||
        answer.json?.error?.code !== 'OUT_OF_STOCK' ||
        !answer.json.error.details?.skus?.includes(sku),
    );
    expect(unexpected.map((a) => `${a.answer.status} ${a.answer.text}`)).toEqual([]);

    started = performance.now();
    const confirmed = await inParallel(won, CONCURRENCY, ({ answer }) =>
      api('POST', `/v1/dev/payments/${answer.json.payment.paymentIntentId}/confirm`, {
        body: { paymentMethod: 'pm_card_visa' },
      }),
    );
    for (const c of confirmed) {
      expect(c.status, c.text).toBe(200);
      // Shoppers past the IP's velocity limit are screened to review, which authorizes for manual capture.
      expect(c.json.status).toMatch(/^(succeeded|processing|requires_capture)$/);
    }
    await platform.idle();
    const settleMs = performance.now() - started;

    const orders = await inParallel(won, 25, ({ customer: c, answer }) =>
      api('GET', `/v1/orders/${answer.json.orderId}`, { token: c.token }),
    );
    expect(orders.filter((o) => o.status === 200)).toHaveLength(UNITS);
    const orderIds = new Set(orders.map((o) => o.json.orderId));
    expect(orderIds.size).toBe(UNITS);
    // Nor has any loser (a sample: listing reads every zone).
    const strays = await inParallel(lost.slice(0, 50), 25, ({ customer: c }) =>
      platform.deps.commerce.listOrders(c.sub, 5),
    );
    expect(strays.flatMap((page) => page.orders)).toEqual([]);

    const after = await zonePools(sku);
    for (const pool of after) {
      expect(pool.available).toBeGreaterThanOrEqual(0);
      expect(pool.reserved).toBeGreaterThanOrEqual(0);
      expect(pool.onHand).toBe(pool.available + pool.reserved + pool.allocated);
    }
    const total = (field: 'onHand' | 'available' | 'reserved' | 'allocated') =>
      after.reduce((sum, p) => sum + p[field], 0);
    expect({
      onHand: total('onHand'),
      available: total('available'),
      reserved: total('reserved'),
      allocated: total('allocated'),
    }).toEqual({ onHand: UNITS, available: 0, reserved: 0, allocated: UNITS });
    console.log(
      `R1: ${UNITS} orders, 0 oversold; ${UNITS} confirmations and their webhooks settled in ${(settleMs / 1000).toFixed(1)} s`,
    );
  }, 240_000);

  it(`R10: ${DUPLICATES} identical checkouts on one Idempotency-Key execute once`, async () => {
    const piece = pieces[1]!;
    await stockOnly(piece.sku, 5);
    const shopper = await customer(`r10-shopper-${randomBytes(3).toString('hex')}`, piece);
    const key = randomUUID();
    const intents = vi.spyOn(platform.deps.localPayments.simulator, 'createPaymentIntent');

    const answers: HttpAnswer[] = await Promise.all(
      Array.from({ length: DUPLICATES }, () => checkout(shopper, key)),
    );
    const created = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => a.text)).toEqual([]);
    for (const a of busy) {
      expect(a.json.error.code).toBe('IDEMPOTENCY_IN_PROGRESS');
      expect(a.headers.get('retry-after')).toBe('1');
    }
    expect(created.length).toBeGreaterThanOrEqual(1);
    const checkoutIds = new Set(created.map((a) => a.json.checkoutId));
    expect(checkoutIds.size).toBe(1);
    const [checkoutId] = [...checkoutIds] as [string];
    console.log(`R10: ${DUPLICATES} identical requests: ${created.length} × 201, ${busy.length} × 409`);

    // The intent's Stripe key derives from the checkout, so a second execution would get the same intent
    // back: count the requests for one, not only the intents.
    const asked = intents.mock.calls.flatMap(([params], i) =>
      (params as { metadata?: Record<string, string> }).metadata?.checkoutId === checkoutId
        ? [(intents.mock.results[i]?.value as { id: string } | undefined)?.id]
        : [],
    );
    intents.mockRestore();
    expect(asked).toEqual([expect.stringMatching(/^pi_/)]);
    const stored = await platform.deps.commerce.getCheckout(checkoutId);
    expect(stored?.payment?.paymentIntentId).toBe(asked[0]);
    const reservation = await platform.deps.stock.get(checkoutId);
    expect(reservation).toMatchObject({ status: 'held', lines: [{ sku: piece.sku, quantity: 1 }] });
    const pools = await zonePools(piece.sku);
    expect(pools.reduce((sum, p) => sum + p.reserved, 0)).toBe(1);
    expect(pools.reduce((sum, p) => sum + p.available, 0)).toBe(4);

    const retry = await checkout(shopper, key);
    expect(retry.status, retry.text).toBe(201);
    expect(retry.json.checkoutId).toBe(checkoutId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    const reused = await checkout(shopper, key, checkoutBody(shopper, 'express'));
    expect(reused.status, reused.text).toBe(422);
    expect(reused.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const keyless = await checkout(shopper, undefined);
    expect(keyless.status, keyless.text).toBe(400);
    expect(keyless.json.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect((await zonePools(piece.sku)).reduce((sum, p) => sum + p.reserved, 0)).toBe(1);
  });
});
