import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/inventory/stock-admin.ts';
import type { RouteDefinition } from '../../lib/contracts/http.ts';
import {
  dispatchTransferRoute,
  receiveTransferRoute,
  setChannelFenceRoute,
  setStockRoute,
  stockLedgerRoute,
} from '../../lib/contracts/routes/inventory.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { poolCounters, replayLedger, type StockPool } from '../../lib/inventory/stock.ts';
import { transferIdFor } from '../../lib/inventory/stock-admin.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { apiEvent, customerClaims, type EventOptions, invoke, staffClaims } from '../support/api-event.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';
import { FixedClock } from '../support/fakes.ts';

const SKU = 'AUR-RING-52';
const PARIS = 'paris-saint-honore';
const ROISSY = 'roissy-warehouse';
const NEW_YORK = 'new-york-madison-avenue';
const pool = { sku: SKU, locationId: PARIS };

let stock: InMemoryStockStore;
let clock: FixedClock;
let handler: ReturnType<typeof makeHandler>;
let keys = 0;

beforeEach(() => {
  stock = new InMemoryStockStore();
  clock = new FixedClock();
  handler = makeHandler({
    stock,
    locations: new StaticLocations(demoLocations()),
    clock,
    idempotency: new InMemoryIdempotencyStore(),
  });
});

/** Calls a route as staff with a fresh Idempotency-Key unless the options name one. */
function call(route: RouteDefinition, options: EventOptions = {}) {
  const headers = route.idempotent
    ? { 'Idempotency-Key': `key-${++keys}`, ...options.headers }
    : options.headers;
  return invoke(
    handler,
    apiEvent(route, { claims: staffClaims, ...options, ...(headers ? { headers } : {}) }),
  );
}
const setStock = (body: unknown, options: EventOptions = {}) =>
  call(setStockRoute, { params: pool, body, ...options });
const setFence = (channel: string, body: unknown, options: EventOptions = {}) =>
  call(setChannelFenceRoute, { params: { ...pool, channel }, body, ...options });

async function ledgerOf(sku: string, locationId: string) {
  return (await stock.ledger(sku, locationId, { limit: 1000 })).entries;
}

function expectEnvelope(res: Awaited<ReturnType<typeof invoke>>, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.json.error).toMatchObject({ code, requestId: 'req-test' });
  expect(typeof res.json.error.message).toBe('string');
}

