import { z } from 'zod';
import { type LocationDirectory, locationsById } from '../commerce/ports.ts';
import { Sku, Slug } from '../contracts/catalog.ts';
import { type Location, LocationType, locationPriority } from '../demo/locations.ts';
import { MarketCode } from '../money/markets.ts';
import { Channel, compare, type ReservationLine, type StockPool } from './stock.ts';
import type { StockStore } from './stock-store.ts';

/**
 * What a sale draws on. A storefront channel takes its own fence first, then the pool's shared remainder
 * when that fence overflows or the channel has no fence at all. With `fence` (a drop's stock) the sale
 * takes from that fence alone and never from the remainder.
 */
export interface SaleSource {
  readonly channel: Channel;
  readonly fence?: { readonly key: string } | undefined;
}

/** The units one sale may take from one pool: up to `fenced` from fence `key`, then up to `shared`. */
export interface SellableUnits {
  readonly key: string;
  readonly fenced: number;
  readonly shared: number;
  readonly total: number;
}

/**
 * The one rule for "how many units may this sale take from this pool", used by the planner and by
 * available-to-promise so that what the storefront promises is what checkout can reserve. Units fenced
 * for other channels or drops are never counted.
 */
export function sellableUnits(pool: StockPool, source: SaleSource): SellableUnits {
  const key = source.fence?.key ?? source.channel;
  const fences = pool.fences ?? {};
  // Own keys only: a fence key read from a request must never resolve to an inherited property.
  const fence = Object.hasOwn(fences, key) ? fences[key] : undefined;
  const fenced = Math.max(0, fence?.units ?? 0);
  const mayShare = source.fence === undefined && (fence === undefined || fence.overflow);
  const shared = mayShare ? Math.max(0, pool.available) : 0;
  return { key, fenced, shared, total: fenced + shared };
}

/**
 * The reservation line taking `quantity` from a pool for a sale: the fence first, so the shared
 * remainder stays for channels that have no allocation of their own. Undefined when the pool cannot
 * give that many.
 */
export function takeUnits(
  pool: StockPool,
  source: SaleSource,
  quantity: number,
): ReservationLine | undefined {
  const sellable = sellableUnits(pool, source);
  if (quantity < 1 || quantity > sellable.total) return undefined;
  const fromFence = Math.min(sellable.fenced, quantity);
  return {
    sku: pool.sku,
    locationId: pool.locationId,
    quantity,
    ...(fromFence > 0 ? { fence: { key: sellable.key, units: fromFence } } : {}),
  };
}

/**
 * What planning knows of a location, as the location directory describes it. Every field may be
 * missing for a pool whose location the directory does not know; see {@link placeOf}.
 */
export interface StockLocation {
  readonly zone?: string;
  /** The home region of the location's pools: every write to them happens there. */
  readonly region?: string;
  readonly type?: LocationType;
  readonly priority?: number;
  readonly pickupCapable?: boolean;
}

/** Where a pool is, resolved for planning. */
export interface PoolPlace {
  readonly zone: string;
  /**
   * Pools sharing a key share a home region. A location without a known region gets a key of its own,
   * so a reservation never mixes it with another location whose region might differ.
   */
  readonly homeRegion: string;
  readonly type: LocationType | undefined;
  readonly priority: number;
  readonly pickupCapable: boolean;
}

/**
 * A pool's place: the directory's description of its location, else what the pool itself records (its
 * zone and location type). The directory wins because it is what staff maintain.
 */
export function placeOf(pool: StockPool, location: StockLocation | undefined): PoolPlace {
  const type = location?.type ?? pool.locationType;
  return {
    zone: location?.zone ?? pool.zone,
    homeRegion: location?.region ?? `unknown-region:${pool.locationId}`,
    type,
    priority: locationPriority({
      ...(type ? { type } : {}),
      ...(location?.priority === undefined ? {} : { priority: location.priority }),
    }),
    pickupCapable: type === 'boutique' && location?.pickupCapable === true,
  };
}

/** How many locations one order may be split across, unless the caller says otherwise. */
export const DEFAULT_MAX_LOCATIONS = 3;

/** One location's stock of a SKU, as a storefront shows it. */
export const LocationAvailability = z
  .strictObject({
    locationId: Slug,
    name: z.string(),
    type: LocationType.optional().describe('Absent when the location is not described yet'),
    city: z.string().optional(),
    available: z.number().int().min(0).describe('Units the channel may take here'),
    pickup: z
      .boolean()
      .describe('A boutique offering click and collect that holds at least one unit for the channel'),
  })
  .meta({ id: 'LocationAvailability' });
export type LocationAvailability = z.infer<typeof LocationAvailability>;

