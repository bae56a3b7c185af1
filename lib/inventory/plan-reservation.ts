import { ValidationError } from '../errors.ts';
import { OutOfStockError } from './errors.ts';
import { compare, type DemandLine, type ReservationLine, type StockPool } from './stock.ts';

/** Where a checkout would like its stock to come from. */
export interface ReservationPreference {
  /** The shopper's zone: shipped orders are served from this zone's locations only. */
  readonly zone: string;
  /** Click and collect: every unit must already be at this location. */
  readonly pickupLocationId?: string;
}

/** Warehouses ship without taking pieces off a boutique's shelves, so they are drawn from first. */
const TYPE_RANK = { warehouse: 0, unknown: 1, boutique: 2 } as const;

const rank = (pool: StockPool) => TYPE_RANK[pool.locationType ?? 'unknown'];

/** Better pools first: warehouses, then more available units, then location id so ties are stable. */
function byPreference(a: StockPool, b: StockPool): number {
  return rank(a) - rank(b) || b.available - a.available || compare(a.locationId, b.locationId);
}

/**
 * Chooses the location each SKU of a cart is reserved from. Demand is summed per SKU first, so two
 * lines of one SKU (or a bundle) are checked against stock together. With a pickup location everything
 * comes from there; otherwise each SKU comes from the single best location of the shopper's zone able to
 * serve its whole quantity. Pure: the reservation itself re-checks every quantity atomically.
 *
 * @returns one line per SKU, ordered by SKU
 * @throws OutOfStockError naming every SKU no eligible location can serve in full
 */
export function planReservation(
  lines: readonly DemandLine[],
  pools: readonly StockPool[],
  preference: ReservationPreference,
): ReservationLine[] {
  if (lines.length === 0) throw new ValidationError('A reservation needs at least one line');
  const demand = new Map<string, number>();
  for (const { sku, quantity } of lines) {
    if (!Number.isInteger(quantity) || quantity < 1) {
      throw new ValidationError(`Quantity of ${sku} must be a positive integer`, { sku, quantity });
    }
    demand.set(sku, (demand.get(sku) ?? 0) + quantity);
  }

  const eligible = (pool: StockPool) =>
    preference.pickupLocationId === undefined
      ? pool.zone === preference.zone
      : pool.locationId === preference.pickupLocationId;

  const planned: ReservationLine[] = [];
  const unservable: string[] = [];
  for (const sku of [...demand.keys()].sort(compare)) {
    const quantity = demand.get(sku) ?? 0;
    const best = pools
      .filter((pool) => pool.sku === sku && eligible(pool) && pool.available >= quantity)
      .sort(byPreference)[0];
    if (best) planned.push({ sku, locationId: best.locationId, quantity });
    else unservable.push(sku);
  }
  if (unservable.length > 0) throw new OutOfStockError(unservable);
  return planned;
}
