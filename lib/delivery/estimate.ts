import { z } from 'zod';
import { TrackingStatus } from '../tracking/status.ts';
import type { CarrierName } from '../tracking/tracking-event.ts';
import {
  addWorkingDays,
  CalendarDate,
  nextWorkingDay,
  onOrAfter,
  type WorkingCalendar,
  workingDaysBetween,
} from './calendar.ts';
import { dispatchDay, localDate, type Origin } from './cutoff.ts';
import {
  type DeliveryService,
  deliveryCalendar,
  destinationTimeZone,
  type Lane,
  laneKey,
  laneOf,
  type PostalDestination,
} from './lanes.ts';
import {
  conditionalPmf,
  EstimateBasis,
  narrowestWindow,
  seasonOf,
  type TransitDistribution,
  TransitModel,
  type TransitWindow,
} from './transit-model.ts';

/** A delivery-date window in the destination's local dates, with how likely delivery falls inside it. */
export const DeliveryEstimate = z
  .strictObject({
    earliest: CalendarDate.describe('First possible delivery day, destination local date'),
    latest: CalendarDate.describe('Last day of the window, destination local date'),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .describe('Probability, under the model, that delivery falls in the window'),
    basis: EstimateBasis.describe("'learned' from the lane's delivered shipments, or the 'default' table"),
    lane: z.string().describe('Lane key: origin>country-area:carrier:service'),
    timeZone: z.string().describe('Time zone of the destination, in which the dates are given'),
    dispatchOn: CalendarDate.describe('Planned dispatch day at the origin (its cut-off applied)'),
    observations: z.number().int().nonnegative().describe('Delivered shipments seen on the lane'),
    scan: z
      .strictObject({
        status: TrackingStatus,
        at: z.iso.datetime({ offset: true }),
        place: z.string().optional(),
      })
      .optional()
      .describe('The scan the estimate was revised after; absent before the parcel has a scan'),
  })
  .meta({ id: 'DeliveryEstimate' });
export type DeliveryEstimate = z.infer<typeof DeliveryEstimate>;

/** What an estimate before purchase is for: one shipping method from one location to one address. */
export interface EstimateRequest {
  readonly origin: Origin;
  readonly destination: PostalDestination;
  readonly method: DeliveryService;
  /** When the order is (or would be) placed. */
  readonly orderedAt: Date;
  /** The carrier booked; default the one the method books on that lane. */
  readonly carrier?: CarrierName;
}

/** The latest scan of a parcel, in tracking's normalized statuses; only the latest matters to an estimate. */
export interface LastScan {
  readonly status: TrackingStatus;
  readonly at: Date;
  /** Where the scan happened, as the carrier reports it; carried into the estimate for display. */
  readonly place?: string;
}

/** An estimate request for a parcel that already has a scan. */
export interface RevisionRequest extends EstimateRequest {
  readonly lastScan: LastScan;
}

/** How estimates are made. */
export interface EstimateOptions {
  /** The learned transit times; default an empty model, which answers from the default table. */
  readonly model?: TransitModel;
  /** Probability the window must hold: 0.9 is the 5th to 95th percentile. @default 0.9 */
  readonly target?: number;
}

/** The share of deliveries a window is chosen to hold. */
export const DEFAULT_TARGET = 0.9;

/** Once a courier has the parcel on the van, it almost always arrives that day. */
const OUT_FOR_DELIVERY_CONFIDENCE = 0.95;
/** Carriers try again the next delivery day; some parcels go to a pickup point instead. */
const REDELIVERY_CONFIDENCE = 0.85;
/** A window that has run past anything the lane has seen is a guess. */
const OVERDUE_CONFIDENCE = 0.5;
/** Working days an exception (damaged label, address query, weather) adds to the end of the window. */
const EXCEPTION_EXTRA_DAYS = 1;

const EMPTY_MODEL = new TransitModel();

function checkTarget(target: number): number {
  if (!(target > 0 && target <= 1)) throw new RangeError(`target must be in (0, 1], got ${target}`);
  return target;
}

interface Context {
  readonly lane: Lane;
  readonly calendar: WorkingCalendar;
  readonly timeZone: string;
  readonly dispatchOn: CalendarDate;
  readonly distribution: TransitDistribution;
  readonly target: number;
}

function contextOf(request: EstimateRequest, options: EstimateOptions): Context {
  const lane = laneOf(request.origin, request.destination, request.method, request.carrier);
  const dispatchOn = dispatchDay(request.origin, request.orderedAt);
  return {
    lane,
    calendar: deliveryCalendar(lane),
    timeZone: destinationTimeZone(request.destination),
    dispatchOn,
    distribution: (options.model ?? EMPTY_MODEL).distribution(lane, seasonOf(dispatchOn)),
    target: checkTarget(options.target ?? DEFAULT_TARGET),
  };
}

