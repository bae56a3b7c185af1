import { describe, expect, it } from 'vitest';
import { HomeRegionDropStore } from '../../../lib/adapters/dynamo/home-region-drop-store.ts';
import {
  type CreateDropRequest,
  type Drop,
  type DropEntry,
  entrantKey,
  newDrop,
} from '../../../lib/drops/drop.ts';
import { DropDrawn } from '../../../lib/drops/events.ts';
import { InMemoryDropStore } from '../../../lib/drops/in-memory-drop-store.ts';
import { DropHomeRegionsDifferError } from '../../../lib/drops/use-cases.ts';
import { ValidationError } from '../../../lib/errors.ts';
import { type HomeRegionLookup, homeRegionLookup } from '../../../lib/inventory/home-region.ts';
import { domainEvent } from '../../../lib/platform/domain-event.ts';

const WEST = 'eu-west-1';
const CENTRAL = 'eu-central-1';
const WEST_WAREHOUSE = 'roissy-warehouse';
const CENTRAL_BOUTIQUE = 'munich-maximilian';
const SKU = 'AUR-DROP-01';
const NOW = new Date('2026-03-01T10:00:00.000Z');
const PAY_BY = '2026-03-01T10:30:00.000Z';
const SEED = 'ab'.repeat(32);

const lookup = homeRegionLookup([
  { locationId: WEST_WAREHOUSE, region: WEST },
  { locationId: CENTRAL_BOUTIQUE, region: CENTRAL },
]);

let dropCount = 0;

function dropAt(locationId: string, overrides: Partial<CreateDropRequest> = {}): Drop {
  const request: CreateDropRequest = {
    name: 'Comète',
    items: [{ sku: SKU, locationId, units: 3 }],
    window: { opensAt: '2026-03-01T09:00:00.000Z', closesAt: '2026-03-01T11:00:00.000Z' },
    channels: ['web'],
    earlyAccess: [],
    perCustomerLimit: 1,
    mode: 'first_come',
    expectedArrivalsPerSecond: 100,
    payWithinMinutes: 30,
    ...overrides,
  };
  return newDrop(request, {
    dropId: `drp_home${++dropCount}`,
    now: NOW,
    ...(request.mode === 'draw' ? { seed: SEED } : {}),
  });
}

function entryOf(drop: Drop, sub: string): DropEntry {
  return {
    entrantKey: entrantKey(drop.dropId, sub),
    dropId: drop.dropId,
    sku: SKU,
    quantity: 1,
    zone: 'eu',
    tier: 'standard',
    status: drop.mode === 'draw' ? 'entered' : 'queued',
    arrivedAt: NOW.toISOString(),
  };
}

/** Two regions' stores and a router running in `localRegion`. */
function regions(localRegion: string, homeRegionOf: HomeRegionLookup = lookup) {
  const stores = { [WEST]: new InMemoryDropStore(), [CENTRAL]: new InMemoryDropStore() };
  const router = new HomeRegionDropStore({ localRegion, stores, homeRegionOf });
  return { router, west: stores[WEST], central: stores[CENTRAL] };
}

