import { ValidationError } from '../errors.ts';
import {
  DEFAULT_MAX_LOCATIONS,
  type PoolPlace,
  placeOf,
  type SaleSource,
  type StockLocation,
  sellableUnits,
  takeUnits,
} from './availability.ts';
import { OutOfStockError } from './errors.ts';
import {
  type Channel,
  compare,
  type DemandLine,
  MAX_RESERVATION_POOLS,
  type ReservationLine,
  type StockPool,
} from './stock.ts';

/** Where a checkout would like its stock to come from. */
export interface ReservationPreference {
  /** The shopper's zone: shipped orders are served from this zone's locations only. */
  readonly zone: string;
  /** Click and collect: every unit must already be at this location. */
  readonly pickupLocationId?: string | undefined;
  /** The channel selling: it takes its own fence, then the shared remainder if allowed. @default 'web' */
  readonly channel?: Channel | undefined;
  /** A drop's fence: take from it alone, never from the shared remainder (overflow false). */
  readonly fence?: { readonly key: string } | undefined;
  /**
   * The locations by id, from the location directory: zone, home region, type, priority. A pool whose
   * location is missing falls back on its own zone and type and is never combined with another
   * location, since its home region is unknown.
   */
  readonly locations?: ReadonlyMap<string, StockLocation> | undefined;
  /** The most locations one order is split across. @default DEFAULT_MAX_LOCATIONS */
  readonly maxLocations?: number | undefined;
}

/**
 * Subsets of locations tried exhaustively before falling back on a greedy choice. A zone's locations
 * holding a cart's SKUs are usually a handful; this bounds the work for a zone with dozens.
 */
const EXHAUSTIVE_SUBSETS = 4_000;

/** One location able to give some of the demanded SKUs. */
interface Site {
  readonly locationId: string;
  readonly place: PoolPlace;
  /** Per SKU: its pool here and the units the sale may take from it. */
  readonly stock: ReadonlyMap<string, { readonly pool: StockPool; readonly units: number }>;
  /** Units of every demanded SKU here, to prefer the better-stocked of equal-priority locations. */
  readonly units: number;
}

/** Lower is better, compared field by field. */
interface Score {
  readonly locations: number;
  readonly lines: number;
  readonly priority: number;
  readonly units: number;
  readonly ids: string;
}

interface Candidate {
  readonly lines: ReservationLine[];
  readonly score: Score;
}

/** A subset's reach when it cannot serve everything: how many SKUs it covers in full. */
interface Reach {
  readonly covered: ReadonlySet<string>;
  readonly locations: number;
}

const unitsOf = (site: Site, sku: string) => site.stock.get(sku)?.units ?? 0;

function byScore(a: Score, b: Score): number {
  return (
    a.locations - b.locations ||
    a.lines - b.lines ||
    a.priority - b.priority ||
    b.units - a.units ||
    compare(a.ids, b.ids)
  );
}

/** Priority first, then the better-stocked, then location id, so equal stock always gives one plan. */
const byRank = (a: Site, b: Site) =>
  a.place.priority - b.place.priority || b.units - a.units || compare(a.locationId, b.locationId);

/**
 * Chooses where each SKU of a cart is reserved from, and how much of each line comes from the selling
 * channel's fence. Demand is summed per SKU first, so two lines of one SKU (or a bundle) are checked
 * against stock together. The rules, in order:
 *
 * 1. Click and collect: everything from the pickup location, or nothing.
 * 2. Otherwise the zone's locations, all of one home region (a reservation is one transaction, written
 *    in one region), each region tried and the best plan kept.
 * 3. One location for the whole order when any can serve it, else the fewest locations (at most
 *    `maxLocations`); among equals, fewer lines (a SKU is split across locations only when no location
 *    of the chosen set holds all of it), then better priority, then more stock.
 * 4. A sale takes what {@link sellableUnits} allows: its channel's fence, then the shared remainder when
 *    the fence overflows or the channel has none; a drop takes its fence only. Other fences are never
 *    touched. Each line records the part taken from the fence.
 *
 * Pure: the reservation re-checks every quantity atomically.
 *
 * @returns one line per pool, ordered by SKU then location
 * @throws OutOfStockError naming the SKUs the best reachable plan leaves unserved
 * @throws ValidationError for an empty cart, a non-positive quantity or a bad `maxLocations`
 */
