import { VersionConflictError } from '../errors.ts';
import type { DomainEvent } from '../platform/domain-event.ts';
import { TrackingNumberInUseError } from './errors.ts';
import {
  allowanceRefusal,
  type CreateShipmentOutcome,
  type LateCheckDue,
  lateCheckDueAt,
  type ShipmentAllowance,
  type ShipmentLateChecks,
  type ShipmentPointer,
  type ShipmentStore,
  unitsBySku,
} from './ports.ts';
import type { Shipment } from './shipment.ts';

const pointerKey = (carrier: string, trackingNumber: string) => `${carrier}#${trackingNumber}`;
const shipmentKey = (zone: string, shipmentId: string) => `${zone}#${shipmentId}`;
const orderKey = (zone: string, orderId: string) => `${zone}#${orderId}`;
const unitKey = (locationId: string, sku: string) => `${locationId}#${sku}`;

/** Shipments in memory, with the DynamoDB adapter's conditions; `events` is the outbox, in write order. */
export class InMemoryShipmentStore implements ShipmentStore, ShipmentLateChecks {
  readonly shipments = new Map<string, Shipment>();
  readonly pointers = new Map<string, ShipmentPointer>();
  readonly events: DomainEvent[] = [];
  /** Units of created shipments by order, then location and SKU: the DynamoDB store's counter item. */
  readonly shipped = new Map<string, Map<string, number>>();

  // No await from the first check to the last write: concurrent creates run one after the other.
  async create(
    shipment: Shipment,
    events: readonly DomainEvent[],
    allowance?: ShipmentAllowance,
  ): Promise<CreateShipmentOutcome> {
    const stored = this.shipments.get(shipmentKey(shipment.zone, shipment.shipmentId));
    if (stored) return { created: false, shipment: structuredClone(stored) };
    const counted = this.shipped.get(orderKey(shipment.zone, shipment.orderId)) ?? new Map<string, number>();
    if (allowance) {
      const refusal = allowanceRefusal(
        shipment,
        allowance,
        (sku) => counted.get(unitKey(shipment.locationId, sku)) ?? 0,
      );
      if (refusal) throw refusal;
    }
    const pointer = this.pointers.get(pointerKey(shipment.carrier, shipment.trackingNumber));
    if (pointer && pointer.shipmentId !== shipment.shipmentId) {
      throw new TrackingNumberInUseError(shipment.carrier, shipment.trackingNumber);
    }
    for (const [sku, units] of unitsBySku(shipment.lines)) {
      const key = unitKey(shipment.locationId, sku);
      counted.set(key, (counted.get(key) ?? 0) + units);
    }
    this.shipped.set(orderKey(shipment.zone, shipment.orderId), counted);
    this.shipments.set(shipmentKey(shipment.zone, shipment.shipmentId), structuredClone(shipment));
    this.pointers.set(pointerKey(shipment.carrier, shipment.trackingNumber), {
      shipmentId: shipment.shipmentId,
      orderId: shipment.orderId,
      zone: shipment.zone,
    });
    this.events.push(...events);
    return { created: true, shipment: structuredClone(shipment) };
  }

  async get(zone: string, shipmentId: string): Promise<Shipment | undefined> {
    const found = this.shipments.get(shipmentKey(zone, shipmentId));
    return found ? structuredClone(found) : undefined;
  }

  async listByOrder(zone: string, orderId: string): Promise<Shipment[]> {
    return [...this.shipments.values()]
      .filter((s) => s.zone === zone && s.orderId === orderId)
      .sort((a, b) =>
        a.createdAt === b.createdAt
          ? a.shipmentId < b.shipmentId
            ? -1
            : 1
          : a.createdAt < b.createdAt
            ? -1
            : 1,
      )
      .map((s) => structuredClone(s));
  }

  async findByTrackingNumber(carrier: string, trackingNumber: string): Promise<ShipmentPointer | undefined> {
    const found = this.pointers.get(pointerKey(carrier, trackingNumber));
    return found ? { ...found } : undefined;
  }

  async save(shipment: Shipment, expectedVersion: number, events: readonly DomainEvent[]): Promise<void> {
    const key = shipmentKey(shipment.zone, shipment.shipmentId);
    if (this.shipments.get(key)?.version !== expectedVersion) {
      throw new VersionConflictError(`Shipment ${shipment.shipmentId} changed meanwhile`);
    }
    this.shipments.set(key, structuredClone(shipment));
    this.events.push(...events);
  }

  async dueForLateCheck(now: Date, limit: number, after?: LateCheckDue): Promise<LateCheckDue[]> {
    const at = now.toISOString();
    const position = (d: LateCheckDue) => `${d.dueAt}#${d.zone}#${d.shipmentId}`;
    return [...this.shipments.values()]
      .flatMap((s) => {
        const dueAt = lateCheckDueAt(s);
        return dueAt && dueAt <= at ? [{ zone: s.zone, shipmentId: s.shipmentId, dueAt }] : [];
      })
      .filter((d) => !after || position(d) > position(after))
      .sort((a, b) => (position(a) < position(b) ? -1 : 1))
      .slice(0, limit);
  }
}
