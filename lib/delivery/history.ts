import { demoLocations } from '../demo/locations.ts';
import { Prng } from '../demo/prng.ts';
import type { CarrierName } from '../tracking/tracking-event.ts';
import {
  addDays,
  addWorkingDays,
  businessDays,
  type CalendarDate,
  carrierDays,
  daysBetween,
  holidayOn,
  nextWorkingDay,
  publicHolidays,
  weekday,
} from './calendar.ts';
import { dispatchDay, type LocalTime, type Origin, zonedInstant } from './cutoff.ts';
import {
  type DeliveryService,
  deliveryCalendar,
  destinationTimeZone,
  laneOf,
  type PostalDestination,
  tradeZone,
} from './lanes.ts';
import type { DeliveredShipment, Pmf } from './transit-model.ts';

/**
 * A generator of delivered-shipment history for backtesting the estimates. It simulates what the model
 * does not see directly: warehouses that miss the collection, line haul counted in the origin network's
 * days, customs clearance on the destination's business days, carrier delays, the Black Friday to
 * Christmas peak, backlogs after public holidays, and deliveries only on the carrier's working days. The
 * model only ever sees order and delivery instants, as it would from tracking.
 */

/** How one simulated lane behaves. */
export interface LaneProfile {
  /** A readable name for reports, e.g. `Roissy → Paris, standard`. */
  readonly name: string;
  readonly origin: Origin;
  readonly destination: PostalDestination;
  readonly service: DeliveryService;
  readonly carrier?: CarrierName;
  /** Line-haul and final-mile working days: `transit[d]` is the probability of `d` days. */
  readonly transit: Pmf;
  /** Customs clearance in destination business days, for lanes across a customs border. */
  readonly customs?: Pmf;
  /** Mean orders a day outside the peak. */
  readonly ordersPerDay: number;
}

/** The disruptions every lane shares. */
export interface Disruptions {
  /** Chance the warehouse misses the planned collection and ships a business day late. @default 0.03 */
  readonly missedCollection: number;
  /** Chance the carrier adds one or two days (sorting fault, weather, failed hand-over). @default 0.035 */
  readonly carrierDelay: number;
  /** Chance a parcel is held a day by the backlog after a weekday public holiday. @default 0.3 */
  readonly holidayBacklog: number;
  /** During the peak: extra chance of a missed collection, a carrier delay, and a slower line haul. */
  readonly peak: {
    readonly missedCollection: number;
    readonly carrierDelay: number;
    readonly slowerLineHaul: number;
    /** Order volume multiplier. */
    readonly volume: number;
  };
}

/** Disruption rates close to what European and US parcel networks report outside and during the peak. */
export const DEFAULT_DISRUPTIONS: Disruptions = {
  missedCollection: 0.03,
  carrierDelay: 0.035,
  holidayBacklog: 0.3,
  peak: { missedCollection: 0.08, carrierDelay: 0.1, slowerLineHaul: 0.25, volume: 1.8 },
};

/** A simulated delivered shipment, tagged with the profile it came from. */
export interface SimulatedShipment extends DeliveredShipment {
  readonly profile: string;
}

/** What to generate. */
export interface HistoryOptions {
  readonly lanes: readonly LaneProfile[];
  /** First order day (origin local date). */
  readonly from: CalendarDate;
  /** Last order day, inclusive. */
  readonly to: CalendarDate;
  readonly seed: number;
  readonly disruptions?: Disruptions;
}

/** Share of a day's orders placed in each local hour: evenings are busiest, so many orders miss the cut-off. */
const ORDER_HOURS: readonly number[] = [
  1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 2, 2.5, 2.8, 3, 3, 2.8, 2.6, 2.6, 2.8, 3.2, 3.6, 3.8, 3.4, 2.6,
  1.6,
];
const HOURS = ORDER_HOURS.map((_, h) => h);

