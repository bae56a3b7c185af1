import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler as makeAdmitter } from '../../functions/drops/drop-admitter.ts';
import { makeHandler } from '../../functions/drops/drops.ts';
import type { RouteDefinition } from '../../lib/contracts/http.ts';
import {
  createDropRoute,
  enterDropRoute,
  getDropRoute,
  getMyDropEntryRoute,
} from '../../lib/contracts/routes/drops.ts';
import { demoLocations } from '../../lib/demo/locations.ts';
import { DropEntryQueued } from '../../lib/drops/events.ts';
import { InMemoryDropStore } from '../../lib/drops/in-memory-drop-store.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { dropFenceKey } from '../../lib/inventory/stock.ts';
import { InMemoryIdempotencyStore } from '../../lib/platform/in-memory-idempotency-store.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { apiEvent, customerClaims, type EventOptions, invoke, staffClaims } from '../support/api-event.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';
import { FixedClock } from '../support/fakes.ts';

const SKU = 'AUR-DROP-01';
const WAREHOUSE = 'roissy-warehouse';
const goldCustomer = {
  sub: 'cust-gold',
  scope: 'vitrine/customer',
  'custom:tier': 'gold',
  'custom:country': 'FR',
};
const otherCustomer = { sub: 'cust-2', scope: 'vitrine/customer' };

const dropBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Comète',
  items: [{ sku: SKU, locationId: WAREHOUSE, units: 2 }],
  window: { opensAt: '2026-03-01T10:10:00.000Z', closesAt: '2026-03-01T12:00:00.000Z' },
  channels: ['web'],
  earlyAccess: [{ tier: 'gold', opensAt: '2026-03-01T09:50:00.000Z' }],
  perCustomerLimit: 1,
  mode: 'first_come',
  expectedArrivalsPerSecond: 400,
  ...overrides,
});