describe('PUT /v1/admin/stock/{sku}/{locationId}', () => {
  it("records a receipt, creating the pool in its location's zone, with the staff member on the ledger", async () => {
    const res = await setStock({ adjustBy: 5, reason: 'delivery 4471', type: 'receipt' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      sku: SKU,
      locationId: PARIS,
      zone: 'eu',
      locationType: 'boutique',
      onHand: 5,
      available: 5,
      fences: {},
    });
    const [entry] = await ledgerOf(SKU, PARIS);
    expect(entry).toMatchObject({
      type: 'receipt',
      actor: { kind: 'staff', id: staffClaims.sub },
      reason: 'delivery 4471',
      delta: { onHand: 5, available: 5 },
      at: clock.now().toISOString(),
    });
  });

  it('sets the count after a stock take, keeping fenced and reserved units', async () => {
    await setStock({ onHand: 10 });
    clock.advance(1000);
    await setFence('clienteling', { units: 3, overflow: false });
    clock.advance(1000);
    const res = await setStock({ onHand: 7, reason: 'annual count' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ onHand: 7, available: 4, fences: { clienteling: { units: 3 } } });
    const entries = await ledgerOf(SKU, PARIS);
    expect(entries.at(-1)).toMatchObject({ type: 'adjustment', reason: 'annual count' });
    expect(entries[0]?.reason).toBe('stock take');
    expect(replayLedger(entries)).toEqual(poolCounters(res.json as StockPool));
  });

  it('answers 409 STOCK_COMMITTED when the count would go below the committed units', async () => {
    await setStock({ onHand: 4 });
    await stock.reserve({
      reservationId: 'checkout-1',
      lines: [{ sku: SKU, locationId: PARIS, quantity: 3 }],
      holdUntil: new Date(clock.now().getTime() + 600_000),
      owner: { zone: 'eu', checkoutId: 'chk-1' },
      now: clock.now(),
    });
    expectEnvelope(await setStock({ onHand: 2 }), 409, 'STOCK_COMMITTED');
    expectEnvelope(await setStock({ adjustBy: -2, reason: 'damaged' }), 409, 'STOCK_COMMITTED');
    expect((await stock.pools([SKU]))[0]).toMatchObject({ onHand: 4, reserved: 3, available: 1 });
  });

  it('answers 404 for a location the directory does not know, and writes nothing', async () => {
    const res = await setStock({ onHand: 5 }, { params: { sku: SKU, locationId: 'atlantis-boutique' } });
    expectEnvelope(res, 404, 'NOT_FOUND');
    expect(await stock.pools([SKU])).toEqual([]);
  });

  it('replays the stored answer to a retry with the same Idempotency-Key instead of adjusting twice', async () => {
    const headers = { 'Idempotency-Key': 'restock-7' };
    const first = await setStock({ adjustBy: 2, reason: 'return to stock', type: 'return' }, { headers });
    const retry = await setStock({ adjustBy: 2, reason: 'return to stock', type: 'return' }, { headers });
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect((await stock.pools([SKU]))[0]?.onHand).toBe(2);

    const reused = await setStock({ adjustBy: 3, reason: 'return to stock', type: 'return' }, { headers });
    expect(reused.status).toBe(422);
  });

  it('answers 400 without an Idempotency-Key', async () => {
    const res = await invoke(
      handler,
      apiEvent(setStockRoute, { params: pool, body: { onHand: 1 }, claims: staffClaims }),
    );
    expect(res.status).toBe(400);
  });

  it.each([
    ['both forms at once', { onHand: 3, adjustBy: 1, reason: 'x' }],
    ['neither form', { reason: 'x' }],
    ['a change without a reason', { adjustBy: 2 }],
    ['a change of zero', { adjustBy: 0, reason: 'nothing' }],
    ['a negative receipt', { adjustBy: -1, reason: 'delivery', type: 'receipt' }],
    ['an unknown movement type', { adjustBy: 1, reason: 'x', type: 'shipment' }],
    ['a negative count', { onHand: -1 }],
    ['a fractional count', { onHand: 1.5 }],
    ['an unknown key', { onHand: 1, zone: 'us' }],
    ['a blank reason', { adjustBy: 1, reason: '   ' }],
    ['an array', [{ onHand: 1 }]],
  ])('answers 400 for %s', async (_label, body) => {
    expectEnvelope(await setStock(body), 400, 'VALIDATION_FAILED');
    expect(await stock.pools([SKU])).toEqual([]);
  });

  it('answers 400 for a malformed SKU or location in the path', async () => {
    expect((await setStock({ onHand: 1 }, { params: { sku: 'lower-case', locationId: PARIS } })).status).toBe(
      400,
    );
    expect((await setStock({ onHand: 1 }, { params: { sku: SKU, locationId: 'Paris!' } })).status).toBe(400);
  });

  it('answers 403 to customers and 401 without a token', async () => {
    expectEnvelope(await setStock({ onHand: 1 }, { claims: customerClaims }), 403, 'FORBIDDEN');
    const anonymous = await invoke(
      handler,
      apiEvent(setStockRoute, { params: pool, body: { onHand: 1 }, headers: { 'Idempotency-Key': 'k' } }),
    );
    expect(anonymous.status).toBe(401);
    expect(await stock.pools([SKU])).toEqual([]);
  });
});