/**
 * The simulated world's peak: from the Monday of Thanksgiving week (Black Friday's) to Christmas Eve. It
 * moves with Thanksgiving each year, unlike the model's fixed `PEAK_SEASON`, as real peaks do.
 */
function inPeak(date: CalendarDate): boolean {
  const year = Number(date.slice(0, 4));
  const thanksgiving = publicHolidays('US', year).find((h) => h.name === 'Thanksgiving Day');
  if (!thanksgiving) return false;
  return date >= addDays(thanksgiving.date, -3) && date <= `${year}-12-24`;
}

function sample(rng: Prng, pmf: Pmf): number {
  let r = rng.next();
  for (let d = 0; d < pmf.length; d++) {
    r -= pmf[d] ?? 0;
    if (r < 0) return d;
  }
  return pmf.length - 1;
}

const hhmm = (hour: number, minute: number): LocalTime =>
  `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;

function simulateOne(
  rng: Prng,
  profile: LaneProfile,
  orderDay: CalendarDate,
  disruptions: Disruptions,
): SimulatedShipment {
  const { origin, destination } = profile;
  const orderedAt = zonedInstant(
    orderDay,
    hhmm(
      rng.weighted(HOURS, (h) => ORDER_HOURS[h]!),
      rng.int(0, 59),
    ),
    origin.timezone,
  );
  const peak = inPeak(orderDay);
  const lane = laneOf(origin, destination, profile.service, profile.carrier);
  const finalMile = deliveryCalendar(lane);

  let shipped = dispatchDay(origin, orderedAt);
  const missed = disruptions.missedCollection + (peak ? disruptions.peak.missedCollection : 0);
  if (rng.chance(missed)) shipped = nextWorkingDay(shipped, businessDays(origin.country));

  let transit = sample(rng, profile.transit);
  if (peak && rng.chance(disruptions.peak.slowerLineHaul)) transit += 1;

  let delivered: CalendarDate;
  if (tradeZone(origin.country, destination.country) === 'international' && profile.customs) {
    // Export leg on the origin network's days, then the destination's customs office, then final mile.
    const exported = addWorkingDays(shipped, 1, carrierDays(origin.country, { saturday: false }));
    const cleared = addWorkingDays(exported, sample(rng, profile.customs), businessDays(destination.country));
    delivered = addWorkingDays(cleared, Math.max(0, transit - 1), finalMile);
  } else {
    delivered = addWorkingDays(shipped, transit, finalMile);
  }

  const delay = disruptions.carrierDelay + (peak ? disruptions.peak.carrierDelay : 0);
  if (rng.chance(delay)) delivered = addWorkingDays(delivered, rng.chance(0.7) ? 1 : 2, finalMile);

  if (
    crossesWeekdayHoliday(shipped, delivered, destination.country) &&
    rng.chance(disruptions.holidayBacklog)
  ) {
    delivered = nextWorkingDay(delivered, finalMile);
  }

  const deliveredAt = zonedInstant(
    delivered,
    hhmm(rng.int(9, 19), rng.int(0, 59)),
    destinationTimeZone(destination),
  );
  return {
    profile: profile.name,
    origin,
    destination,
    service: profile.service,
    ...(profile.carrier ? { carrier: profile.carrier } : {}),
    orderedAt,
    deliveredAt,
  };
}

function crossesWeekdayHoliday(from: CalendarDate, to: CalendarDate, country: string): boolean {
  for (let d = 1; d <= daysBetween(from, to); d++) {
    const date = addDays(from, d);
    const dow = weekday(date);
    if (dow !== 0 && dow !== 6 && holidayOn(date, country)?.kind === 'public') return true;
  }
  return false;
}

/**
 * A seeded history of delivered shipments on `lanes`, ordered from `from` to `to`, sorted by order time.
 * The same options always give the same history.
 */
export function generateHistory(options: HistoryOptions): SimulatedShipment[] {
  const disruptions = options.disruptions ?? DEFAULT_DISRUPTIONS;
  const days = daysBetween(options.from, options.to);
  if (days < 0)
    throw new RangeError(`history must end on or after its start (${options.from} to ${options.to})`);
  const shipments: SimulatedShipment[] = [];
  options.lanes.forEach((profile, index) => {
    // One stream per lane: adding a lane leaves the others' histories unchanged.
    const rng = new Prng(options.seed, index + 1);
    for (let d = 0; d <= days; d++) {
      const day = addDays(options.from, d);
      const dow = weekday(day);
      const rate =
        profile.ordersPerDay *
        (dow === 0 || dow === 6 ? 0.8 : 1) *
        (inPeak(day) ? disruptions.peak.volume : 1);
      const orders = rng.int(0, Math.round(2 * rate));
      for (let i = 0; i < orders; i++) shipments.push(simulateOne(rng, profile, day, disruptions));
    }
  });
  return shipments.sort((a, b) => a.orderedAt.getTime() - b.orderedAt.getTime());
}

function origin(locationId: string): Origin {
  const location = demoLocations().find((l) => l.locationId === locationId);
  if (!location) throw new RangeError(`no demo location ${locationId}`);
  return { locationId: location.locationId, country: location.country, timezone: location.timezone };
}

/**
 * Demo lanes with lane-specific transit: a fast domestic lane, an EU cross-border express lane, a US
 * coast-to-coast ground lane, a Manhattan express lane with Saturday delivery, two lanes across a customs
 * border (post-Brexit London, Switzerland from the Dutch warehouse) and Tokyo through Golden Week.
 */
export function demoLaneProfiles(): LaneProfile[] {
  return [
    {
      name: 'Roissy → Paris (75), standard',
      origin: origin('roissy-warehouse'),
      destination: { country: 'FR', postalCode: '75008' },
      service: 'standard',
      transit: [0, 0.45, 0.42, 0.1, 0.03],
      ordersPerDay: 5,
    },
    {
      name: 'Roissy → Munich (80), express',
      origin: origin('roissy-warehouse'),
      destination: { country: 'DE', postalCode: '80539' },
      service: 'express',
      transit: [0, 0.2, 0.62, 0.15, 0.03],
      ordersPerDay: 3,
    },
    {
      name: 'Secaucus → Los Angeles (902), standard',
      origin: origin('secaucus-warehouse'),
      destination: { country: 'US', postalCode: '90210' },
      service: 'standard',
      transit: [0, 0, 0, 0.05, 0.35, 0.4, 0.15, 0.05],
      ordersPerDay: 4,
    },
    {
      name: 'Secaucus → Manhattan (100), express',
      origin: origin('secaucus-warehouse'),
      destination: { country: 'US', postalCode: '10022' },
      service: 'express',
      transit: [0, 0.88, 0.1, 0.02],
      ordersPerDay: 4,
    },
    {
      name: 'Roissy → London (SW), express',
      origin: origin('roissy-warehouse'),
      destination: { country: 'GB', postalCode: 'SW1X 7XL' },
      service: 'express',
      transit: [0, 0.35, 0.5, 0.15],
      customs: [0.7, 0.22, 0.06, 0.02],
      ordersPerDay: 3,
    },
    {
      name: 'Venlo → Geneva (12), standard',
      origin: origin('venlo-warehouse'),
      destination: { country: 'CH', postalCode: '1204' },
      service: 'standard',
      transit: [0, 0, 0.25, 0.5, 0.2, 0.05],
      customs: [0.35, 0.45, 0.15, 0.05],
      ordersPerDay: 2,
    },
    {
      name: 'Narita → Tokyo (150), standard',
      origin: origin('narita-warehouse'),
      destination: { country: 'JP', postalCode: '150-0001' },
      service: 'standard',
      transit: [0, 0.72, 0.23, 0.05],
      ordersPerDay: 4,
    },
  ];
}
