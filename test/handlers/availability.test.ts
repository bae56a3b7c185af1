import { beforeEach, describe, expect, it } from 'vitest';
import { makeHandler } from '../../functions/inventory/availability.ts';
import { SERVICES } from '../../functions/services.ts';
import { getAvailabilityRoute, MAX_AVAILABILITY_SKUS } from '../../lib/contracts/routes/inventory.ts';
import { demoLocations, MARKET_ZONES } from '../../lib/demo/locations.ts';
import { Availability } from '../../lib/inventory/availability.ts';
import { InMemoryStockStore } from '../../lib/inventory/in-memory-stock-store.ts';
import { dropFenceKey } from '../../lib/inventory/stock.ts';
import { buildOpenApi } from '../../lib/runtime/openapi.ts';
import { apiEvent, invoke } from '../support/api-event.ts';
import { StaticLocations } from '../support/commerce-fakes.ts';

const RING = 'AUR-ETP-50';
const BAG = 'AUR-SAC-01';
const staff = {
  actor: { kind: 'staff' as const, id: 'staff-1' },
  reason: 'allocation plan',
  now: new Date(),
};

describe('GET /v1/availability', () => {
  let stock: InMemoryStockStore;
  let handler: ReturnType<typeof makeHandler>;

  beforeEach(async () => {
    stock = new InMemoryStockStore();
    const locations = demoLocations();
    const zoneOf = (id: string) => locations.find((l) => l.locationId === id)?.zone ?? 'eu';
    const put = (sku: string, locationId: string, onHand: number) =>
      stock.setOnHand(sku, locationId, zoneOf(locationId), onHand, {
        locationType: locationId.endsWith('warehouse') ? 'warehouse' : 'boutique',
      });
    await put(RING, 'roissy-warehouse', 10);
    await put(RING, 'paris-saint-honore', 2);
    await put(RING, 'courchevel-1850', 1);
    await put(RING, 'tokyo-ginza', 4);
    await put(BAG, 'milan-via-montenapoleone', 1);
    // Five of Roissy's rings are kept for clienteling, three for a drop: neither is the web's to sell.
    await stock.setFence({
      ...staff,
      sku: RING,
      locationId: 'roissy-warehouse',
      key: 'clienteling',
      units: 5,
      overflow: true,
    });
    await stock.setFence({
      ...staff,
      sku: RING,
      locationId: 'roissy-warehouse',
      key: dropFenceKey('drp_1'),
      units: 3,
      overflow: false,
    });
    handler = makeHandler({
      stock,
      locations: new StaticLocations(locations),
      zoneOfMarket: (market) => MARKET_ZONES[market],
    });
  });

  const get = (query: Record<string, string>) => invoke(handler, apiEvent(getAvailabilityRoute, { query }));

  it("answers each SKU's units per location of the market's zone, publicly and briefly cached", async () => {
    const res = await get({ sku: RING, market: 'FR' });
    expect(res.status, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=5');
    expect(Availability.parse(res.json)).toEqual(res.json);
    expect(res.json).toMatchObject({ market: 'FR', zone: 'eu', channel: 'web' });
    const [ring] = res.json.items;
    expect(ring).toMatchObject({ sku: RING, available: 2 + 2 + 1, pickupLocations: ['paris-saint-honore'] });
    expect(ring.locations).toEqual([
      {
        locationId: 'roissy-warehouse',
        name: 'Roissy distribution centre',
        type: 'warehouse',
        city: 'Roissy-en-France',
        available: 2,
        pickup: false,
      },
      expect.objectContaining({
        locationId: 'paris-saint-honore',
        type: 'boutique',
        available: 2,
        pickup: true,
      }),
      // A seasonal boutique: it holds a piece but hands over no online orders.
      expect.objectContaining({ locationId: 'courchevel-1850', available: 1, pickup: false }),
    ]);
  });

  it("counts a channel's own allocation", async () => {
    const res = await get({ sku: RING, market: 'FR', channel: 'clienteling' });
    expect(res.status).toBe(200);
    expect(res.json.items[0].locations[0]).toMatchObject({ locationId: 'roissy-warehouse', available: 7 });
  });

  it('answers several SKUs in the order asked, and zeros for one without stock', async () => {
    const res = await get({ sku: ` ${BAG},NOPE-404 ,${RING}`, market: 'JP' });
    expect(res.status).toBe(200);
    expect(res.json.zone).toBe('apac');
    expect(res.json.items.map((i: { sku: string }) => i.sku)).toEqual([BAG, 'NOPE-404', RING]);
    expect(res.json.items[1]).toEqual({
      sku: 'NOPE-404',
      available: 0,
      maxPerOrder: 0,
      locations: [],
      pickupLocations: [],
    });
    expect(res.json.items[2]).toMatchObject({ available: 4, pickupLocations: ['tokyo-ginza'] });
  });

  it.each([
    ['an unknown market', { sku: RING, market: 'XX' }, 'market'],
    ['an unknown channel', { sku: RING, market: 'FR', channel: 'fax' }, 'channel'],
    ['a malformed SKU', { sku: 'ring one', market: 'FR' }, 'sku'],
    ['no SKU', { sku: ' , ', market: 'FR' }, 'sku'],
    [
      'too many SKUs',
      {
        sku: Array.from({ length: MAX_AVAILABILITY_SKUS + 1 }, (_, i) => `SKU-${i}00`).join(','),
        market: 'FR',
      },
      'sku',
    ],
    ['an unknown parameter', { sku: RING, market: 'FR', zone: 'eu' }, ''],
  ])('answers 400 in the error envelope for %s', async (_, query, field) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', requestId: 'req-test' } });
    expect(res.json.error.message).toContain(field);
  });

  it('is documented in the OpenAPI document with its response schema', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the document is walked as untyped JSON
    const doc = buildOpenApi(SERVICES, { includeLocalOnly: false, serverUrl: '/' }) as Record<string, any>;
    const operation = doc.paths['/v1/availability'].get;
    expect(operation.security ?? []).toEqual([]);
    expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'channel',
      'market',
      'sku',
    ]);
    expect(operation.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/Availability',
    );
    expect(doc.components.schemas.SkuAvailability.properties.pickupLocations).toBeDefined();
    expect(doc.components.schemas.LocationAvailability.additionalProperties).toBe(false);
  });
});
