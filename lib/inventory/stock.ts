import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Sku, Slug } from '../contracts/catalog.ts';
import { ValidationError } from '../errors.ts';
import { ReservationConflictError, StockCommittedError } from './errors.ts';

/** A residency zone name, as in `cdk.json`'s `zones`. */
export const Zone = z.string().regex(/^[a-z]{2,8}$/, 'zone names are 2-8 lower-case letters');

/**
 * Reservation ids end up inside table keys (`RESERVATION#<id>`), so `#` and whitespace are kept out;
 * callers derive them from the checkout (`checkout:<id>`) so a retried checkout finds its reservation.
 */
export const ReservationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/, 'letters, digits, ":", ".", "_" and "-", at most 128');

/**
 * The sales channels a house sells through. `web` and `app` are the storefronts, `boutique` the sales
 * floor and its tablets, `instagram`, `wechat` and `tiktok` social commerce, `clienteling` the sales
 * associates serving their own clients (VIP).
 */
export const Channel = z.enum(['web', 'app', 'boutique', 'instagram', 'wechat', 'tiktok', 'clienteling']);
export type Channel = z.infer<typeof Channel>;

/**
 * The name of a ring-fence on a pool: a channel's allocation (`web`, `clienteling`, ...) or a drop's
 * stock (`drop_<dropId>`). Fence keys become attribute names in DynamoDB update paths, hence the
 * narrow alphabet.
 */
export const FenceKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and "_", starting with a letter');
export type FenceKey = z.infer<typeof FenceKey>;

