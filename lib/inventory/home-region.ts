import type { Location } from '../demo/locations.ts';
import { ValidationError } from '../errors.ts';

/**
 * Global tables settle concurrent writes last-writer-wins, so two regions that each pass an
 * `available >= q` condition can both sell the last piece. Every stock pool therefore has one home
 * region, the region of its location, and every write to the pool happens there; reads may use any
 * replica.
 */
export function homeRegionOf(location: Pick<Location, 'region'>): string {
  return location.region;
}

/** Answers the home region of a SKU's pool at a location (the SKU is passed so a rule may depend on it). */
export type HomeRegionLookup = (sku: string, locationId: string) => string | Promise<string>;

/**
 * The lookup over a list of locations: a pool's home region is its location's.
 * @throws ValidationError, when asked, for a location that is not in the list
 */
export function homeRegionLookup(
  locations: readonly Pick<Location, 'locationId' | 'region'>[],
): HomeRegionLookup {
  const byId = new Map(locations.map((location) => [location.locationId, homeRegionOf(location)]));
  return (_sku, locationId) => {
    const region = byId.get(locationId);
    if (region === undefined) {
      throw new ValidationError(`Location ${locationId} is unknown, so its stock has no home region`, {
        locationId,
      });
    }
    return region;
  };
}

/**
 * Picks the store a write goes through: the one of the pool's home region, never a nearer replica.
 * Reads do not route; they use the local store.
 */
export type HomeRegionRouter<S> = (homeRegion: string, stores: Readonly<Record<string, S>>) => S;

/**
 * The router every inventory write uses.
 * @throws Error when no store serves the home region: a deployment that lacks the home region must not
 * fall back to a replica, which would reopen the oversell.
 */
export function routeToHomeRegion<S>(homeRegion: string, stores: Readonly<Record<string, S>>): S {
  const store = Object.hasOwn(stores, homeRegion) ? stores[homeRegion] : undefined;
  if (store === undefined) {
    throw new Error(
      `No stock store for home region ${homeRegion}; configured: ${Object.keys(stores).join(', ') || 'none'}`,
    );
  }
  return store;
}

/** Writes a home-region router sent to each region's store, for tests and metrics. */
export interface HomeRegionStats {
  readonly writesByRegion: Record<string, number>;
}

/**
 * One store per region of a global table, as the home-region stores route over them: reads from the
 * local one, writes to a home region's (counted), and reads that fall back to the other regions while
 * replication has not brought an item here yet.
 */
export class RegionalStores<S> {
  readonly stats: HomeRegionStats = { writesByRegion: {} };
  /** This region's store. */
  readonly local: S;

  constructor(
    private readonly localRegion: string,
    private readonly stores: Readonly<Record<string, S>>,
  ) {
    this.local = routeToHomeRegion(localRegion, stores);
  }

  /** A region's store, for a read at home. @throws Error when no store serves the region */
  at(region: string): S {
    return routeToHomeRegion(region, this.stores);
  }

  /** The home region's store, counting the write it is about to receive. */
  writer(region: string): S {
    const store = this.at(region);
    this.stats.writesByRegion[region] = (this.stats.writesByRegion[region] ?? 0) + 1;
    return store;
  }

  /** The local store's answer, else the first other region's. */
  async firstFound<T>(read: (store: S) => Promise<T | undefined>): Promise<T | undefined> {
    const local = await read(this.local);
    if (local) return local;
    for (const [region, store] of Object.entries(this.stores)) {
      if (region === this.localRegion) continue;
      const found = await read(store);
      if (found) return found;
    }
    return undefined;
  }
}

/** The environment variable that lists, comma-separated, the regions whose replica a function may write stock to. */
export const STOCK_HOME_REGIONS_ENV = 'STOCK_HOME_REGIONS';

/** The regions in {@link STOCK_HOME_REGIONS_ENV}'s value, in order, without blanks or repeats. */
export function stockHomeRegions(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
}