function estimate(
  context: Context,
  earliest: CalendarDate,
  latest: CalendarDate,
  confidence: number,
  scan?: LastScan,
): DeliveryEstimate {
  return {
    earliest,
    latest: latest < earliest ? earliest : latest,
    confidence: Math.round(confidence * 1000) / 1000,
    basis: context.distribution.basis,
    lane: laneKey(context.lane),
    timeZone: context.timeZone,
    dispatchOn: context.dispatchOn,
    observations: context.distribution.observations,
    ...(scan
      ? {
          scan: {
            status: scan.status,
            at: scan.at.toISOString(),
            ...(scan.place !== undefined ? { place: scan.place } : {}),
          },
        }
      : {}),
  };
}

function windowDates(context: Context, window: TransitWindow): [CalendarDate, CalendarDate] {
  return [
    addWorkingDays(context.dispatchOn, window.from, context.calendar),
    addWorkingDays(context.dispatchOn, window.to, context.calendar),
  ];
}

/**
 * The delivery window shown before purchase: the planned dispatch day at the origin (its cut-off and
 * business days applied), then the narrowest range of the lane's transit distribution that holds the
 * target share, counted in the destination carrier's working days. Both ends are carrier working days
 * on or after the dispatch day.
 *
 * @throws ValidationError when the postal code is not valid for the destination country
 */
export function estimateBeforePurchase(
  request: EstimateRequest,
  options: EstimateOptions = {},
): DeliveryEstimate {
  const context = contextOf(request, options);
  const window = narrowestWindow(context.distribution.pmf, context.target, context.distribution.sampleSize);
  const [earliest, latest] = windowDates(context, window);
  return estimate(context, earliest, latest, window.mass);
}

/** Transit days that must still pass after the scan day, by status, beyond those already elapsed. */
function minimumRemaining(status: TrackingStatus, service: DeliveryService): number {
  switch (status) {
    case 'customs':
    case 'exception':
      return 1;
    // The house's couriers collect and deliver the same day; a carrier's pickup goes to a hub first.
    case 'picked_up':
      return service === 'white_glove' ? 0 : 1;
    default:
      return 0;
  }
}

/**
 * The window revised after a scan:
 * - `delivered`: the delivery day;
 * - `out_for_delivery`: the scan day;
 * - `delivery_attempted`: the next delivery day;
 * - `returned_to_sender`: `null`, no delivery is coming;
 * - otherwise the lane's transit distribution given that the parcel has not arrived by the scan (and,
 *   after a customs or exception scan, not before the next working day), so the window narrows as days
 *   pass; an exception also adds a working day to its end. A parcel later than anything the lane has seen
 *   gets a window as wide as the original from the first possible day, with low confidence.
 *
 * @throws ValidationError when the postal code is not valid for the destination country
 */
export function reviseAfterScan(
  request: RevisionRequest,
  options: EstimateOptions = {},
): DeliveryEstimate | null {
  const { lastScan } = request;
  const context = contextOf(request, options);
  const { calendar } = context;
  const scanDay = localDate(lastScan.at, context.timeZone);
  switch (lastScan.status) {
    case 'returned_to_sender':
      return null;
    case 'delivered':
      return estimate(context, scanDay, scanDay, 1, lastScan);
    case 'out_for_delivery':
      return estimate(context, scanDay, scanDay, OUT_FOR_DELIVERY_CONFIDENCE, lastScan);
    case 'delivery_attempted': {
      const retry = nextWorkingDay(scanDay, calendar);
      return estimate(context, retry, retry, REDELIVERY_CONFIDENCE, lastScan);
    }
    default:
      break;
  }
  const elapsed = workingDaysBetween(context.dispatchOn, scanDay, calendar);
  const atLeast = elapsed + minimumRemaining(lastScan.status, request.method);
  // Nothing is delivered before the day of its latest scan, and a parcel scanned on a day off moves next
  // on the following working day.
  const notBefore = onOrAfter(
    minimumRemaining(lastScan.status, request.method) > 0 ? nextWorkingDay(scanDay, calendar) : scanDay,
    calendar,
  );
  const extra = lastScan.status === 'exception' ? EXCEPTION_EXTRA_DAYS : 0;
  const given = conditionalPmf(context.distribution.pmf, atLeast);
  if (!given) {
    const original = narrowestWindow(
      context.distribution.pmf,
      context.target,
      context.distribution.sampleSize,
    );
    const latest = addWorkingDays(notBefore, original.to - original.from + extra, calendar);
    return estimate(context, notBefore, latest, OVERDUE_CONFIDENCE, lastScan);
  }
  const window = narrowestWindow(given.pmf, context.target, context.distribution.sampleSize * given.share);
  const [from, to] = windowDates(context, window);
  const earliest = from < notBefore ? notBefore : from;
  const latestBase = to < earliest ? earliest : to;
  const latest = extra > 0 ? addWorkingDays(latestBase, extra, calendar) : latestBase;
  return estimate(context, earliest, latest, window.mass, lastScan);
}

/**
 * Whether a parcel not yet delivered is late against its estimate: the destination's local date at
 * `now` is past the window's last day.
 */
export function isLate(estimate: DeliveryEstimate, now: Date): boolean {
  return localDate(now, estimate.timeZone) > estimate.latest;
}
