import { z } from 'zod';
import { MARKETS } from '../money/markets.ts';
import { SHIPPING_TERMS } from '../pricing/shipping.ts';
import type { CarrierName } from '../tracking/tracking-event.ts';
import { type CalendarDate, workingDaysBetween } from './calendar.ts';
import { dispatchDay, localDate, type Origin } from './cutoff.ts';
import {
  corridorKey,
  type DeliveryService,
  deliveryCalendar,
  destinationTimeZone,
  Lane,
  laneKey,
  laneOf,
  type PostalDestination,
  type TradeZone,
  tradeZone,
} from './lanes.ts';

/**
 * Transit times per lane, learned from delivered shipments.
 *
 * A transit time is counted in the destination carrier's working days from the *planned* dispatch day
 * (the order's cut-off day) to the delivery day, so a warehouse that misses its collection is part of
 * what the model learns, exactly as the shopper experiences it. The model keeps one histogram per lane
 * (origin location → destination postal area, carrier, service) and season (see {@link Season}); a lane's
 * corridor (the same to any postal area of the country) pools its lanes. A distribution is learned once a
 * lane, or failing that its corridor, has `minObservations` deliveries; until then the default table
 * answers. Learned histograms are shrunk towards the level above (lane → corridor → default table) by
 * `priorWeight` pseudo-observations, so a lane that has only just crossed the threshold does not promise a
 * window narrower than its evidence supports, and a new postal area of a well-known corridor starts from
 * the corridor's distribution. Windows drawn from a learned distribution must hold the target by a lower
 * confidence bound (see {@link narrowestWindow}), which matters while a lane is young.
 */

/** Whether an estimate comes from observed deliveries or from the default table. */
export const EstimateBasis = z.enum(['learned', 'default']);
export type EstimateBasis = z.infer<typeof EstimateBasis>;

/** Which level of the hierarchy the distribution was learned at. */
export type ModelLevel = 'lane' | 'corridor' | 'default';

/** A probability mass function over transit days: `pmf[d]` is P(transit = d working days). */
export type Pmf = readonly number[];

/** A lane's transit distribution with where it came from. */
export interface TransitDistribution {
  readonly pmf: Pmf;
  readonly basis: EstimateBasis;
  readonly level: ModelLevel;
  /** Deliveries observed on the lane itself. */
  readonly observations: number;
  /**
   * Deliveries the distribution was estimated from (the lane's, or its corridor's while the lane has too
   * few); `Infinity` for the default table, which is a promise rather than a sample.
   */
  readonly sampleSize: number;
}

/** Tuning of {@link TransitModel}. */
export interface TransitModelOptions {
  /** Deliveries a lane (or its corridor) needs before its own distribution is used. @default 30 */
  readonly minObservations?: number;
  /** Pseudo-observations of the level above mixed into a learned histogram. @default 5 */
  readonly priorWeight?: number;
  /** Longer transits are counted as this many days. @default 20 */
  readonly maxTransitDays?: number;
}

const DEFAULTS = { minObservations: 30, priorWeight: 5, maxTransitDays: 20 } as const;

/** Transit business days by zone and service where the origin is not a market with its own terms. */
const GENERIC_DAYS: Readonly<
  Record<TradeZone, Readonly<Record<DeliveryService, readonly [number, number]>>>
> = {
  domestic: { standard: [2, 4], express: [1, 2], white_glove: [1, 3] },
  regional: { standard: [3, 6], express: [2, 3], white_glove: [2, 4] },
  international: { standard: [4, 7], express: [2, 4], white_glove: [3, 5] },
};

/**
 * The default table: the business-day range promised for a corridor before any delivery on it has been
 * seen. Where the origin country is a market, the range is the one checkout already shows for that zone
 * and method (`SHIPPING_TERMS`), so the estimate never contradicts the method's description; otherwise a
 * generic range per trade zone.
 */
export function defaultTransitRange(
  originCountry: string,
  destinationCountry: string,
  service: DeliveryService,
): readonly [min: number, max: number] {
  const zone = tradeZone(originCountry, destinationCountry);
  if (Object.hasOwn(MARKETS, originCountry)) {
    const terms = SHIPPING_TERMS[originCountry as keyof typeof MARKETS][zone]?.[service];
    if (terms) return terms.days;
  }
  return GENERIC_DAYS[zone][service];
}