export function planReservation(
  lines: readonly DemandLine[],
  pools: readonly StockPool[],
  preference: ReservationPreference,
): ReservationLine[] {
  const demand = demandOf(lines);
  const maxLocations = preference.maxLocations ?? DEFAULT_MAX_LOCATIONS;
  if (!Number.isInteger(maxLocations) || maxLocations < 1) {
    throw new ValidationError('maxLocations must be a positive integer', { maxLocations });
  }
  const source: SaleSource = { channel: preference.channel ?? 'web', fence: preference.fence };
  if (preference.pickupLocationId !== undefined) {
    return planPickup(demand, pools, source, preference.pickupLocationId);
  }

  const regions = sitesByRegion(demand, pools, source, preference);
  let best: Candidate | undefined;
  let partial: Reach | undefined;
  for (const key of [...regions.keys()].sort(compare)) {
    const outcome = planRegion(demand, regions.get(key) ?? [], source, maxLocations);
    if (outcome.plan && (!best || byScore(outcome.plan.score, best.score) < 0)) best = outcome.plan;
    if (!partial || betterReach(outcome.partial, partial)) partial = outcome.partial;
  }
  if (best) return best.lines;
  const short = [...demand.keys()].filter((sku) => !partial?.covered.has(sku));
  // Every SKU covered yet no plan: only the pool cap of one transaction stood in the way.
  throw new OutOfStockError(short.length > 0 ? short : demand.keys());
}

/** Summed demand per SKU, in SKU order. */
function demandOf(lines: readonly DemandLine[]): Map<string, number> {
  if (lines.length === 0) throw new ValidationError('A reservation needs at least one line');
  const summed = new Map<string, number>();
  for (const { sku, quantity } of lines) {
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new ValidationError(`Quantity of ${sku} must be a positive integer`, { sku, quantity });
    }
    summed.set(sku, (summed.get(sku) ?? 0) + quantity);
  }
  if (summed.size > MAX_RESERVATION_POOLS) {
    throw new ValidationError(`A reservation can hold at most ${MAX_RESERVATION_POOLS} different SKUs`, {
      skus: summed.size,
      max: MAX_RESERVATION_POOLS,
    });
  }
  return new Map([...summed].sort(([a], [b]) => compare(a, b)));
}

function planPickup(
  demand: ReadonlyMap<string, number>,
  pools: readonly StockPool[],
  source: SaleSource,
  locationId: string,
): ReservationLine[] {
  const planned: ReservationLine[] = [];
  const short: string[] = [];
  for (const [sku, quantity] of demand) {
    const pool = pools.find((p) => p.sku === sku && p.locationId === locationId);
    const line = pool && takeUnits(pool, source, quantity);
    if (line) planned.push(line);
    else short.push(sku);
  }
  if (short.length > 0) throw new OutOfStockError(short);
  return planned;
}

/** The zone's locations holding any demanded SKU for this sale, grouped by home region, best first. */
function sitesByRegion(
  demand: ReadonlyMap<string, number>,
  pools: readonly StockPool[],
  source: SaleSource,
  preference: ReservationPreference,
): Map<string, Site[]> {
  const byLocation = new Map<
    string,
    { place: PoolPlace; stock: Map<string, { pool: StockPool; units: number }> }
  >();
  for (const pool of pools) {
    if (!demand.has(pool.sku)) continue;
    const place = placeOf(pool, preference.locations?.get(pool.locationId));
    if (place.zone !== preference.zone) continue;
    const units = sellableUnits(pool, source).total;
    if (units < 1) continue;
    const site = byLocation.get(pool.locationId) ?? { place, stock: new Map() };
    // A pool listed twice (a read across pages) counts once; keep the larger count so order cannot matter.
    const seen = site.stock.get(pool.sku);
    if (!seen || units > seen.units) site.stock.set(pool.sku, { pool, units });
    byLocation.set(pool.locationId, site);
  }
  const regions = new Map<string, Site[]>();
  for (const [locationId, { place, stock }] of byLocation) {
    let units = 0;
    for (const { units: n } of stock.values()) units += n;
    const sites = regions.get(place.homeRegion) ?? [];
    sites.push({ locationId, place, stock, units });
    regions.set(place.homeRegion, sites);
  }
  for (const sites of regions.values()) sites.sort(byRank);
  return regions;
}

/**
 * The best plan within one home region, trying subsets of its locations from the smallest up; and, for
 * the error when none serves, the subset covering the most SKUs.
 */