describe('PUT /v1/admin/stock/{sku}/{locationId}/fences/{channel}', () => {
  beforeEach(async () => {
    await setStock({ onHand: 10 });
    clock.advance(1000);
  });

  it('moves units from the shared remainder into the channel fence, and back', async () => {
    const grown = await setFence('instagram', { units: 4, overflow: true });
    expect(grown.status).toBe(200);
    expect(grown.json).toMatchObject({ available: 6, fences: { instagram: { units: 4, overflow: true } } });
    clock.advance(1000);
    const shrunk = await setFence('instagram', { units: 1, overflow: false, reason: 'campaign over' });
    expect(shrunk.json).toMatchObject({ available: 9, fences: { instagram: { units: 1, overflow: false } } });
    const entries = await ledgerOf(SKU, PARIS);
    expect(entries.slice(-2).map((e) => [e.type, e.reason, e.delta.fences])).toEqual([
      ['fence', 'channel allocation', { instagram: 4 }],
      ['fence', 'campaign over', { instagram: -3 }],
    ]);
    expect(replayLedger(entries)).toEqual(poolCounters(shrunk.json as StockPool));
  });

  it('answers 409 STOCK_COMMITTED when the shared remainder lacks the units', async () => {
    expectEnvelope(await setFence('web', { units: 11, overflow: false }), 409, 'STOCK_COMMITTED');
  });

  it('refuses drop fences and unknown channels: they are not channels', async () => {
    for (const channel of ['drop_drp_01', 'email', 'WEB']) {
      expectEnvelope(await setFence(channel, { units: 1, overflow: false }), 400, 'VALIDATION_FAILED');
    }
  });

  it('answers 404 for a location without stock of the SKU, and for an unknown location', async () => {
    const elsewhere = { sku: SKU, locationId: ROISSY, channel: 'web' };
    expectEnvelope(
      await call(setChannelFenceRoute, { params: elsewhere, body: { units: 1, overflow: true } }),
      404,
      'NOT_FOUND',
    );
    const nowhere = { sku: SKU, locationId: 'atlantis-boutique', channel: 'web' };
    expectEnvelope(
      await call(setChannelFenceRoute, { params: nowhere, body: { units: 1, overflow: true } }),
      404,
      'NOT_FOUND',
    );
  });

  it.each([
    ['a missing overflow', { units: 1 }],
    ['negative units', { units: -1, overflow: true }],
    ['an unknown key', { units: 1, overflow: true, key: 'drop_x' }],
  ])('answers 400 for %s', async (_label, body) => {
    expectEnvelope(await setFence('web', body), 400, 'VALIDATION_FAILED');
  });

  it('answers 403 to customers', async () => {
    expect((await setFence('web', { units: 1, overflow: true }, { claims: customerClaims })).status).toBe(
      403,
    );
  });
});

describe('POST /v1/admin/stock/transfers and /receive', () => {
  const transfer = {
    sku: SKU,
    fromLocationId: ROISSY,
    toLocationId: PARIS,
    quantity: 3,
    reason: 'window display',
  };

  beforeEach(async () => {
    await call(setStockRoute, {
      params: { sku: SKU, locationId: ROISSY },
      body: { adjustBy: 5, reason: 'delivery', type: 'receipt' },
    });
  });

  it('dispatches under the id the Idempotency-Key derives, then receives at the destination', async () => {
    const headers = { 'Idempotency-Key': 'transfer-1' };
    const sent = await call(dispatchTransferRoute, { body: transfer, headers });
    expect(sent.status).toBe(201);
    const transferId = transferIdFor({ scope: staffClaims.sub, key: 'transfer-1' });
    expect(sent.json).toMatchObject({
      transferId,
      status: 'in_transit',
      quantity: 3,
      actor: { kind: 'staff', id: staffClaims.sub },
    });
    expect((await stock.pools([SKU])).find((p) => p.locationId === ROISSY)).toMatchObject({
      onHand: 2,
      available: 2,
    });

    const received = await call(receiveTransferRoute, { params: { transferId } });
    expect(received.status).toBe(200);
    expect(received.json).toMatchObject({ transferId, status: 'received' });
    expect((await stock.pools([SKU])).find((p) => p.locationId === PARIS)).toMatchObject({
      zone: 'eu',
      onHand: 3,
      available: 3,
    });
    const [inbound] = await ledgerOf(SKU, PARIS);
    expect(inbound).toMatchObject({ type: 'transfer_in', reference: transferId, reason: 'window display' });

    // Receiving again answers the received transfer and moves nothing.
    const again = await call(receiveTransferRoute, { params: { transferId } });
    expect(again.json.status).toBe('received');
    expect((await stock.pools([SKU])).find((p) => p.locationId === PARIS)?.onHand).toBe(3);
  });

  it('dispatches once when the same key is retried, and derives another id for another key', async () => {
    const headers = { 'Idempotency-Key': 'transfer-2' };
    const first = await call(dispatchTransferRoute, { body: transfer, headers });
    const retry = await call(dispatchTransferRoute, { body: transfer, headers });
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect((await stock.pools([SKU])).find((p) => p.locationId === ROISSY)?.onHand).toBe(2);

    const other = await call(dispatchTransferRoute, { body: { ...transfer, quantity: 1 } });
    expect(other.json.transferId).not.toBe(first.json.transferId);
  });

  it('opens the destination pool in its own zone when the transfer crosses zones', async () => {
    const sent = await call(dispatchTransferRoute, { body: { ...transfer, toLocationId: NEW_YORK } });
    await call(receiveTransferRoute, { params: { transferId: sent.json.transferId } });
    const arrived = (await stock.pools([SKU])).find((p) => p.locationId === NEW_YORK);
    expect(arrived).toMatchObject({ zone: 'us', onHand: 3, available: 3 });
    const entries = await ledgerOf(SKU, NEW_YORK);
    expect(replayLedger(entries)).toEqual(poolCounters(arrived as StockPool));
  });

  it('answers 409 OUT_OF_STOCK when the source lacks the units', async () => {
    expectEnvelope(
      await call(dispatchTransferRoute, { body: { ...transfer, quantity: 6 } }),
      409,
      'OUT_OF_STOCK',
    );
  });

  it('answers 404 for an unknown source, destination or transfer', async () => {
    for (const body of [
      { ...transfer, fromLocationId: 'atlantis-boutique' },
      { ...transfer, toLocationId: 'atlantis-boutique' },
    ]) {
      expectEnvelope(await call(dispatchTransferRoute, { body }), 404, 'NOT_FOUND');
    }
    expectEnvelope(
      await call(receiveTransferRoute, { params: { transferId: 'trf_unknown' } }),
      404,
      'NOT_FOUND',
    );
  });

  it.each([
    ['the same source and destination', { ...transfer, toLocationId: ROISSY }],
    ['a zero quantity', { ...transfer, quantity: 0 }],
    ['a missing reason', { sku: SKU, fromLocationId: ROISSY, toLocationId: PARIS, quantity: 1 }],
    ['an unknown key', { ...transfer, transferId: 'mine' }],
  ])('answers 400 for %s', async (_label, body) => {
    expectEnvelope(await call(dispatchTransferRoute, { body }), 400, 'VALIDATION_FAILED');
  });

  it('answers 400 for a transfer id that cannot be one, and a body on receive', async () => {
    expect((await call(receiveTransferRoute, { params: { transferId: 'trf#1' } })).status).toBe(400);
    expect((await call(receiveTransferRoute, { params: { transferId: 'trf_1' }, body: {} })).status).toBe(
      400,
    );
  });

  it('answers 403 to customers', async () => {
    expect((await call(dispatchTransferRoute, { body: transfer, claims: customerClaims })).status).toBe(403);
    expect(
      (await call(receiveTransferRoute, { params: { transferId: 'trf_1' }, claims: customerClaims })).status,
    ).toBe(403);
  });
});