describe('drop routes', () => {
  let clock: FixedClock;
  let drops: InMemoryDropStore;
  let stock: InMemoryStockStore;
  let handler: ReturnType<typeof makeHandler>;

  beforeEach(async () => {
    clock = new FixedClock(new Date('2026-03-01T10:00:00.000Z'));
    drops = new InMemoryDropStore();
    stock = new InMemoryStockStore();
    await stock.setOnHand(SKU, WAREHOUSE, 'eu', 5, { locationType: 'warehouse' });
    handler = makeHandler({
      drops,
      stock,
      locations: new StaticLocations(demoLocations()),
      clock,
      idempotency: new InMemoryIdempotencyStore(),
      zoneOfCountry: (country) => (country === 'US' ? 'us' : 'eu'),
      random: () => 0,
    });
  });

  /** Calls a route; POSTs get a fresh Idempotency-Key unless the caller sends one. */
  const call = (route: RouteDefinition, options: EventOptions = {}) =>
    invoke(
      handler,
      apiEvent(route, {
        ...options,
        headers: {
          ...(route.method === 'POST' ? { 'Idempotency-Key': randomUUID() } : {}),
          ...options.headers,
        },
      }),
    );

  const createDrop = async (overrides: Record<string, unknown> = {}) => {
    const res = await call(createDropRoute, { body: dropBody(overrides), claims: staffClaims });
    expect(res.status, res.body).toBe(201);
    return res.json.dropId as string;
  };

  const enter = (
    dropId: string,
    claims: Record<string, string>,
    body: unknown = { sku: SKU, channel: 'web' },
    key?: string,
  ) =>
    call(enterDropRoute, {
      params: { dropId },
      body,
      claims,
      ...(key ? { headers: { 'Idempotency-Key': key } } : {}),
    });

  describe('POST /v1/admin/drops', () => {
    it('creates a drop for staff: 201 with the fence and no seed, once per Idempotency-Key', async () => {
      const res = await call(createDropRoute, {
        body: dropBody({ mode: 'draw' }),
        claims: staffClaims,
        headers: { 'Idempotency-Key': 'create-1' },
      });
      expect(res.status, res.body).toBe(201);
      expect(res.json).toMatchObject({ mode: 'draw', admission: 'direct', soldOut: false, version: 1 });
      expect(res.json.fenceKey).toBe(dropFenceKey(res.json.dropId));
      expect(res.json.seedHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.json).not.toHaveProperty('seed');
      const replay = await call(createDropRoute, {
        body: dropBody({ mode: 'draw' }),
        claims: staffClaims,
        headers: { 'Idempotency-Key': 'create-1' },
      });
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json.dropId).toBe(res.json.dropId);
      expect((await stock.pools([SKU]))[0]).toMatchObject({ available: 3 });
    });

    it('answers 409 DROP_STOCK_UNAVAILABLE when the pool lacks the units, fencing nothing', async () => {
      const res = await call(createDropRoute, {
        body: dropBody({ items: [{ sku: SKU, locationId: WAREHOUSE, units: 6 }] }),
        claims: staffClaims,
      });
      expect(res.status).toBe(409);
      expect(res.json.error).toMatchObject({
        code: 'DROP_STOCK_UNAVAILABLE',
        details: { sku: SKU, locationId: WAREHOUSE },
      });
      expect((await stock.pools([SKU]))[0]).toMatchObject({ available: 5 });
    });

    it('refuses customers, anonymous callers, keyless requests and unknown keys at any depth', async () => {
      expect((await call(createDropRoute, { body: dropBody(), claims: customerClaims })).status).toBe(403);
      expect((await call(createDropRoute, { body: dropBody() })).status).toBe(401);
      const keyless = await invoke(
        handler,
        apiEvent(createDropRoute, { body: dropBody(), claims: staffClaims }),
      );
      expect(keyless.json.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      for (const body of [
        { ...dropBody(), secret: true },
        dropBody({ items: [{ sku: SKU, locationId: WAREHOUSE, units: 1, price: 1 }] }),
        dropBody({
          window: { opensAt: '2026-03-01T10:10:00.000Z', closesAt: '2026-03-01T12:00:00.000Z', x: 1 },
        }),
        dropBody({ earlyAccess: [{ tier: 'gold', opensAt: '2026-03-01T09:50:00.000Z', vip: true }] }),
        dropBody({ window: { opensAt: '2026-03-01T12:10:00.000Z', closesAt: '2026-03-01T12:00:00.000Z' } }),
      ]) {
        const res = await call(createDropRoute, { body, claims: staffClaims });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.json.error.code).toBe('VALIDATION_FAILED');
      }
      const unknown = await call(createDropRoute, {
        body: dropBody({ items: [{ sku: SKU, locationId: 'atlantis', units: 1 }] }),
        claims: staffClaims,
      });
      expect(unknown.status).toBe(422);
      expect(unknown.json.error.code).toBe('UNKNOWN_REFERENCE');
    });
  });

  describe('GET /v1/drops/{dropId}', () => {
    it('shows the drop with the caller’s eligibility and stock in bands, 404 for an unknown drop', async () => {
      const dropId = await createDrop();
      const res = await call(getDropRoute, { params: { dropId }, claims: goldCustomer });
      expect(res.status, res.body).toBe(200);
      expect(res.json).toMatchObject({
        dropId,
        state: 'early_access',
        items: [{ sku: SKU, remaining: 'few' }],
        eligibility: { eligible: true, opensAt: '2026-03-01T09:50:00.000Z' },
      });
      const standard = await call(getDropRoute, {
        params: { dropId },
        query: { channel: 'instagram' },
        claims: customerClaims,
      });
      expect(standard.json.eligibility).toEqual({
        eligible: false,
        reason: 'channel',
        opensAt: '2026-03-01T10:10:00.000Z',
      });
      expect(
        (await call(getDropRoute, { params: { dropId: 'drp_missing1' }, claims: customerClaims })).status,
      ).toBe(404);
      expect((await call(getDropRoute, { params: { dropId: 'nope' }, claims: customerClaims })).status).toBe(
        400,
      );
      expect((await call(getDropRoute, { params: { dropId } })).status).toBe(401);
    });
  });

  describe('POST /v1/drops/{dropId}/entries', () => {
    it('answers 201 won, replays a retried key, and 409 DROP_ALREADY_ENTERED to a second entry', async () => {
      const dropId = await createDrop();
      const won = await enter(dropId, goldCustomer, { sku: SKU, channel: 'web' }, 'entry-1');
      expect(won.status, won.body).toBe(201);
      expect(won.json).toMatchObject({
        dropId,
        sku: SKU,
        quantity: 1,
        status: 'won',
        payBy: '2026-03-01T10:30:00.000Z',
      });
      const replay = await enter(dropId, goldCustomer, { sku: SKU, channel: 'web' }, 'entry-1');
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.json).toEqual(won.json);
      const second = await enter(dropId, goldCustomer);
      expect(second.status).toBe(409);
      expect(second.json.error).toMatchObject({
        code: 'DROP_ALREADY_ENTERED',
        details: { entry: { status: 'won', sku: SKU } },
      });
      const reused = await enter(dropId, goldCustomer, { sku: SKU, quantity: 1, channel: 'app' }, 'entry-1');
      expect(reused.status).toBe(422);
    });

    it('answers the eligibility codes: 409 not open, 403 not eligible, 422 limit and unknown SKU, 404 no drop', async () => {
      const dropId = await createDrop({ eligibleTiers: ['gold', 'platinum', 'standard'] });
      const early = await enter(dropId, customerClaims);
      expect(early.status).toBe(409);
      expect(early.json.error).toMatchObject({
        code: 'DROP_NOT_OPEN',
        details: { opensAt: '2026-03-01T10:10:00.000Z' },
      });
      const silver = await enter(dropId, { ...customerClaims, 'custom:tier': 'silver' });
      expect(silver.status).toBe(403);
      expect(silver.json.error).toMatchObject({ code: 'DROP_NOT_ELIGIBLE', details: { reason: 'tier' } });
      const wrongChannel = await enter(dropId, goldCustomer, { sku: SKU, channel: 'tiktok' });
      expect(wrongChannel.json.error.code).toBe('DROP_NOT_ELIGIBLE');
      const tooMany = await enter(dropId, goldCustomer, { sku: SKU, quantity: 2, channel: 'web' });
      expect(tooMany.status).toBe(422);
      expect(tooMany.json.error.code).toBe('DROP_LIMIT_EXCEEDED');
      const unknownSku = await enter(dropId, goldCustomer, { sku: 'NOT-IN-DROP', channel: 'web' });
      expect(unknownSku.status).toBe(422);
      expect(unknownSku.json.error.code).toBe('DROP_SKU_UNKNOWN');
      expect((await enter('drp_missing1', goldCustomer)).status).toBe(404);
      const extraKey = await enter(dropId, goldCustomer, { sku: SKU, channel: 'web', priority: 'high' });
      expect(extraKey.status).toBe(400);
      clock.advance(2 * 3600_000);
      const closed = await enter(dropId, goldCustomer);
      expect(closed.status).toBe(409);
      expect(closed.json.error.code).toBe('DROP_CLOSED');
      expect(await drops.listEntries((await drops.get(dropId))!)).toEqual([]);
    });

    it('answers lost once the units are gone, and 202 with a location for a queued drop', async () => {
      const dropId = await createDrop({ earlyAccess: [] });
      clock.advance(15 * 60_000);
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await enter(dropId, { sub: `shopper-${i}`, scope: 'vitrine/customer' });
        expect(res.status).toBe(201);
        statuses.push(res.json.status);
      }
      expect(statuses).toEqual(['won', 'won', 'lost', 'lost']);

      const queued = await createDrop({
        earlyAccess: [],
        items: [{ sku: SKU, locationId: WAREHOUSE, units: 1 }],
        expectedArrivalsPerSecond: 10_000,
      });
      const res = await enter(queued, customerClaims);
      expect(res.status, res.body).toBe(202);
      expect(res.json.status).toBe('queued');
      expect(res.headers.location).toBe(`/v1/drops/${queued}/entries/me`);
    });
  });

  describe('drop admitter (SQS)', () => {
    it('claims queued entries in arrival order and reports only the messages it could not handle', async () => {
      const dropId = await createDrop({
        earlyAccess: [],
        items: [{ sku: SKU, locationId: WAREHOUSE, units: 1 }],
        expectedArrivalsPerSecond: 10_000,
      });
      clock.advance(15 * 60_000);
      for (const sub of ['early', 'late']) {
        expect((await enter(dropId, { sub, scope: 'vitrine/customer' })).status).toBe(202);
        clock.advance(5);
      }
      const messages = drops.events
        .filter((event) => event.definition === DropEntryQueued)
        .map((event) => ({
          source: event.definition.source,
          'detail-type': event.definition.detailType,
          detail: { data: event.data, metadata: event.metadata },
        }));
      const admitter = makeAdmitter({
        drops,
        stock,
        locations: new StaticLocations([]),
        clock,
        sleep: async () => {},
      });
      const record = (id: string, body: unknown) => ({ messageId: id, body: JSON.stringify(body) });
      const response = await admitter(
        {
          Records: [
            record('m-late', messages[1]),
            record('m-junk', { detail: { data: {} } }),
            record('m-early', messages[0]),
          ],
        } as never,
        lambdaContext('drop-admitter', 30),
      );
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-junk' }] });
      const early = await call(getMyDropEntryRoute, {
        params: { dropId },
        claims: { sub: 'early', scope: 'vitrine/customer' },
      });
      const late = await call(getMyDropEntryRoute, {
        params: { dropId },
        claims: { sub: 'late', scope: 'vitrine/customer' },
      });
      expect([early.json.status, late.json.status]).toEqual(['won', 'lost']);
    });
  });

  describe('GET /v1/drops/{dropId}/entries/me', () => {
    it('answers the caller’s own entry and 404 to anyone else', async () => {
      const dropId = await createDrop();
      await enter(dropId, goldCustomer);
      const mine = await call(getMyDropEntryRoute, { params: { dropId }, claims: goldCustomer });
      expect(mine.status).toBe(200);
      expect(mine.json).toMatchObject({ dropId, status: 'won', sku: SKU });
      const theirs = await call(getMyDropEntryRoute, { params: { dropId }, claims: otherCustomer });
      expect(theirs.status).toBe(404);
      expect(theirs.json.error.code).toBe('NOT_FOUND');
      expect((await call(getMyDropEntryRoute, { params: { dropId } })).status).toBe(401);
    });
  });
});
