import { MARKET_CODES, type MarketCode } from '../money/markets.ts';
import type { CategoryDesigner } from './categories/types.ts';
import { DEMO_ZONES, type DemoZone, type Location, MARKET_ZONES } from './locations.ts';
import type { Prng } from './prng.ts';

/** Units of one SKU on hand at one location. */
export interface StockLevel {
  readonly sku: string;
  readonly locationId: string;
  readonly onHand: number;
}

/** The locations of each zone by type, and each location's zone, prepared once per catalog. */
export interface StockPlan {
  readonly warehouses: Readonly<Record<DemoZone, readonly Location[]>>;
  readonly boutiques: Readonly<Record<DemoZone, readonly Location[]>>;
  readonly zoneOf: ReadonlyMap<string, DemoZone>;
}

/** Groups locations by zone and type. Every zone needs a warehouse: it is where regular stock lives. */
export function stockPlan(locations: readonly Location[]): StockPlan {
  const warehouses = { eu: [], us: [], apac: [] } as Record<DemoZone, Location[]>;
  const boutiques = { eu: [], us: [], apac: [] } as Record<DemoZone, Location[]>;
  const zoneOf = new Map<string, DemoZone>();
  for (const location of locations) {
    const zone = location.zone as DemoZone;
    if (!DEMO_ZONES.includes(zone)) continue;
    zoneOf.set(location.locationId, zone);
    (location.type === 'warehouse' ? warehouses : boutiques)[zone].push(location);
  }
  for (const zone of DEMO_ZONES) {
    if (warehouses[zone].length === 0) throw new RangeError(`zone ${zone} has no warehouse`);
  }
  return { warehouses, boutiques, zoneOf };
}

/** A SKU to stock, and whether it is a numbered piece (which exists exactly once). */
export interface StockedSku {
  readonly sku: string;
  readonly numbered: boolean;
}

/**
 * Stock for one product's SKUs. Most products sit in a warehouse in every zone with a few pieces in
 * boutiques; some are only carried in one or two zones; a few have sold out everywhere (their rows remain
 * with zero on hand, as an inventory system keeps them). Numbered pieces exist once: one unit in one
 * location, or none once sold.
 */
export function allocateStock(
  rng: Prng,
  skus: readonly StockedSku[],
  category: CategoryDesigner,
  plan: StockPlan,
): StockLevel[] {
  const levels: StockLevel[] = [];
  const profile = rng.next();
  const soldOut = profile < 0.03;
  let zones: DemoZone[];
  if (profile < 0.13) zones = rng.sample(DEMO_ZONES, rng.int(1, 2));
  else zones = DEMO_ZONES.filter(() => rng.chance(0.97));
  if (zones.length === 0) zones = [rng.pick(DEMO_ZONES)];

  for (const { sku, numbered } of skus) {
    if (numbered) {
      // Numbered pieces are shown in flagship boutiques more often than they are kept in a warehouse.
      const zone = rng.pick(zones);
      const boutiques = plan.boutiques[zone];
      const where =
        boutiques.length > 0 && rng.chance(0.7) ? rng.pick(boutiques) : rng.pick(plan.warehouses[zone]);
      levels.push({ sku, locationId: where.locationId, onHand: soldOut || rng.chance(0.2) ? 0 : 1 });
      continue;
    }
    for (const zone of zones) {
      const warehouse = rng.pick(plan.warehouses[zone]);
      // One size or colour in ten has sold out in a zone while the rest of the product is still available.
      const onHand =
        soldOut || rng.chance(0.1) ? 0 : rng.int(category.warehouseStock[0], category.warehouseStock[1]);
      levels.push({ sku, locationId: warehouse.locationId, onHand });
      if (soldOut || !rng.chance(0.45)) continue;
      for (const shop of rng.sample(plan.boutiques[zone], rng.int(1, 2))) {
        levels.push({
          sku,
          locationId: shop.locationId,
          onHand: rng.int(category.boutiqueStock[0], category.boutiqueStock[1]),
        });
      }
    }
  }
  return levels;
}

/** The markets in which a product can be sold now: those whose zone has a location holding one of its SKUs. */
export function marketsInStock(
  levels: readonly StockLevel[],
  zoneOf: ReadonlyMap<string, string>,
): MarketCode[] {
  const zones = new Set<string>();
  for (const level of levels) {
    if (level.onHand <= 0) continue;
    const zone = zoneOf.get(level.locationId);
    if (zone) zones.add(zone);
  }
  return MARKET_CODES.filter((market) => zones.has(MARKET_ZONES[market]));
}