describe('GET /v1/admin/stock/{sku}/{locationId}/ledger', () => {
  beforeEach(async () => {
    for (let i = 1; i <= 5; i++) {
      clock.advance(1000);
      await setStock({ adjustBy: i, reason: `delivery ${i}`, type: 'receipt' });
    }
  });

  it('pages through the entries oldest first with an opaque cursor', async () => {
    const first = await call(stockLedgerRoute, { params: pool, query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.json.items.map((e: { reason: string }) => e.reason)).toEqual(['delivery 1', 'delivery 2']);
    expect(typeof first.json.nextCursor).toBe('string');

    const reasons: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof invoke>> = await call(stockLedgerRoute, {
        params: pool,
        query: { limit: '2', ...(cursor ? { after: cursor } : {}) },
      });
      reasons.push(...page.json.items.map((e: { reason: string }) => e.reason));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(reasons).toEqual([1, 2, 3, 4, 5].map((i) => `delivery ${i}`));
  });

  it('answers an empty page for a pool without movements, and 404 for an unknown location', async () => {
    const empty = await call(stockLedgerRoute, { params: { sku: 'AUR-NONE-1', locationId: PARIS } });
    expect(empty.json).toEqual({ items: [], nextCursor: null });
    expectEnvelope(
      await call(stockLedgerRoute, { params: { sku: SKU, locationId: 'atlantis-boutique' } }),
      404,
      'NOT_FOUND',
    );
  });

  it('answers 400 for a limit above the page maximum, an unknown parameter or a forged cursor', async () => {
    expect((await call(stockLedgerRoute, { params: pool, query: { limit: '101' } })).status).toBe(400);
    expect((await call(stockLedgerRoute, { params: pool, query: { cursor: 'x' } })).status).toBe(400);
    expect((await call(stockLedgerRoute, { params: pool, query: { after: '!!' } })).status).toBe(400);
  });

  it('answers 403 to customers', async () => {
    expect((await call(stockLedgerRoute, { params: pool, claims: customerClaims })).status).toBe(403);
  });
});
