import { z } from 'zod';
import { Sku, Slug } from '../contracts/catalog.ts';
import { ValidationError } from '../errors.ts';
import { ReservationConflictError } from './errors.ts';

/** A residency zone name, as in `cdk.json`'s `zones`. */
export const Zone = z.string().regex(/^[a-z]{2,8}$/, 'zone names are 2-8 lower-case letters');

/**
 * Reservation ids end up inside table keys (`RESERVATION#<id>`), so `#` and whitespace are kept out;
 * callers derive them from the checkout (`checkout:<id>`) so a retried checkout finds its reservation.
 */
export const ReservationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/, 'letters, digits, ":", ".", "_" and "-", at most 128');

/** Whether stock sits in a warehouse (ships) or a boutique (ships, and may hand over in person). */
export const PoolLocationType = z.enum(['warehouse', 'boutique']);
export type PoolLocationType = z.infer<typeof PoolLocationType>;

const Units = z.number().int().min(0);

/**
 * Units of one SKU at one location. `available` is stored alongside the counters it derives from
 * (`onHand - reserved - allocated`) so that a conditional write can test it in a single comparison.
 * Conservation: `onHand = available + reserved + allocated`, and no counter is ever negative.
 */
export const StockPool = z
  .object({
    sku: Sku,
    locationId: Slug,
    zone: Zone,
    /** Lets planning prefer warehouses; absent on pools created without it (ranked between the two). */
    locationType: PoolLocationType.optional(),
    onHand: Units,
    reserved: Units.describe('Held for checkouts that have not paid yet'),
    allocated: Units.describe('Promised to paid orders and not yet shipped'),
    available: Units.describe('onHand - reserved - allocated'),
  })
  .meta({ id: 'StockPool' });
export type StockPool = z.infer<typeof StockPool>;

/** A quantity of one SKU taken from one location. */
export const ReservationLine = z.strictObject({
  sku: Sku,
  locationId: Slug,
  quantity: z.number().int().min(1).max(10_000),
});
export type ReservationLine = z.infer<typeof ReservationLine>;

/** What a cart asks for, before a location is chosen. */
export const DemandLine = z.strictObject({
  sku: Sku,
  quantity: z.number().int().min(1).max(10_000),
});
export type DemandLine = z.infer<typeof DemandLine>;

/**
 * `held`: stock taken from `available` into `reserved` until `holdUntil`; `allocated`: paid, moved into
 * `allocated`; `released`: given back (expired, declined or cancelled). Released can become allocated
 * again when a late payment arrives and the stock is still there.
 */
export const ReservationStatus = z.enum(['held', 'allocated', 'released']);
export type ReservationStatus = z.infer<typeof ReservationStatus>;

/** The checkout a reservation belongs to, in the zone that holds the shopper's data. */
export const ReservationOwner = z.strictObject({
  zone: Zone,
  checkoutId: z.string().min(1).max(128),
});
export type ReservationOwner = z.infer<typeof ReservationOwner>;

export const Reservation = z
  .object({
    reservationId: ReservationId,
    status: ReservationStatus,
    lines: z.array(ReservationLine).min(1),
    holdUntil: z.iso.datetime(),
    owner: ReservationOwner,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    releaseReason: z.string().min(1).max(200).optional(),
  })
  .meta({ id: 'Reservation' });
export type Reservation = z.infer<typeof Reservation>;

/**
 * DynamoDB caps a transaction at 100 items, and a reservation takes one for itself, so a reservation
 * can touch at most 99 pools.
 */
export const MAX_RESERVATION_POOLS = 99;

/** The key of a pool, for maps and sets. */
export const poolKey = (sku: string, locationId: string): string => `${sku}\u0000${locationId}`;

/**
 * Merges lines that name the same pool, in a stable order (by SKU, then location), so that two cart
 * lines of one SKU, or a bundle, are checked against stock as one quantity.
 */