function planRegion(
  demand: ReadonlyMap<string, number>,
  sites: readonly Site[],
  source: SaleSource,
  maxLocations: number,
): { plan?: Candidate; partial: Reach } {
  let partial: Reach = { covered: new Set(), locations: 0 };
  let budget = EXHAUSTIVE_SUBSETS;
  const largest = Math.min(maxLocations, sites.length);
  for (let size = 1; size <= largest; size++) {
    const count = binomial(sites.length, size);
    if (count > budget) {
      const chosen = greedySubset(demand, sites, largest);
      const plan = assign(demand, chosen, source);
      const reach = reachOf(demand, chosen);
      if (betterReach(reach, partial)) partial = reach;
      return plan ? { plan, partial } : { partial };
    }
    budget -= count;
    let best: Candidate | undefined;
    for (const subset of combinations(sites, size)) {
      const plan = assign(demand, subset, source);
      if (plan) {
        if (!best || byScore(plan.score, best.score) < 0) best = plan;
      } else {
        const reach = reachOf(demand, subset);
        if (betterReach(reach, partial)) partial = reach;
      }
    }
    if (best) return { plan: best, partial: { covered: new Set(demand.keys()), locations: size } };
  }
  return { partial };
}

/**
 * Serves every SKU from the given locations: from one of them when one holds it all (the best ranked),
 * else split across the fewest, largest first. Undefined when the locations cannot serve it all.
 */
function assign(
  demand: ReadonlyMap<string, number>,
  subset: readonly Site[],
  source: SaleSource,
): Candidate | undefined {
  const planned: ReservationLine[] = [];
  for (const [sku, quantity] of demand) {
    const holders = subset.filter((site) => unitsOf(site, sku) > 0);
    const whole = holders
      .filter((site) => unitsOf(site, sku) >= quantity)
      .sort(
        (a, b) =>
          a.place.priority - b.place.priority ||
          unitsOf(b, sku) - unitsOf(a, sku) ||
          compare(a.locationId, b.locationId),
      )[0];
    const parts: [Site, number][] = [];
    if (whole) parts.push([whole, quantity]);
    else {
      let left = quantity;
      const largestFirst = [...holders].sort(
        (a, b) =>
          unitsOf(b, sku) - unitsOf(a, sku) ||
          a.place.priority - b.place.priority ||
          compare(a.locationId, b.locationId),
      );
      for (const site of largestFirst) {
        if (left === 0) break;
        const take = Math.min(left, unitsOf(site, sku));
        parts.push([site, take]);
        left -= take;
      }
      if (left > 0) return undefined;
    }
    for (const [site, take] of parts) {
      const pool = site.stock.get(sku)?.pool;
      const line = pool && takeUnits(pool, source, take);
      if (!line) return undefined;
      planned.push(line);
    }
  }
  if (planned.length > MAX_RESERVATION_POOLS) return undefined;

  const used = subset.filter((site) => planned.some((line) => line.locationId === site.locationId));
  planned.sort((a, b) => compare(a.sku, b.sku) || compare(a.locationId, b.locationId));
  return {
    lines: planned,
    score: {
      locations: used.length,
      lines: planned.length,
      priority: used.reduce((sum, site) => sum + site.place.priority, 0),
      units: used.reduce((sum, site) => sum + site.units, 0),
      ids: used
        .map((site) => site.locationId)
        .sort(compare)
        .join(','),
    },
  };
}

/** The SKUs a set of locations holds enough of between them. */
function reachOf(demand: ReadonlyMap<string, number>, subset: readonly Site[]): Reach {
  const covered = new Set<string>();
  for (const [sku, quantity] of demand) {
    if (subset.reduce((sum, site) => sum + unitsOf(site, sku), 0) >= quantity) covered.add(sku);
  }
  return { covered, locations: subset.length };
}

function betterReach(a: Reach, b: Reach): boolean {
  return a.covered.size > b.covered.size || (a.covered.size === b.covered.size && a.locations < b.locations);
}

/**
 * For regions with too many locations to try every subset: repeatedly adds the location that covers
 * the most of what is still missing (the best ranked on ties), up to `size` locations.
 */
function greedySubset(demand: ReadonlyMap<string, number>, sites: readonly Site[], size: number): Site[] {
  const missing = new Map(demand);
  const chosen: Site[] = [];
  while (chosen.length < size) {
    let best: Site | undefined;
    let bestGain = 0;
    for (const site of sites) {
      if (chosen.includes(site)) continue;
      let gain = 0;
      for (const [sku, left] of missing) gain += Math.min(left, unitsOf(site, sku));
      if (gain > bestGain) {
        best = site;
        bestGain = gain;
      }
    }
    if (!best) break;
    chosen.push(best);
    for (const [sku, left] of missing) missing.set(sku, Math.max(0, left - unitsOf(best, sku)));
  }
  return chosen;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/** Subsets of `size` items, in the items' order (so the best ranked come first). */
function* combinations<T>(items: readonly T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield prefix;
    return;
  }
  for (let i = start; i <= items.length - (size - prefix.length); i++) {
    yield* combinations(items, size, i + 1, [...prefix, items[i] as T]);
  }
}