/** The fence that holds a drop's units on its pools. */
export const dropFenceKey = (dropId: string): string =>
  `drop_${dropId.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;

/**
 * Units ring-fenced on a pool for one channel or drop. `overflow`: whether a sale on that channel, once
 * the fence is empty, may go on to draw from the pool's shared remainder (`available`). Fences are never
 * deleted, only set to zero units, so that a late release always finds the fence it gives back to.
 */
export const StockFence = z.strictObject({
  units: z.number().int().min(0),
  overflow: z.boolean(),
});
export type StockFence = z.infer<typeof StockFence>;

/** Whether stock sits in a warehouse (ships) or a boutique (ships, and may hand over in person). */
export const PoolLocationType = z.enum(['warehouse', 'boutique']);
export type PoolLocationType = z.infer<typeof PoolLocationType>;

const Units = z.number().int().min(0);

/**
 * Units of one SKU at one location. `available` is the shared remainder every channel may sell, stored
 * alongside the counters it derives from (`onHand - reserved - allocated - Σ fences`) so that a
 * conditional write can test it in a single comparison. Conservation:
 * `onHand = available + Σ fences[k].units + reserved + allocated`, and no counter is ever negative.
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
    available: Units.describe('The shared remainder: onHand - reserved - allocated - fenced units'),
    fences: z
      .record(FenceKey, StockFence)
      .default({})
      .describe('Units ring-fenced per channel or drop; absent fences hold nothing'),
  })
  .meta({ id: 'StockPool' });
export type StockPool = z.infer<typeof StockPool>;

/**
 * A quantity of one SKU taken from one location: `fence.units` of it from that fence, the rest from the
 * shared remainder. A release gives each part back where it came from. `fulfilledAt`: the units left the
 * location (shipped or collected), so they are no longer on hand and nothing can release them.
 */
export const ReservationLine = z.strictObject({
  sku: Sku,
  locationId: Slug,
  quantity: z.number().int().min(1).max(10_000),
  fence: z.strictObject({ key: FenceKey, units: z.number().int().min(1).max(10_000) }).optional(),
  fulfilledAt: z.iso.datetime().optional(),
});
export type ReservationLine = z.infer<typeof ReservationLine>;

/** What a cart asks for, before a location is chosen. */
export const DemandLine = z.strictObject({
  sku: Sku,
  quantity: z.number().int().min(1).max(10_000),
});
export type DemandLine = z.infer<typeof DemandLine>;

/**
 * `held`: stock taken from `available` (and fences) into `reserved` until `holdUntil`; `allocated`:
 * paid, moved into `allocated`; `fulfilled`: every line has left its location (shipped or collected);
 * `released`: given back (expired, declined or cancelled). Released can become allocated again when a
 * late payment arrives and the stock is still there.
 */
export const ReservationStatus = z.enum(['held', 'allocated', 'fulfilled', 'released']);
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
 * DynamoDB caps a transaction at 100 items. A reservation takes one for itself and two per pool (the
 * pool and its ledger entry), so it can touch at most 49 pools.
 */
export const MAX_RESERVATION_POOLS = 49;

/** Why a pool's counters moved. Every movement writes one ledger entry per pool it touches. */
export const MovementType = z.enum([
  'receipt',
  'adjustment',
  'reservation',
  'release',
  'allocation',
  'shipment',
  'transfer_out',
  'transfer_in',
  'return',
  'fence',
]);
export type MovementType = z.infer<typeof MovementType>;

/** Who moved stock: a staff member (their subject), a customer-facing flow, or the platform itself. */
export const StockActor = z.strictObject({
  kind: z.enum(['staff', 'checkout', 'drop', 'system']),
  id: z.string().min(1).max(128),
});
export type StockActor = z.infer<typeof StockActor>;

/** Signed changes of each counter of one pool; zero changes may be omitted. */
export const PoolDelta = z.strictObject({
  onHand: z.number().int().default(0),
  available: z.number().int().default(0),
  reserved: z.number().int().default(0),
  allocated: z.number().int().default(0),
  fences: z.record(FenceKey, z.number().int()).default({}),
});
export type PoolDelta = z.infer<typeof PoolDelta>;

/**
 * One movement of one pool, written in the same transaction as the counters it changes, so that
 * replaying a pool's ledger from zero ({@link replayLedger}) always rebuilds the pool. `reference`
 * names what caused it (a reservation, transfer or drop id); the ledger holds no personal data.
 */
export const LedgerEntry = z
  .strictObject({
    entryId: z.string().min(1).max(200),
    sku: Sku,
    locationId: Slug,
    type: MovementType,
    delta: PoolDelta,
    actor: StockActor,
    reason: z.string().min(1).max(200),
    reference: z.string().min(1).max(200).optional(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'LedgerEntry' });
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** The key of a pool, for maps and sets. */
export const poolKey = (sku: string, locationId: string): string => `${sku}\u0000${locationId}`;

/**
 * Merges lines that name the same pool, in a stable order (by SKU, then location), so that two cart
 * lines of one SKU, or a bundle, are checked against stock as one quantity. Their fenced parts add up
 * too; one pool's units can only come from one fence per reservation.
 * @throws ValidationError when two lines of one pool name different fences
 */
export function sumLines(lines: readonly ReservationLine[]): ReservationLine[] {
  const summed = new Map<string, ReservationLine>();
  for (const line of lines) {
    const key = poolKey(line.sku, line.locationId);
    const seen = summed.get(key);
    if (seen?.fence && line.fence && seen.fence.key !== line.fence.key) {
      throw new ValidationError(
        `${line.sku} at ${line.locationId} cannot be taken from two fences (${seen.fence.key}, ${line.fence.key}) in one reservation`,
      );
    }
    const fenced = (seen?.fence?.units ?? 0) + (line.fence?.units ?? 0);
    const fenceKey = seen?.fence?.key ?? line.fence?.key;
    summed.set(key, {
      ...line,
      quantity: (seen?.quantity ?? 0) + line.quantity,
      ...(fenceKey !== undefined && fenced > 0 ? { fence: { key: fenceKey, units: fenced } } : {}),
    });
  }
  return [...summed.values()].sort((a, b) => compare(a.sku, b.sku) || compare(a.locationId, b.locationId));
}

/**
 * The lines a reservation stores: summed per pool, at least one, at most {@link MAX_RESERVATION_POOLS},
 * each fenced part within its line's quantity, none fulfilled yet.
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
    if (line.fence && line.fence.units > line.quantity) {
      throw new ValidationError(
        `${line.sku} at ${line.locationId} takes ${line.fence.units} units from fence ${line.fence.key} but only ${line.quantity} in all`,
      );
    }
    if (line.fulfilledAt !== undefined) {
      throw new ValidationError(
        `A new reservation cannot hold fulfilled lines (${line.sku} at ${line.locationId})`,
      );
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

/**
 * Whether two sets of lines take the same quantities from the same pools and fences, whatever their
 * order (and whether some have been fulfilled since).
 */
export function sameLines(a: readonly ReservationLine[], b: readonly ReservationLine[]): boolean {
  const x = sumLines(a);
  const y = sumLines(b);
  return (
    x.length === y.length &&
    x.every((line, i) => {
      const other = y[i];
      return (
        line.sku === other?.sku &&
        line.locationId === other.locationId &&
        line.quantity === other.quantity &&
        line.fence?.key === other.fence?.key &&
        line.fence?.units === other.fence?.units
      );
    })
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
  let fenced = 0;
  for (const [key, fence] of Object.entries(pool.fences ?? {})) {
    if (fence.units < 0) violations.push(`fence ${key} is negative (${fence.units})`);
    fenced += fence.units;
  }
  if (pool.onHand !== pool.available + fenced + pool.reserved + pool.allocated) {
    violations.push(
      `onHand ${pool.onHand} != available ${pool.available} + fenced ${fenced} + reserved ${pool.reserved} + allocated ${pool.allocated}`,
    );
  }
  return violations;
}

/** Code-point order, the order DynamoDB sorts string keys in; `localeCompare` would vary by locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Stock moving between two locations. Dispatch takes the units off the source (`transfer_out`), receipt
 * puts them on the destination (`transfer_in`); in between they are in transit and on neither, so each
 * step is a transaction in one home region and a transfer never needs a cross-region write.
 */
export const Transfer = z
  .strictObject({
    transferId: ReservationId,
    sku: Sku,
    fromLocationId: Slug,
    toLocationId: Slug,
    quantity: z.number().int().min(1).max(10_000),
    status: z.enum(['in_transit', 'received']),
    actor: StockActor,
    reason: z.string().min(1).max(200),
    dispatchedAt: z.iso.datetime(),
    receivedAt: z.iso.datetime().optional(),
  })
  .meta({ id: 'StockTransfer' });
export type Transfer = z.infer<typeof Transfer>;

/** The counters of a pool, the part of it a ledger records (fence policies are settings, not counts). */
export interface PoolCounters {
  onHand: number;
  available: number;
  reserved: number;
  allocated: number;
  /** Units per fence; fences holding zero units are left out so that two equal pools compare equal. */
  fences: Record<string, number>;
}

/** The counters of a stored pool, in the shape {@link replayLedger} rebuilds. */
export function poolCounters(pool: StockPool): PoolCounters {
  const fences: Record<string, number> = {};
  for (const [key, fence] of Object.entries(pool.fences ?? {}))
    if (fence.units !== 0) fences[key] = fence.units;
  return {
    onHand: pool.onHand,
    available: pool.available,
    reserved: pool.reserved,
    allocated: pool.allocated,
    fences,
  };
}

/** The counters of a pool rebuilt from nothing by adding up its ledger entries, in any order. */
export function replayLedger(entries: readonly LedgerEntry[]): PoolCounters {
  const pool: PoolCounters = { onHand: 0, available: 0, reserved: 0, allocated: 0, fences: {} };
  for (const { delta } of entries) {
    pool.onHand += delta.onHand;
    pool.available += delta.available;
    pool.reserved += delta.reserved;
    pool.allocated += delta.allocated;
    for (const [key, units] of Object.entries(delta.fences))
      pool.fences[key] = (pool.fences[key] ?? 0) + units;
  }
  for (const [key, units] of Object.entries(pool.fences)) if (units === 0) delete pool.fences[key];
  return pool;
}

/** A delta that changes nothing, to build on. */
export function noDelta(): PoolDelta {
  return { onHand: 0, available: 0, reserved: 0, allocated: 0, fences: {} };
}

/**
 * Where a line's units can be: on the shelf unclaimed (`pool`: its fenced part in the fence, the rest in
 * the shared remainder), `reserved`, `allocated`, or gone from the location (`shipped`, off on hand).
 */
export type LinePlace = 'pool' | 'reserved' | 'allocated' | 'shipped';

/**
 * The exact change of a pool when a line's units move from one place to another: a reservation is
 * `pool → reserved`, a payment `reserved → allocated`, a release `reserved|allocated → pool`, a late
 * payment of a released reservation `pool → allocated`, a shipment `allocated → shipped`.
 */
export function lineDelta(line: ReservationLine, from: LinePlace, to: LinePlace): PoolDelta {
  const delta = noDelta();
  const fenced = line.fence?.units ?? 0;
  const move = (place: LinePlace, sign: 1 | -1) => {
    if (place === 'reserved' || place === 'allocated') delta[place] += sign * line.quantity;
    else if (place === 'shipped') delta.onHand -= sign * line.quantity;
    else {
      delta.available += sign * (line.quantity - fenced);
      if (line.fence) delta.fences[line.fence.key] = (delta.fences[line.fence.key] ?? 0) + sign * fenced;
    }
  };
  move(from, -1);
  move(to, 1);
  return delta;
}

/**
 * Applies a delta to a pool's counters in place. Fences the delta names must exist; a setFence that
 * creates one adds it first.
 */
export function applyDelta(pool: StockPool, delta: PoolDelta): void {
  pool.onHand += delta.onHand;
  pool.available += delta.available;
  pool.reserved += delta.reserved;
  pool.allocated += delta.allocated;
  for (const [key, units] of Object.entries(delta.fences)) {
    const fence = pool.fences[key];
    if (!fence) throw new Error(`Pool ${pool.sku} at ${pool.locationId} has no fence ${key}`);
    fence.units += units;
  }
}

/**
 * Whether a pool can take a delta without a counter going negative (and has every fence it names): the
 * check a conditional write makes in DynamoDB.
 */
export function deltaFits(pool: StockPool | undefined, delta: PoolDelta): boolean {
  if (!pool) return false;
  for (const field of ['onHand', 'available', 'reserved', 'allocated'] as const) {
    if (pool[field] + delta[field] < 0) return false;
  }
  return Object.entries(delta.fences).every(([key, units]) => {
    const fence = pool.fences[key];
    return fence !== undefined && fence.units + units >= 0;
  });
}

/** Who moved stock, why and when, as {@link ledgerEntry} records it. */
export interface LedgerContext {
  readonly actor: StockActor;
  readonly reason: string;
  readonly reference?: string | undefined;
  readonly now: Date;
}

/**
 * A ledger entry id: the movement type and what caused it, for people reading the ledger, and a random
 * suffix, because one reservation or transfer can move the same pool more than once in a millisecond.
 */
export function ledgerEntryId(type: MovementType, reference: string | undefined): string {
  return `${type}:${(reference ?? '-').slice(0, 120)}:${randomBytes(8).toString('hex')}`;
}

/**
 * The ledger entry of one movement of one pool.
 * @throws ValidationError for a reason, reference or pool key the ledger cannot hold
 */
export function ledgerEntry(
  pool: { readonly sku: string; readonly locationId: string },
  type: MovementType,
  delta: PoolDelta,
  context: LedgerContext,
  entryId: string = ledgerEntryId(type, context.reference),
): LedgerEntry {
  const parsed = LedgerEntry.safeParse({
    entryId,
    sku: pool.sku,
    locationId: pool.locationId,
    type,
    delta,
    actor: context.actor,
    reason: context.reason,
    ...(context.reference !== undefined ? { reference: context.reference } : {}),
    at: context.now.toISOString(),
  });
  if (!parsed.success) {
    throw new ValidationError(`Invalid ${type} movement of ${pool.sku} at ${pool.locationId}`, {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

/**
 * Where an entry sits in its pool's ledger: oldest first by time, then by id. Pages are cut at these
 * positions (`after`), and the DynamoDB store uses it as the sort key.
 */
export const ledgerPosition = (entry: Pick<LedgerEntry, 'at' | 'entryId'>): string =>
  `${entry.at}#${entry.entryId}`;