export function sumLines(lines: readonly ReservationLine[]): ReservationLine[] {
  const summed = new Map<string, ReservationLine>();
  for (const line of lines) {
    const key = poolKey(line.sku, line.locationId);
    const seen = summed.get(key);
    summed.set(key, { ...line, quantity: (seen?.quantity ?? 0) + line.quantity });
  }
  return [...summed.values()].sort((a, b) => compare(a.sku, b.sku) || compare(a.locationId, b.locationId));
}

/**
 * The lines a reservation stores: summed per pool, at least one, at most {@link MAX_RESERVATION_POOLS}.
 * @throws ValidationError
 */
export function reservationLines(lines: readonly ReservationLine[]): ReservationLine[] {
  if (lines.length === 0) throw new ValidationError('A reservation needs at least one line');
  for (const line of lines) {
    const parsed = ReservationLine.safeParse(line);
    if (!parsed.success) {
      throw new ValidationError(`Invalid reservation line for ${String(line.sku)}`, {
        issues: parsed.error.issues.map((issue) => issue.message),
      });
    }
  }
  const summed = sumLines(lines);
  if (summed.length > MAX_RESERVATION_POOLS) {
    throw new ValidationError(
      `A reservation can take stock from at most ${MAX_RESERVATION_POOLS} pools; this one names ${summed.length}`,
      { pools: summed.length, max: MAX_RESERVATION_POOLS },
    );
  }
  return summed;
}

/** Checks a reservation id before it becomes part of a key. */
export function assertReservationId(reservationId: string): void {
  if (!ReservationId.safeParse(reservationId).success) {
    throw new ValidationError(`Invalid reservation id ${JSON.stringify(reservationId)}`);
  }
}

/** A new held reservation, as both stores write it. */
export function heldReservation(
  request: {
    readonly reservationId: string;
    readonly holdUntil: Date;
    readonly owner: ReservationOwner;
    readonly now: Date;
  },
  lines: ReservationLine[],
): Reservation {
  const at = request.now.toISOString();
  return {
    reservationId: request.reservationId,
    status: 'held',
    lines,
    holdUntil: request.holdUntil.toISOString(),
    owner: { zone: request.owner.zone, checkoutId: request.owner.checkoutId },
    createdAt: at,
    updatedAt: at,
  };
}

/** Whether two sets of lines take the same quantities from the same pools, whatever their order. */
export function sameLines(a: readonly ReservationLine[], b: readonly ReservationLine[]): boolean {
  const x = sumLines(a);
  const y = sumLines(b);
  return (
    x.length === y.length &&
    x.every(
      (line, i) =>
        line.sku === y[i]?.sku && line.locationId === y[i]?.locationId && line.quantity === y[i]?.quantity,
    )
  );
}

/**
 * The answer to a reserve whose id is already taken: a retried checkout (same lines and owner) resumes
 * the stored reservation, whatever its status; anything else is a conflict.
 * @throws ReservationConflictError
 */
export function resumeReservation(
  existing: Reservation,
  lines: readonly ReservationLine[],
  request: { readonly reservationId: string; readonly owner: ReservationOwner },
): Reservation {
  if (
    sameLines(existing.lines, lines) &&
    existing.owner.zone === request.owner.zone &&
    existing.owner.checkoutId === request.owner.checkoutId
  ) {
    return structuredClone(existing);
  }
  throw new ReservationConflictError(
    `Reservation ${request.reservationId} already exists with other lines or another owner`,
  );
}

/** The ways a pool breaks conservation or goes negative; empty when it is sound. */
export function poolViolations(pool: StockPool): string[] {
  const violations: string[] = [];
  for (const field of ['onHand', 'reserved', 'allocated', 'available'] as const) {
    if (pool[field] < 0) violations.push(`${field} is negative (${pool[field]})`);
  }
  if (pool.onHand !== pool.available + pool.reserved + pool.allocated) {
    violations.push(
      `onHand ${pool.onHand} != available ${pool.available} + reserved ${pool.reserved} + allocated ${pool.allocated}`,
    );
  }
  return violations;
}

/** Code-point order, the order DynamoDB sorts string keys in; `localeCompare` would vary by locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