/** Share of the default distribution inside the table's range; the rest is a tail of late deliveries. */
export const DEFAULT_RANGE_MASS = 0.9;

/**
 * The default table as a distribution: {@link DEFAULT_RANGE_MASS} spread evenly over the range and a
 * tail of one and two days late, so that its narrowest 90% window is the range itself.
 */
export function defaultPmf(originCountry: string, destinationCountry: string, service: DeliveryService): Pmf {
  const [min, max] = defaultTransitRange(originCountry, destinationCountry, service);
  const pmf = new Array<number>(max + 3).fill(0);
  for (let d = min; d <= max; d++) pmf[d] = DEFAULT_RANGE_MASS / (max - min + 1);
  const tail = 1 - DEFAULT_RANGE_MASS;
  pmf[max + 1] = tail * 0.7;
  pmf[max + 2] = tail * 0.3;
  return pmf;
}

const EPSILON = 1e-9;

/** A contiguous range of transit days and the probability it holds. */
export interface TransitWindow {
  readonly from: number;
  readonly to: number;
  readonly mass: number;
}

/**
 * How sure a learned window must be of holding the target: the one-sided 90% lower bound of its share
 * (normal approximation) must reach it. A window whose share in the sample only just reaches 90% holds
 * less than that about half the time on the next parcels; the margin shrinks as deliveries accumulate.
 */
const WINDOW_BOUND_Z = 1.2816;

function lowerBound(mass: number, sampleSize: number): number {
  if (!Number.isFinite(sampleSize)) return mass;
  return mass - WINDOW_BOUND_Z * Math.sqrt(Math.max(0, mass * (1 - mass)) / Math.max(1, sampleSize));
}

/**
 * The narrowest range of transit days holding at least `target` of the probability; among equally narrow
 * ranges the one holding the most, then the earliest.
 *
 * @param sampleSize deliveries the distribution was estimated from; with a finite size the window must
 *   hold `target` by the lower confidence bound of its share, not just by its share
 * @throws RangeError when `pmf` holds less than `target` altogether
 */
export function narrowestWindow(
  pmf: Pmf,
  target: number,
  sampleSize = Number.POSITIVE_INFINITY,
): TransitWindow {
  let best: TransitWindow | undefined;
  for (let from = 0; from < pmf.length; from++) {
    if ((pmf[from] ?? 0) <= 0) continue;
    let mass = 0;
    for (let to = from; to < pmf.length; to++) {
      mass += pmf[to] ?? 0;
      if (lowerBound(Math.min(1, mass), sampleSize) + EPSILON < target) continue;
      const width = to - from;
      const bestWidth = best ? best.to - best.from : Number.POSITIVE_INFINITY;
      if (width < bestWidth || (width === bestWidth && best && mass > best.mass + EPSILON)) {
        best = { from, to, mass: Math.min(1, mass) };
      }
      break;
    }
  }
  if (!best) throw new RangeError(`the distribution holds less than ${target} of its mass`);
  return best;
}

/**
 * The distribution given that transit lasts at least `atLeast` days, with the share of the original it
 * keeps (what is left of the sample behind it), or `undefined` when the distribution gives that no chance
 * at all (a parcel later than anything seen).
 */
export function conditionalPmf(
  pmf: Pmf,
  atLeast: number,
): { readonly pmf: Pmf; readonly share: number } | undefined {
  let rest = 0;
  for (let d = Math.max(0, atLeast); d < pmf.length; d++) rest += pmf[d] ?? 0;
  if (rest < EPSILON) return undefined;
  return { pmf: pmf.map((p, d) => (d < atLeast ? 0 : p / rest)), share: Math.min(1, rest) };
}

function total(counts: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  return n;
}

/** `(counts + weight × prior) / (n + weight)`: a histogram shrunk towards a prior distribution. */
function shrink(counts: readonly number[], prior: Pmf, weight: number): Pmf {
  const n = total(counts);
  const length = Math.max(counts.length, prior.length);
  const out = new Array<number>(length);
  for (let d = 0; d < length; d++) out[d] = ((counts[d] ?? 0) + weight * (prior[d] ?? 0)) / (n + weight);
  return out;
}