/** The page size of a ledger read: 100 unless asked, at most 1,000. */
export function ledgerLimit(limit: number | undefined): number {
  const value = limit ?? 100;
  if (!Number.isInteger(value) || value < 1 || value > 1_000) {
    throw new ValidationError('A ledger page holds 1 to 1000 entries', { limit });
  }
  return value;
}

/**
 * The signed change of on hand a stock adjustment asks for: the difference to an absolute count, or the
 * change itself.
 * @throws ValidationError for neither or both of `onHand` and `by`, a non-integer or a negative count
 */
export function adjustmentChange(
  request: { readonly onHand?: number | undefined; readonly by?: number | undefined },
  currentOnHand: number,
): number {
  const { onHand, by } = request;
  if ((onHand === undefined) === (by === undefined)) {
    throw new ValidationError('An adjustment sets either onHand or by, not both or neither');
  }
  if (onHand !== undefined) {
    if (!Number.isInteger(onHand) || onHand < 0) {
      throw new ValidationError('On hand must be a non-negative integer', { onHand });
    }
    return onHand - currentOnHand;
  }
  if (!Number.isInteger(by)) throw new ValidationError('An adjustment changes stock by whole units', { by });
  return by as number;
}

/**
 * Checks the pool key and type of a stock adjustment before anything is read or written.
 * @throws ValidationError
 */
