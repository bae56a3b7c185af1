import type { DomainEvent } from '../platform/domain-event.ts';
import { ShipmentLinesInvalidError } from './errors.ts';
import type { Shipment, ShipmentLine } from './shipment.ts';
import { isTerminal } from './status.ts';

/** Where a tracking number's shipment is kept: enough to read it in its residency zone. */
export interface ShipmentPointer {
  readonly shipmentId: string;
  readonly orderId: string;
  readonly zone: string;
}

/** How {@link ShipmentStore.create} ended: `created`, or the shipment already stored under that id. */
export type CreateShipmentOutcome =
  | { readonly created: true; readonly shipment: Shipment }
  | { readonly created: false; readonly shipment: Shipment };

/**
 * What a new shipment may hold: the order's units of each SKU at the shipment's location. The store
 * keeps, per order, the units of every shipment it created by location and SKU, and refuses a shipment
 * that would take any of them past its allowance, in the same transaction as the write: two bookings
 * made at once from the same stale list of shipments cannot both take the same units.
 */
export interface ShipmentAllowance {
  /** Units by SKU at `shipment.locationId`; a SKU not named has none. */
  readonly allowed: Readonly<Record<string, number>>;
}

/** A parcel's units by SKU (a SKU on two lines counts once, with both quantities). */
export function unitsBySku(lines: readonly ShipmentLine[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return units;
}

/**
 * The refusal of a shipment whose units exceed what its allowance leaves, given the units of the order's
 * shipments already counted at that location (`shipped`, by SKU); undefined when it fits. The same code
 * and details as the booking's own check, so a caller cannot tell, and need not, whether the units went
 * to a parcel booked before or at the same moment.
 */
export function allowanceRefusal(
  shipment: Pick<Shipment, 'locationId' | 'lines'>,
  allowance: ShipmentAllowance,
  shipped: (sku: string) => number,
): ShipmentLinesInvalidError | undefined {
  const refused = [...unitsBySku(shipment.lines)]
    .map(([sku, requested]) => ({
      sku,
      requested,
      unshipped: Math.max(0, (allowance.allowed[sku] ?? 0) - shipped(sku)),
    }))
    .filter((line) => line.requested > line.unshipped);
  if (refused.length === 0) return undefined;
  return new ShipmentLinesInvalidError(
    `The parcel holds units the order does not hold at ${shipment.locationId}, or that are already shipped`,
    { locationId: shipment.locationId, lines: refused },
  );
}

/**
 * Shipments in their order's residency zone, and a pointer per carrier and tracking number (no personal
 * data: carrier, number, shipment, order and zone) that a carrier webhook, which names only the tracking
 * number, resolves first. Every write is conditional and carries its events as outbox items in the same
 * transaction, so a shipment and its event exist together or not at all.
 */
export interface ShipmentStore {
  /**
   * Writes a new shipment, its tracking-number pointer and its events in one transaction. A shipment id
   * already stored answers `created: false` with the stored shipment (a retried booking), and writes
   * nothing. Units beyond the `allowance` (see {@link ShipmentAllowance}) are refused with
   * ShipmentLinesInvalidError, and a tracking number already pointing at another shipment with a
   * ConflictError (`TRACKING_NUMBER_IN_USE`), in that order after the retry; nothing is written.
   *
   * Every created shipment's units are counted, with or without an allowance, so that a later bounded
   * create sees them; without one (seeding, tests) they are not bounded. A booking always passes one.
   */
  create(
    shipment: Shipment,
    events: readonly DomainEvent[],
    allowance?: ShipmentAllowance,
  ): Promise<CreateShipmentOutcome>;

  get(zone: string, shipmentId: string): Promise<Shipment | undefined>;

  /** An order's shipments, oldest first. */
  listByOrder(zone: string, orderId: string): Promise<Shipment[]>;

  /** The shipment a carrier's tracking number belongs to, if any (carrier as in `Shipment.carrier`). */
  findByTrackingNumber(carrier: string, trackingNumber: string): Promise<ShipmentPointer | undefined>;

  /**
   * Replaces the shipment if it is still at `expectedVersion` (so `shipment.version` is one more) and
   * writes its events; VersionConflictError otherwise, and nothing is written.
   */
  save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]): Promise<void>;
}

/** A shipment the late check must look at (see {@link lateCheckDueAt}). */
export interface LateCheckDue {
  readonly zone: string;
  readonly shipmentId: string;
  readonly dueAt: string;
}

/** The easternmost UTC offset (Kiribati, UTC+14): where a calendar day ends first. */
const EARLIEST_DAY_END_OFFSET_HOURS = 14;

/**
 * When the late check must first look at a shipment: the instant the last day of its promised window has
 * ended in the easternmost time zone (`{latest}T10:00:00.000Z`), since the window is in the destination's
 * local dates and the shipment does not name its time zone; the check itself then applies the
 * destination's. Undefined for a delivered or returned shipment and for one without an estimate.
 * Stores keep their index of due shipments from this on every write.
 */
export function lateCheckDueAt(shipment: Pick<Shipment, 'status' | 'estimate'>): string | undefined {
  const latest = shipment.estimate?.latest;
  if (!latest || isTerminal(shipment.status)) return undefined;
  const dayAfter = Date.parse(`${latest}T00:00:00.000Z`) + 24 * 3600_000;
  return new Date(dayAfter - EARLIEST_DAY_END_OFFSET_HOURS * 3600_000).toISOString();
}

/**
 * Shipments by late-check time, in every zone: those still on their way whose {@link lateCheckDueAt} has
 * passed. Kept in the same write as each shipment, so a revised estimate or a delivery moves or removes
 * the entry atomically.
 */
export interface ShipmentLateChecks {
  /**
   * Shipments due at `now` (eventually consistent: re-read each one), at most `limit`, in the order of
   * `dueAt`, then zone, then shipment id; after `after` (the last entry of the previous page) when given.
   */
  dueForLateCheck(now: Date, limit: number, after?: LateCheckDue): Promise<LateCheckDue[]>;
}