/** One delivered shipment, the unit the model learns from. */
export interface DeliveredShipment {
  readonly origin: Origin;
  readonly destination: PostalDestination;
  readonly service: DeliveryService;
  /** Default: the carrier {@link laneOf} books for the service. */
  readonly carrier?: CarrierName;
  readonly orderedAt: Date;
  readonly deliveredAt: Date;
}

/**
 * Parcel networks run two regimes: the peak from the week of Black Friday to Christmas Eve, when volumes
 * nearly double and transit stretches, and the rest of the year. A window learned from the whole year
 * would be too wide in summer and too narrow in December, so each season is learned on its own.
 */
export const Season = z.enum(['regular', 'peak']);
export type Season = z.infer<typeof Season>;

/** Peak season bounds as `MM-DD`, inclusive. */
export const PEAK_SEASON = { from: '11-23', to: '12-24' } as const;

/**
 * Share of parcels assumed to take one working day longer in the peak than the rest of the year, until a
 * corridor has learned its own peak: carriers announce peak surcharges and slower service every year,
 * so a lane's first peak should not be promised summer's windows.
 */
export const PEAK_EXTRA_DAY_SHARE = 0.3;

/** The distribution with `share` of every day's mass moved one day later. */
function slower(pmf: Pmf, share: number): Pmf {
  const out = new Array<number>(pmf.length + 1).fill(0);
  pmf.forEach((p, d) => {
    out[d]! += p * (1 - share);
    out[d + 1]! += p * share;
  });
  return out;
}

/** The season a parcel dispatched on `date` travels in. */
export function seasonOf(date: CalendarDate): Season {
  const monthDay = date.slice(5);
  return monthDay >= PEAK_SEASON.from && monthDay <= PEAK_SEASON.to ? 'peak' : 'regular';
}

/** One delivered shipment as the model learns it. */
export interface TransitSample {
  readonly lane: Lane;
  readonly season: Season;
  readonly days: number;
}

/**
 * Transit working days of a delivered shipment: carrier days at the destination after the planned
 * dispatch day, up to and including the local delivery day.
 */
export function transitSample(shipment: DeliveredShipment): TransitSample {
  const lane = laneOf(shipment.origin, shipment.destination, shipment.service, shipment.carrier);
  const dispatched = dispatchDay(shipment.origin, shipment.orderedAt);
  const delivered = localDate(shipment.deliveredAt, destinationTimeZone(shipment.destination));
  return {
    lane,
    season: seasonOf(dispatched),
    days: workingDaysBetween(dispatched, delivered, deliveryCalendar(lane)),
  };
}

/** A model's learned state, for storing and reloading: one transit-day histogram per lane and season. */
export const TransitModelSnapshot = z
  .strictObject({
    version: z.literal(1),
    lanes: z.array(
      z.strictObject({
        lane: Lane,
        season: Season,
        counts: z.array(z.number().int().nonnegative()).max(64),
      }),
    ),
  })
  .meta({ id: 'TransitModelSnapshot' });
export type TransitModelSnapshot = z.infer<typeof TransitModelSnapshot>;

/** Learned transit-time distributions per lane and season, with the default table as the fallback. */
export class TransitModel {
  private readonly options: Required<TransitModelOptions>;
  private readonly lanes = new Map<string, { lane: Lane; season: Season; counts: number[] }>();
  private readonly corridors = new Map<string, number[]>();

  constructor(options: TransitModelOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    const { minObservations, priorWeight, maxTransitDays } = this.options;
    if (!Number.isInteger(minObservations) || minObservations < 1) {
      throw new RangeError(`minObservations must be a whole number ≥ 1, got ${minObservations}`);
    }
    if (!(priorWeight >= 0)) throw new RangeError(`priorWeight must be ≥ 0, got ${priorWeight}`);
    if (!Number.isInteger(maxTransitDays) || maxTransitDays < 1 || maxTransitDays > 63) {
      throw new RangeError(`maxTransitDays must be a whole number from 1 to 63, got ${maxTransitDays}`);
    }
  }

  /** A model trained on `shipments`. */
  static train(shipments: Iterable<DeliveredShipment>, options: TransitModelOptions = {}): TransitModel {
    const model = new TransitModel(options);
    for (const s of shipments) model.observe(s);
    return model;
  }

  /** A model holding a stored snapshot's histograms. */
  static fromSnapshot(snapshot: TransitModelSnapshot, options: TransitModelOptions = {}): TransitModel {
    const model = new TransitModel(options);
    for (const { lane, season, counts } of TransitModelSnapshot.parse(snapshot).lanes) {
      counts.forEach((times, days) => {
        model.record({ lane, season, days }, times);
      });
    }
    return model;
  }