describe('HomeRegionDropStore', () => {
  it('sends every write of a drop homed in another region to that region, even with a local copy', async () => {
    const { router, west, central } = regions(CENTRAL);
    const drop = dropAt(WEST_WAREHOUSE);
    expect(await router.create(drop, {})).toMatchObject({ created: true });
    // The local replica receives the drop as replication would bring it; it must take no write after.
    await central.create(drop, {});
    const centralBefore = { ...central.stats };

    const a = entryOf(drop, 'a');
    const b = entryOf(drop, 'b');
    expect(await router.addEntry(drop, a)).toMatchObject({ added: true });
    expect(await router.claim(drop, a, { shards: [0], payBy: PAY_BY, now: NOW })).toMatchObject({
      kind: 'won',
    });
    expect(await router.addEntry(drop, b)).toMatchObject({ added: true });
    expect(await router.markLost(drop, b, NOW)).toMatchObject({ status: 'lost' });
    expect(await router.bindCheckout(drop, a.entrantKey, 'chk_1', NOW)).toMatchObject({ bound: true });
    expect(await router.unbindCheckout(drop, a.entrantKey, 'chk_1')).not.toHaveProperty('checkoutId');
    expect(
      await router.claimPaymentMethod(drop, {
        methodKey: 'pm-1',
        entrantKey: a.entrantKey,
        units: 1,
        limit: 1,
      }),
    ).toEqual({ allowed: true, used: 1 });
    expect(await router.markPurchased(drop, a.entrantKey, NOW)).toMatchObject({ status: 'purchased' });
    await router.setSoldOut(drop.dropId, true);
    await router.settle(drop.dropId, NOW);

    expect(central.stats).toEqual(centralBefore);
    expect(await central.getEntry(drop.dropId, a.entrantKey)).toBeUndefined();
    expect(await central.shardBalances(drop, SKU)).toEqual([3]);
    expect(await central.get(drop.dropId)).toMatchObject({ soldOut: false });
    // Entry and shard reads go home too, where the writes are.
    expect(await router.getEntry(drop.dropId, a.entrantKey)).toMatchObject({ status: 'purchased' });
    expect(await router.shardBalances(drop, SKU)).toEqual([2]);
    expect(await router.listEntries(drop)).toHaveLength(2);
    expect(await west.get(drop.dropId)).toMatchObject({ soldOut: true });
    expect(await west.activeDrops()).toEqual([]);
    expect((await central.activeDrops()).map((d) => d.dropId)).toEqual([drop.dropId]);
    expect(router.stats.writesByRegion).toEqual({ [WEST]: 11 });
  });

  it('draws, reveals and passes expired holds on in the home region', async () => {
    const { router, west, central } = regions(CENTRAL);
    const drop = dropAt(WEST_WAREHOUSE, {
      mode: 'draw',
      items: [{ sku: SKU, locationId: WEST_WAREHOUSE, units: 1 }],
    });
    await router.create(drop, { seed: SEED });
    await central.create(drop, { seed: SEED });
    const centralBefore = { ...central.stats };

    const [x, y] = [entryOf(drop, 'x'), entryOf(drop, 'y')] as const;
    for (const entry of [x, y]) await router.addEntry(drop, entry);
    expect(await router.recordDraw(drop, x, { status: 'won', drawRank: 1, payBy: PAY_BY })).toBe(true);
    expect(await router.recordDraw(drop, y, { status: 'waitlisted', drawRank: 2 })).toBe(true);
    expect(await router.seedOf(drop.dropId)).toBe(SEED);
    const drawn = domainEvent(
      DropDrawn,
      {
        dropId: drop.dropId,
        seedHash: drop.seedHash ?? '',
        seed: SEED,
        drawnAt: NOW.toISOString(),
        winners: 1,
        waitlisted: 1,
      },
      { eventId: `drawn:${drop.dropId}`, correlationId: drop.dropId, occurredAt: NOW },
    );
    expect(await router.revealDraw(drop, SEED, NOW, drawn)).toBe(true);
    const after = new Date('2026-03-01T10:31:00.000Z');
    const [due] = await router.dueHolds(drop, after, 10);
    const waiting = await router.waitlist(drop, SKU, 10);
    expect(due?.entrantKey).toBe(x.entrantKey);
    expect(waiting.map((e) => e.entrantKey)).toEqual([y.entrantKey]);
    const release = { kind: 'waitlist' as const, promote: waiting, payBy: '2026-03-01T11:01:00.000Z' };
    expect(await router.expireHold(drop, due as DropEntry, release, after)).toBe(true);

    expect(await west.getEntry(drop.dropId, y.entrantKey)).toMatchObject({ status: 'won' });
    expect(west.events.map((e) => e.definition.detailType)).toEqual(['DropDrawn']);
    expect(central.stats).toEqual(centralBefore);
    expect(central.events).toEqual([]);
    expect(router.stats.writesByRegion).toEqual({ [WEST]: 7 });
  });

  it("lists only the drops homed in its own region, so each region's scheduler works its own", async () => {
    const westDrop = dropAt(WEST_WAREHOUSE);
    const centralDrop = dropAt(CENTRAL_BOUTIQUE);
    const fromWest = regions(WEST);
    const fromCentral = regions(CENTRAL);
    const replicas = [fromWest.west, fromWest.central, fromCentral.west, fromCentral.central];
    // Every replica holds both drops, as replication leaves them.
    for (const store of replicas) {
      await store.create(westDrop, {});
      await store.create(centralDrop, {});
    }
    expect((await fromWest.router.activeDrops()).map((d) => d.dropId)).toEqual([westDrop.dropId]);
    expect((await fromCentral.router.activeDrops()).map((d) => d.dropId)).toEqual([centralDrop.dropId]);

    for (const store of replicas) {
      for (const drop of [westDrop, centralDrop]) await store.settle(drop.dropId, NOW);
    }
    expect((await fromWest.router.settledDrops(NOW)).map((d) => d.dropId)).toEqual([westDrop.dropId]);
    expect((await fromCentral.router.settledDrops(NOW)).map((d) => d.dropId)).toEqual([centralDrop.dropId]);
  });

  it('keeps a drop whose home cannot be told in the list, and writes nothing for it', async () => {
    const { router, west, central } = regions(WEST);
    const lost = dropAt('nowhere');
    await west.create(lost, {});
    const westBefore = { ...west.stats };
    expect((await router.activeDrops()).map((d) => d.dropId)).toEqual([lost.dropId]);
    await expect(router.settle(lost.dropId, NOW)).rejects.toBeInstanceOf(ValidationError);
    await expect(router.addEntry(lost, entryOf(lost, 'a'))).rejects.toBeInstanceOf(ValidationError);
    expect(west.stats).toEqual(westBefore);
    expect(central.stats.attempts).toBe(0);
    expect(router.stats.writesByRegion).toEqual({});
  });

  it('finds a drop the local replica does not have yet in the other regions', async () => {
    const { router, west } = regions(CENTRAL);
    const drop = dropAt(WEST_WAREHOUSE);
    await west.create(drop, {});
    const a = entryOf(drop, 'a');
    await west.addEntry(drop, a);

    expect(await router.get(drop.dropId)).toEqual(drop);
    expect(await router.getEntry(drop.dropId, a.entrantKey)).toEqual(a);
    await router.setSoldOut(drop.dropId, true);
    expect(await west.get(drop.dropId)).toMatchObject({ soldOut: true });
    expect(router.stats.writesByRegion).toEqual({ [WEST]: 1 });
  });

  it('answers an unknown drop as a store does: nothing found, nothing written', async () => {
    const { router, west, central } = regions(CENTRAL);
    expect(await router.get('drp_nowhere')).toBeUndefined();
    expect(await router.getEntry('drp_nowhere', 'f'.repeat(64))).toBeUndefined();
    expect(await router.seedOf('drp_nowhere')).toBeUndefined();
    await router.setSoldOut('drp_nowhere', true);
    await router.settle('drp_nowhere', NOW);
    expect(router.stats.writesByRegion).toEqual({});
    expect(west.stats.attempts + central.stats.attempts).toBe(0);
  });

  it('looks up a drop home region once and keeps it', async () => {
    const asked: string[] = [];
    const counting: HomeRegionLookup = (sku, locationId) => {
      asked.push(locationId);
      return lookup(sku, locationId);
    };
    const { router, west } = regions(CENTRAL, counting);
    const drop = dropAt(WEST_WAREHOUSE);
    await router.create(drop, {});
    await Promise.all(['a', 'b', 'c'].map((sub) => router.addEntry(drop, entryOf(drop, sub))));
    await router.setSoldOut(drop.dropId, true);
    expect(await router.getEntry(drop.dropId, entrantKey(drop.dropId, 'a'))).toMatchObject({
      status: 'queued',
    });
    expect(asked).toEqual([WEST_WAREHOUSE]);
    expect(await west.listEntries(drop)).toHaveLength(3);
  });

  it('refuses a drop whose items have different home regions, writing nothing', async () => {
    const { router, west, central } = regions(WEST);
    const drop = dropAt(WEST_WAREHOUSE, {
      items: [
        { sku: SKU, locationId: WEST_WAREHOUSE, units: 1 },
        { sku: 'AUR-DROP-02', locationId: CENTRAL_BOUTIQUE, units: 1 },
      ],
    });
    const creating = router.create(drop, {});
    await expect(creating).rejects.toBeInstanceOf(DropHomeRegionsDifferError);
    await expect(creating).rejects.toThrow(/different home regions \(eu-central-1, eu-west-1\)/);
    expect(west.stats.attempts + central.stats.attempts).toBe(0);
  });

  it('refuses a deployment without a store for its own region or for a drop home region', async () => {
    expect(
      () =>
        new HomeRegionDropStore({
          localRegion: 'us-east-1',
          stores: { [WEST]: new InMemoryDropStore() },
          homeRegionOf: lookup,
        }),
    ).toThrow(/us-east-1/);
    const router = new HomeRegionDropStore({
      localRegion: WEST,
      stores: { [WEST]: new InMemoryDropStore() },
      homeRegionOf: lookup,
    });
    await expect(router.create(dropAt(CENTRAL_BOUTIQUE), {})).rejects.toThrow(/eu-central-1/);
  });
});