export function assertAdjustable(request: {
  readonly sku: string;
  readonly locationId: string;
  readonly zone: string;
  readonly type: string;
  readonly onHand?: number | undefined;
  readonly by?: number | undefined;
}): void {
  adjustmentChange(request, 0);
  const problems = [
    Sku.safeParse(request.sku).success ? undefined : `sku ${JSON.stringify(request.sku)}`,
    Slug.safeParse(request.locationId).success ? undefined : `location ${JSON.stringify(request.locationId)}`,
    Zone.safeParse(request.zone).success ? undefined : `zone ${JSON.stringify(request.zone)}`,
    ['receipt', 'adjustment', 'return'].includes(request.type) ? undefined : `type ${request.type}`,
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ValidationError(`Invalid stock adjustment: ${problems.join(', ')}`);
}

/**
 * Checks a fence request: a valid key, a whole non-negative size.
 * @throws ValidationError
 */
export function assertFence(request: {
  readonly key: string;
  readonly units: number;
  readonly overflow: boolean;
}) {
  if (!FenceKey.safeParse(request.key).success) {
    throw new ValidationError(`Invalid fence key ${JSON.stringify(request.key)}`);
  }
  if (!Number.isInteger(request.units) || request.units < 0) {
    throw new ValidationError('A fence holds a non-negative whole number of units', { units: request.units });
  }
  if (typeof request.overflow !== 'boolean') throw new ValidationError('A fence says whether it overflows');
}

/**
 * Checks a transfer request: a valid id, SKU, two different locations and a quantity.
 * @throws ValidationError
 */
export function assertTransfer(request: {
  readonly transferId: string;
  readonly sku: string;
  readonly fromLocationId: string;
  readonly toLocationId: string;
  readonly quantity: number;
}): void {
  const problems = [
    ReservationId.safeParse(request.transferId).success ? undefined : 'transfer id',
    Sku.safeParse(request.sku).success ? undefined : 'sku',
    Slug.safeParse(request.fromLocationId).success ? undefined : 'source location',
    Slug.safeParse(request.toLocationId).success ? undefined : 'destination location',
    request.fromLocationId !== request.toLocationId ? undefined : 'the same source and destination',
    Number.isInteger(request.quantity) && request.quantity >= 1 && request.quantity <= 10_000
      ? undefined
      : 'quantity (1 to 10000)',
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ValidationError(`Invalid transfer: ${problems.join(', ')}`);
}

/** Whether a stored transfer is the one a repeated dispatch asks for. */
export function sameTransfer(
  stored: Transfer,
  request: {
    readonly sku: string;
    readonly fromLocationId: string;
    readonly toLocationId: string;
    readonly quantity: number;
  },
): boolean {
  return (
    stored.sku === request.sku &&
    stored.fromLocationId === request.fromLocationId &&
    stored.toLocationId === request.toLocationId &&
    stored.quantity === request.quantity
  );
}

/** The lines whose units are still at their location. */
export function openLines(reservation: Reservation): ReservationLine[] {
  return reservation.lines.filter((line) => line.fulfilledAt === undefined);
}

/**
 * The open lines a fulfilment at `locationIds` (all when omitted) takes.
 * @throws ValidationError for a location no line of the reservation is at
 */
export function fulfilmentTargets(
  reservation: Reservation,
  locationIds: readonly string[] | undefined,
): ReservationLine[] {
  const strangers = (locationIds ?? []).filter((id) => !reservation.lines.some((l) => l.locationId === id));
  if (strangers.length > 0) {
    throw new ValidationError(
      `Reservation ${reservation.reservationId} takes nothing from ${strangers.join(', ')}`,
      { locationIds: strangers },
    );
  }
  return openLines(reservation).filter((line) => !locationIds || locationIds.includes(line.locationId));
}

/**
 * The reservation once `targets` (lines of this very reservation, as {@link fulfilmentTargets} answers
 * them) have left their locations: `fulfilled` when no line is left.
 */
export function fulfilled(
  reservation: Reservation,
  targets: readonly ReservationLine[],
  now: Date,
): Reservation {
  const at = now.toISOString();
  const lines = reservation.lines.map((line) =>
    targets.includes(line) ? { ...line, fulfilledAt: at } : line,
  );
  return {
    ...reservation,
    lines,
    status: lines.every((line) => line.fulfilledAt !== undefined) ? 'fulfilled' : reservation.status,
    updatedAt: at,
  };
}

/** The ledger context of a payment or release: on behalf of the checkout that reserved. */
export function checkoutContext(reservation: Reservation, reason: string, now: Date): LedgerContext {
  return {
    actor: { kind: 'checkout', id: reservation.owner.checkoutId },
    reason,
    reference: reservation.reservationId,
    now,
  };
}

/** The refusal of an adjustment that would take the shared remainder below zero. */
export function adjustmentRefused(
  request: { readonly sku: string; readonly locationId: string },
  pool: StockPool | undefined,
  change: number,
): StockCommittedError {
  const fenced = Object.values(pool?.fences ?? {}).reduce((sum, fence) => sum + fence.units, 0);
  const onHand = (pool?.onHand ?? 0) + change;
  return new StockCommittedError(
    `${request.sku} at ${request.locationId} has ${(pool?.onHand ?? 0) - (pool?.available ?? 0)} units reserved, allocated or fenced; on hand cannot be ${onHand}`,
    {
      onHand: pool?.onHand ?? 0,
      available: pool?.available ?? 0,
      reserved: pool?.reserved ?? 0,
      allocated: pool?.allocated ?? 0,
      fenced,
    },
  );
}

/** The refusal of a fence that would need more units than the shared remainder holds. */
export function fenceRefused(
  request: {
    readonly sku: string;
    readonly locationId: string;
    readonly key: string;
    readonly units: number;
  },
  available: number,
): StockCommittedError {
  return new StockCommittedError(
    `${request.sku} at ${request.locationId} has ${available} units unclaimed; fence ${request.key} cannot grow to ${request.units}`,
    { available, key: request.key, units: request.units },
  );
}