  /**
   * Learns from one delivered shipment.
   *
   * @returns what was learned: the lane, season and transit working days
   */
  observe(shipment: DeliveredShipment): TransitSample {
    const sample = transitSample(shipment);
    this.record(sample);
    return sample;
  }

  /** Counts `times` deliveries like `sample`. */
  record(sample: TransitSample, times = 1): void {
    if (times === 0) return;
    const { lane, season } = sample;
    const d = Math.min(Math.max(0, Math.round(sample.days)), this.options.maxTransitDays);
    const key = `${laneKey(lane)}|${season}`;
    let entry = this.lanes.get(key);
    if (!entry) {
      entry = { lane, season, counts: [] };
      this.lanes.set(key, entry);
    }
    entry.counts[d] = (entry.counts[d] ?? 0) + times;
    const corridor = `${corridorKey(lane)}|${season}`;
    const pooled = this.corridors.get(corridor) ?? [];
    pooled[d] = (pooled[d] ?? 0) + times;
    this.corridors.set(corridor, pooled);
  }

  /** Deliveries observed on a lane, in one season or both. */
  observations(lane: Lane, season?: Season): number {
    const seasons: readonly Season[] = season ? [season] : Season.options;
    return seasons.reduce((n, s) => n + total(this.laneCounts(lane, s)), 0);
  }

  private laneCounts(lane: Lane, season: Season): number[] {
    return dense(this.lanes.get(`${laneKey(lane)}|${season}`)?.counts ?? []);
  }

  private corridorCounts(lane: Lane, season: Season): number[] {
    return dense(this.corridors.get(`${corridorKey(lane)}|${season}`) ?? []);
  }

  /**
   * The transit distribution to estimate with on `lane` in `season`. Each level is shrunk towards the
   * one above: lane → corridor → default table in the regular season; in the peak, lane → corridor →
   * the regular-season distribution slowed by {@link PEAK_EXTRA_DAY_SHARE}, which also answers alone
   * until the corridor has a peak's worth of deliveries.
   */
  distribution(lane: Lane, season: Season = 'regular'): TransitDistribution {
    const regular = this.level(
      lane,
      'regular',
      defaultPmf(lane.originCountry, lane.destinationCountry, lane.service),
    );
    if (season === 'regular' || regular.basis === 'default') return regular;
    const peakPrior = { ...regular, pmf: slower(regular.pmf, PEAK_EXTRA_DAY_SHARE) };
    const peak = this.level(lane, 'peak', peakPrior.pmf);
    return peak.basis === 'learned' ? peak : peakPrior;
  }

  private level(lane: Lane, season: Season, prior: Pmf): TransitDistribution {
    const { minObservations, priorWeight } = this.options;
    const laneCounts = this.laneCounts(lane, season);
    const corridorCounts = this.corridorCounts(lane, season);
    const observations = total(laneCounts);
    // The corridor pools the lane's own deliveries, so it always reaches the threshold first.
    if (total(corridorCounts) < minObservations) {
      return {
        pmf: prior,
        basis: 'default',
        level: 'default',
        observations,
        sampleSize: Number.POSITIVE_INFINITY,
      };
    }
    const corridor = shrink(corridorCounts, prior, priorWeight);
    // Below the threshold the corridor weighs as the deliveries the lane still lacks, so a handful of
    // parcels cannot outvote it.
    return {
      pmf: shrink(laneCounts, corridor, Math.max(priorWeight, minObservations - observations)),
      basis: 'learned',
      level: observations >= minObservations ? 'lane' : 'corridor',
      observations,
      sampleSize: observations >= minObservations ? observations : total(corridorCounts),
    };
  }

  /** The learned histograms, for storage. */
  snapshot(): TransitModelSnapshot {
    return {
      version: 1,
      lanes: [...this.lanes.values()].map(({ lane, season, counts }) => ({
        lane,
        season,
        counts: dense(counts),
      })),
    };
  }
}

/** Sparse arrays (holes where a day count was never seen) as dense arrays of counts. */
function dense(counts: readonly number[]): number[] {
  return Array.from({ length: counts.length }, (_, d) => counts[d] ?? 0);
}