/** Available-to-promise of one SKU on one channel in one zone. */
export const SkuAvailability = z
  .strictObject({
    sku: Sku,
    available: z
      .number()
      .int()
      .min(0)
      .describe('Units the channel may promise in the zone, summed over its locations'),
    maxPerOrder: z
      .number()
      .int()
      .min(0)
      .describe(
        'The most one order can take: its stock comes from one home region and at most ' +
          `${DEFAULT_MAX_LOCATIONS} locations, so this can be below \`available\``,
      ),
    locations: z
      .array(LocationAvailability)
      .describe('Every location of the zone holding a pool of the SKU, in the order checkout draws on them'),
    pickupLocations: z
      .array(Slug)
      .describe('Boutiques where the SKU can be collected: click and collect, at least one unit'),
  })
  .meta({ id: 'SkuAvailability' });
export type SkuAvailability = z.infer<typeof SkuAvailability>;

/** The answer of `GET /v1/availability`. */
export const Availability = z
  .strictObject({
    market: MarketCode,
    zone: z.string().describe('The residency zone serving the market; its locations ship there'),
    channel: Channel,
    items: z.array(SkuAvailability).describe('One entry per requested SKU, in the order asked'),
  })
  .meta({ id: 'Availability' });
export type Availability = z.infer<typeof Availability>;

/** A location as available-to-promise shows it: planning's view plus its name and city. */
export interface DescribedLocation extends StockLocation {
  readonly name: string;
  readonly city?: string;
}

/** What {@link availableToPromise} computes for. */
export interface AvailabilityScope {
  readonly zone: string;
  readonly channel: Channel;
  /** @default DEFAULT_MAX_LOCATIONS */
  readonly maxLocations?: number;
}

/**
 * Available-to-promise per SKU: what the channel may take from each location of the zone (the planner's
 * own rule, {@link sellableUnits}), which boutiques can hand it over, and the most a single order can get.
 * A SKU without pools is answered with zeros: the catalog may list a piece before any stock arrives.
 */
export function availableToPromise(
  skus: readonly string[],
  pools: readonly StockPool[],
  locations: ReadonlyMap<string, DescribedLocation>,
  scope: AvailabilityScope,
): SkuAvailability[] {
  const maxLocations = scope.maxLocations ?? DEFAULT_MAX_LOCATIONS;
  const source: SaleSource = { channel: scope.channel };
  return [...new Set(skus)].map((sku) => {
    const rows = pools
      .filter((pool) => pool.sku === sku)
      .map((pool) => {
        const location = locations.get(pool.locationId);
        const place = placeOf(pool, location);
        const available = sellableUnits(pool, source).total;
        const entry: LocationAvailability = {
          locationId: pool.locationId,
          name: location?.name ?? pool.locationId,
          ...(place.type ? { type: place.type } : {}),
          ...(location?.city ? { city: location.city } : {}),
          available,
          pickup: place.pickupCapable && available >= 1,
        };
        return { entry, place };
      })
      .filter(({ place }) => place.zone === scope.zone)
      .sort(
        (a, b) =>
          a.place.priority - b.place.priority ||
          b.entry.available - a.entry.available ||
          compare(a.entry.locationId, b.entry.locationId),
      );

    const byRegion = new Map<string, number[]>();
    for (const { entry, place } of rows) {
      const units = byRegion.get(place.homeRegion) ?? [];
      units.push(entry.available);
      byRegion.set(place.homeRegion, units);
    }
    let maxPerOrder = 0;
    for (const units of byRegion.values()) {
      const best = units
        .sort((a, b) => b - a)
        .slice(0, maxLocations)
        .reduce((sum, n) => sum + n, 0);
      maxPerOrder = Math.max(maxPerOrder, best);
    }

    return {
      sku,
      available: rows.reduce((sum, { entry }) => sum + entry.available, 0),
      maxPerOrder,
      locations: rows.map(({ entry }) => entry),
      pickupLocations: rows.filter(({ entry }) => entry.pickup).map(({ entry }) => entry.locationId),
    };
  });
}

/** Everything {@link getAvailability} reads. */
export interface AvailabilityDeps {
  /** Read from the nearest replica: a promise may lag a sale by a moment, never a reservation. */
  readonly stock: Pick<StockStore, 'pools'>;
  readonly locations: LocationDirectory;
  readonly zoneOfMarket: (market: MarketCode) => string;
}

/** `GET /v1/availability`: available-to-promise of some SKUs on a channel in a market's zone. */
export async function getAvailability(
  deps: AvailabilityDeps,
  query: { readonly skus: readonly string[]; readonly market: MarketCode; readonly channel: Channel },
): Promise<Availability> {
  const zone = deps.zoneOfMarket(query.market);
  const pools = await deps.stock.pools(query.skus);
  const locations: ReadonlyMap<string, Location> = await locationsById(
    deps.locations,
    pools.map((pool) => pool.locationId),
  );
  return {
    market: query.market,
    zone,
    channel: query.channel,
    items: availableToPromise(query.skus, pools, locations, { zone, channel: query.channel }),
  };
}
