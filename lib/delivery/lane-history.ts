import type { CommerceRepository } from '../commerce/commerce-repository.ts';
import type { LocationDirectory } from '../commerce/ports.ts';
import { ValidationError } from '../errors.ts';
import type { Clock } from '../platform/domain-event.ts';
import type { ShipmentStore } from '../tracking/ports.ts';
import { DeliveryService, laneKey } from './lanes.ts';
import {
  TransitModel,
  type TransitModelOptions,
  type TransitModelSnapshot,
  type TransitSample,
  transitSample,
} from './transit-model.ts';

/** Longest transit a stored histogram keeps apart; a snapshot holds at most 64 day counts. */
export const MAX_STORED_TRANSIT_DAYS = 63;

/** One delivered shipment's transit, named by the shipment so that it is counted once. */
export type LaneObservation = TransitSample & { readonly shipmentId: string };

/**
 * The transit times seen on every lane, kept as counts per lane, season and day so that the model of
 * any function can be rebuilt from them.
 */
export interface LaneHistory {
  /**
   * Counts a delivered shipment's transit, once per shipment: a delivery event that arrives twice (or
   * after a retry) counts nothing the second time.
   *
   * @returns false when the shipment was already counted
   */
  record(observation: LaneObservation): Promise<boolean>;
  /** Every lane's histograms, as {@link TransitModel.fromSnapshot} reloads them. */
  snapshot(): Promise<TransitModelSnapshot>;
}

/** Transit days as stored: whole days, clamped to what a snapshot can hold. */
export const storedDays = (days: number) => Math.min(Math.max(0, Math.round(days)), MAX_STORED_TRANSIT_DAYS);

/** A {@link LaneHistory} in process memory, for tests and fakes. */
export class InMemoryLaneHistory implements LaneHistory {
  private readonly seen = new Set<string>();
  private readonly lanes = new Map<string, TransitModelSnapshot['lanes'][number]>();

  async record(observation: LaneObservation): Promise<boolean> {
    if (this.seen.has(observation.shipmentId)) return false;
    this.seen.add(observation.shipmentId);
    const { lane, season } = observation;
    const key = `${laneKey(lane)}|${season}`;
    const entry = this.lanes.get(key) ?? { lane, season, counts: [] };
    const days = storedDays(observation.days);
    while (entry.counts.length <= days) entry.counts.push(0);
    entry.counts[days] = (entry.counts[days] ?? 0) + 1;
    this.lanes.set(key, entry);
    return true;
  }

  async snapshot(): Promise<TransitModelSnapshot> {
    return structuredClone({ version: 1, lanes: [...this.lanes.values()] });
  }
}

/** Where the learned transit model comes from: a function, so that it can be refreshed between calls. */
export type TransitModelSource = () => Promise<TransitModel>;

/** How {@link learnedModel} refreshes. */
export interface LearnedModelOptions extends TransitModelOptions {
  /** How long a rebuilt model is used before the history is read again. @default 10 */
  readonly maxAgeMinutes?: number;
  /** Told when the history cannot be read (the last model stays in use). @default - nothing */
  readonly onError?: (error: unknown) => void;
}

/**
 * The transit model learned from `history`, rebuilt at most every `maxAgeMinutes`: a snapshot reads every
 * lane, far too much for each checkout, and a model a few minutes old promises the same windows. A
 * history that cannot be read leaves the last model in use (the default table before the first read) and
 * is tried again at the next call: an estimate is a promise about delivery, never a reason to refuse one.
 */
export function learnedModel(
  history: Pick<LaneHistory, 'snapshot'>,
  clock: Clock,
  options: LearnedModelOptions = {},
): TransitModelSource {
  const { maxAgeMinutes = 10, onError, ...modelOptions } = options;
  const maxAgeMs = maxAgeMinutes * 60_000;
  let current: TransitModel = new TransitModel(modelOptions);
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<TransitModel> | undefined;
  return async () => {
    if (clock.now().getTime() - loadedAt < maxAgeMs) return current;
    // Concurrent callers share one read.
    loading ??= history
      .snapshot()
      .then((snapshot) => {
        current = TransitModel.fromSnapshot(snapshot, modelOptions);
        loadedAt = clock.now().getTime();
        return current;
      })
      .catch((error: unknown) => {
        onError?.(error);
        return current;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}

/** What learning from a delivery reads and writes. */
export interface LearnFromDeliveryDeps {
  readonly shipments: Pick<ShipmentStore, 'get'>;
  readonly commerce: Pick<CommerceRepository, 'getOrder'>;
  readonly locations: LocationDirectory;
  readonly laneHistory: LaneHistory;
}

/** A delivered shipment as its status change names it. */
export interface DeliveredRef {
  readonly zone: string;
  readonly shipmentId: string;
  readonly orderId: string;
  /** The delivery scan's time. */
  readonly deliveredAt: Date;
}

/** What became of one delivery: counted, already counted, or not a lane's delivery (and why). */
export type LearnOutcome =
  | { readonly outcome: 'recorded' | 'duplicate'; readonly sample: TransitSample }
  | { readonly outcome: 'skipped'; readonly reason: string };

/** Raised while a delivered shipment or its order cannot be read yet: the delivery is tried again later. */
export class DeliveryNotReadableError extends Error {
  override readonly name = 'DeliveryNotReadableError';
}

/**
 * Counts a delivered shipment on its lane: from its location to the order's postal area by the order's
 * method, from the order's planned dispatch day to the delivery scan, as {@link transitSample} measures it.
 * Duplicates count once. Deliveries that belong to no lane (a pickup, a method that is not a delivery
 * service, a location that is gone, a postal code the lanes refuse) are skipped.
 *
 * @throws DeliveryNotReadableError when the shipment or its order cannot be read (yet)
 */
export async function learnFromDelivery(
  deps: LearnFromDeliveryDeps,
  ref: DeliveredRef,
): Promise<LearnOutcome> {
  const shipment = await deps.shipments.get(ref.zone, ref.shipmentId);
  if (!shipment) throw new DeliveryNotReadableError(`Shipment ${ref.shipmentId} is not readable yet`);
  const order = await deps.commerce.getOrder(shipment.orderId);
  if (!order) throw new DeliveryNotReadableError(`Order ${shipment.orderId} is not readable yet`);
  const address = order.delivery.shippingAddress;
  const service = DeliveryService.safeParse(order.delivery.method);
  if (!address || !service.success) return { outcome: 'skipped', reason: 'not a delivery service' };
  const origin = await deps.locations.get(shipment.locationId);
  if (!origin) return { outcome: 'skipped', reason: `unknown location ${shipment.locationId}` };
  let sample: TransitSample;
  try {
    sample = transitSample({
      origin,
      destination: { country: address.country, postalCode: address.postalCode },
      service: service.data,
      carrier: shipment.carrier,
      orderedAt: new Date(order.createdAt),
      deliveredAt: ref.deliveredAt,
    });
  } catch (error) {
    if (error instanceof ValidationError) return { outcome: 'skipped', reason: error.message };
    throw error;
  }
  const recorded = await deps.laneHistory.record({ ...sample, shipmentId: shipment.shipmentId });
  return { outcome: recorded ? 'recorded' : 'duplicate', sample };
}
