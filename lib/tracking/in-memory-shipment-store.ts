import { VersionConflictError } from '../errors.ts';
import type { DomainEvent } from '../platform/domain-event.ts';
import { TrackingNumberInUseError } from './errors.ts';
import {
  type CreateShipmentOutcome,
  type LateCheckDue,
  lateCheckDueAt,
  type ShipmentLateChecks,
  type ShipmentPointer,
  type ShipmentStore,
} from './ports.ts';
import type { Shipment } from './shipment.ts';

const pointerKey = (carrier: string, trackingNumber: string) => `${carrier}#${trackingNumber}`;
const shipmentKey = (zone: string, shipmentId: string) => `${zone}#${shipmentId}`;

/** Shipments in memory, with the DynamoDB adapter's conditions; `events` is the outbox, in write order. */
export class InMemoryShipmentStore implements ShipmentStore, ShipmentLateChecks {
  readonly shipments = new Map<string, Shipment>();
  readonly pointers = new Map<string, ShipmentPointer>();
  readonly events: DomainEvent[] = [];

  async create(shipment: Shipment, events: readonly DomainEvent[]): Promise<CreateShipmentOutcome> {
    const stored = this.shipments.get(shipmentKey(shipment.zone, shipment.shipmentId));
    if (stored) return { created: false, shipment: structuredClone(stored) };
    const pointer = this.pointers.get(pointerKey(shipment.carrier, shipment.trackingNumber));
    if (pointer && pointer.shipmentId !== shipment.shipmentId) {
      throw new TrackingNumberInUseError(shipment.carrier, shipment.trackingNumber);
    }
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
