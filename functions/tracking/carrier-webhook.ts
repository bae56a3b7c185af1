import type { z } from 'zod';
import { ShipmentTooLargeError } from '#lib/adapters/dynamo/dynamo-shipment-store.ts';
import type { CommerceRepository } from '#lib/commerce/commerce-repository.ts';
import type { LocationDirectory } from '#lib/commerce/ports.ts';
import { type CarrierWebhookReceipt, carrierWebhookRoute } from '#lib/contracts/routes/tracking.ts';
import { type EstimateRequest, reviseAfterScan } from '#lib/delivery/estimate.ts';
import type { TransitModelSource } from '#lib/delivery/lane-history.ts';
import type { TransitModel } from '#lib/delivery/transit-model.ts';
import { VersionConflictError } from '#lib/errors.ts';
import { type Clock, type DomainEvent, domainEvent } from '#lib/platform/domain-event.ts';
import { awsCommerce } from '#lib/runtime/aws/commerce-deps.ts';
import { awsClock, awsLocations, awsTransitModel, shipmentStore } from '#lib/runtime/aws/deps.ts';
import { carrierWebhookSecrets } from '#lib/runtime/aws/secrets.ts';
import { httpHandler, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';
import { type NormalizedDelivery, readCarrierWebhook } from '#lib/tracking/carriers/index.ts';
import { ShipmentStatusChanged } from '#lib/tracking/events.ts';
import type { ShipmentStore } from '#lib/tracking/ports.ts';
import type { Shipment, ShipmentEstimate } from '#lib/tracking/shipment.ts';
import { applyTrackingEvents, type TimelineContext } from '#lib/tracking/timeline.ts';
import type { CarrierSlug, TrackingEvent } from '#lib/tracking/tracking-event.ts';
import { asShipmentEstimate, shipmentLane } from '#lib/tracking/use-cases.ts';

/**
 * Saves of one shipment that may lose the race to a concurrent delivery; past them the delivery answers
 * 409 and the carrier retries it.
 */
const MAX_SAVE_ATTEMPTS = 5;
/** Shipments of one delivery recorded at once: a generic batch names up to 100. */
const PARALLEL_SHIPMENTS = 8;

export interface CarrierWebhookDeps {
  readonly shipments: ShipmentStore;
  /** One feed's active secrets (several while one is rolled); none when the feed is not configured. */
  readonly carrierSecrets: (carrier: CarrierSlug) => Promise<readonly string[]>;
  /** Orders and locations give the lane a shipment's estimate is revised on. */
  readonly commerce: Pick<CommerceRepository, 'getOrder'>;
  readonly locations: LocationDirectory;
  readonly clock: Clock;
  /** Learned transit times the estimate is revised with; default the lanes' default table. */
  readonly transitModel?: TransitModelSource;
}

interface Tally {
  readonly duplicate: number;
  readonly ignored: number;
}

export const makeHandler = (deps: CarrierWebhookDeps) =>
  httpHandler(carrierWebhookRoute, async ({ params, rawBody, headers, requestId }) => {
    const now = deps.clock.now();
    // Verified over the exact bytes before anything of the body is parsed, read or written.
    const delivery = readCarrierWebhook(
      params.carrier,
      { rawBody, headers },
      { secrets: await deps.carrierSecrets(params.carrier), now },
    );
    const receipt = await recordDelivery(deps, delivery, { now, correlationId: requestId });
    logger.info('carrier delivery recorded', { carrier: params.carrier, ...receipt });
    return ok(receipt);
  });

export const handler = lambdaHandler(() =>
  makeHandler({
    shipments: shipmentStore(),
    carrierSecrets: carrierWebhookSecrets,
    commerce: awsCommerce(),
    locations: awsLocations(),
    clock: awsClock(),
    transitModel: awsTransitModel(),
  }),
);

/** Puts a verified delivery's scans on their shipments' timelines, one shipment per carrier and number. */
async function recordDelivery(
  deps: CarrierWebhookDeps,
  delivery: NormalizedDelivery,
  context: TimelineContext,
): Promise<CarrierWebhookReceipt> {
  const byParcel = new Map<string, TrackingEvent[]>();
  for (const scan of delivery.events) {
    const key = `${scan.carrier} ${scan.trackingNumber}`;
    byParcel.set(key, [...(byParcel.get(key) ?? []), scan]);
  }
  const parcels = [...byParcel.values()];
  const tallies: Tally[] = [];
  for (let i = 0; i < parcels.length; i += PARALLEL_SHIPMENTS) {
    const batch = parcels.slice(i, i + PARALLEL_SHIPMENTS);
    tallies.push(...(await Promise.all(batch.map((scans) => recordScans(deps, scans, context)))));
  }
  return {
    received: delivery.events.length + delivery.ignored,
    duplicate: tallies.reduce((sum, t) => sum + t.duplicate, 0),
    ignored: tallies.reduce((sum, t) => sum + t.ignored, delivery.ignored),
  };
}

/**
 * One parcel's scans: read, apply, save over the version read. A save that lost the race to another
 * delivery re-reads and re-applies, so concurrent deliveries all land; the timeline is a pure function of
 * the set of scans, so every order of arrival ends in the same shipment.
 */
async function recordScans(
  deps: CarrierWebhookDeps,
  scans: readonly TrackingEvent[],
  context: TimelineContext,
): Promise<Tally> {
  const { carrier, trackingNumber } = scans[0] as TrackingEvent;
  const pointer = await deps.shipments.findByTrackingNumber(carrier, trackingNumber);
  if (!pointer) return { duplicate: 0, ignored: scans.length };
  let lane: Promise<EstimateRequest | undefined> | undefined;
  for (let attempt = 1; ; attempt++) {
    const shipment = await deps.shipments.get(pointer.zone, pointer.shipmentId);
    if (!shipment) {
      // Written with its pointer, so it only goes missing if erased; the scans have nowhere to go.
      logger.warn('tracking pointer without shipment', { carrier, shipmentId: pointer.shipmentId });
      return { duplicate: 0, ignored: scans.length };
    }
    const update = applyTrackingEvents(shipment, scans, context);
    if (!update.changed) return { duplicate: update.duplicates, ignored: update.mismatched };
    let next = update.shipment;
    let events = update.events;
    if (shipment.estimate && statusScanChanged(shipment, next)) {
      lane ??= laneOf(deps, shipment);
      const estimate = revisedEstimate(await lane, next, context.now, await deps.transitModel?.());
      if (estimate !== 'unchanged') {
        next = withEstimate(next, estimate);
        events = events.map((event) => statusEventWith(event, estimate));
      }
    }
    try {
      await deps.shipments.save(next, shipment.version, events);
      return { duplicate: update.duplicates, ignored: update.mismatched };
    } catch (error) {
      if (error instanceof ShipmentTooLargeError) {
        logger.error('shipment timeline full; scans dropped', { shipmentId: shipment.shipmentId, error });
        return { duplicate: update.duplicates, ignored: update.added + update.mismatched };
      }
      if (!(error instanceof VersionConflictError) || attempt >= MAX_SAVE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

/** Whether the scan the status comes from is another one: only then can the estimate move. */
const statusScanChanged = (before: Shipment, after: Shipment) =>
  before.status !== after.status || before.statusAt !== after.statusAt;

/** The lane the parcel travels (see `shipmentLane`). */
async function laneOf(deps: CarrierWebhookDeps, shipment: Shipment): Promise<EstimateRequest | undefined> {
  const [order, origin] = await Promise.all([
    deps.commerce.getOrder(shipment.orderId),
    deps.locations.get(shipment.locationId),
  ]);
  return shipmentLane(order, origin, shipment);
}

/**
 * The estimate after the scan the status now comes from, from the lane's learned transit times (the
 * default table without a model); none once the parcel is going back; `unchanged` when the lane cannot
 * be told (no address, an unknown location, a postal code the lane rules refuse).
 */
function revisedEstimate(
  lane: EstimateRequest | undefined,
  shipment: Shipment,
  now: Date,
  model: TransitModel | undefined,
): ShipmentEstimate | undefined | 'unchanged' {
  if (!lane) return 'unchanged';
  let revised: ReturnType<typeof reviseAfterScan>;
  try {
    revised = reviseAfterScan(
      { ...lane, lastScan: { status: shipment.status, at: new Date(shipment.statusAt) } },
      model ? { model } : {},
    );
  } catch (error) {
    logger.warn('estimate not revised', { shipmentId: shipment.shipmentId, error });
    return 'unchanged';
  }
  return revised ? asShipmentEstimate(revised, now) : undefined;
}

function withEstimate(shipment: Shipment, estimate: ShipmentEstimate | undefined): Shipment {
  const { estimate: _previous, ...rest } = shipment;
  return estimate ? { ...rest, estimate } : rest;
}

/** A ShipmentStatusChanged carrying the revised estimate, under the same id. */
function statusEventWith(event: DomainEvent, estimate: ShipmentEstimate | undefined): DomainEvent {
  if (event.definition !== ShipmentStatusChanged) return event;
  const { estimate: _previous, ...data } = event.data as z.infer<typeof ShipmentStatusChanged.data>;
  return domainEvent(
    ShipmentStatusChanged,
    { ...data, ...(estimate ? { estimate } : {}) },
    {
      eventId: event.metadata.eventId,
      correlationId: event.metadata.correlationId,
      occurredAt: new Date(event.metadata.occurredAt),
    },
  );
}
