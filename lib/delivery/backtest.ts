import { type CalendarDate, workingDaysBetween } from './calendar.ts';
import { localDate } from './cutoff.ts';
import { DEFAULT_TARGET, type DeliveryEstimate, estimateBeforePurchase } from './estimate.ts';
import type { SimulatedShipment } from './history.ts';
import { deliveryCalendar, laneKey, laneOf } from './lanes.ts';
import { type EstimateBasis, TransitModel, type TransitModelOptions } from './transit-model.ts';

/**
 * Backtest of the estimates shown before purchase: train on the older part of a history, then estimate
 * each later order as checkout would have and check where its parcel actually arrived.
 */

/** How the backtest splits and estimates. */
export interface BacktestOptions {
  /** Share of the orders, oldest first, whose history trains the model. @default 0.7 */
  readonly trainShare?: number;
  /** Share each window must hold. @default 0.9 */
  readonly target?: number;
  readonly model?: TransitModelOptions;
}

/** How a set of windows fared against the actual deliveries. */
export interface WindowFigures {
  readonly shipments: number;
  /** Share delivered inside the promised window. */
  readonly insideShare: number;
  /** Share delivered before the window opened. */
  readonly earlyShare: number;
  /** Share delivered after the window closed. */
  readonly lateShare: number;
  /** Mean count of delivery working days in the window, both ends included (a one-day window is 1). */
  readonly meanWidthDays: number;
}

/** One lane's result: the learned model against the default table alone. */
export interface LaneBacktest {
  readonly profile: string;
  readonly lane: string;
  /** Deliveries the model trained on for this lane. */
  readonly trainedOn: number;
  /** What the learned estimates were based on at the end of training. */
  readonly basis: EstimateBasis;
  readonly learned: WindowFigures;
  readonly defaultTable: WindowFigures;
}

/** The backtest's figures, per lane and pooled. */
export interface BacktestReport {
  readonly target: number;
  readonly trainShare: number;
  /** Orders from this instant on are evaluated; training saw only deliveries made before it. */
  readonly splitAt: string;
  readonly trainShipments: number;
  readonly testShipments: number;
  readonly lanes: LaneBacktest[];
  readonly overall: { readonly learned: WindowFigures; readonly defaultTable: WindowFigures };
  /** Whether the learned windows held at least `target` of the test deliveries overall. */
  readonly meetsTarget: boolean;
}

class Tally {
  private n = 0;
  private inside = 0;
  private early = 0;
  private late = 0;
  private width = 0;

  add(estimate: DeliveryEstimate, delivered: CalendarDate, width: number): void {
    this.n++;
    this.width += width;
    if (delivered < estimate.earliest) this.early++;
    else if (delivered > estimate.latest) this.late++;
    else this.inside++;
  }

  figures(): WindowFigures {
    const share = (k: number) => (this.n === 0 ? 0 : Number((k / this.n).toFixed(4)));
    return {
      shipments: this.n,
      insideShare: share(this.inside),
      earlyShare: share(this.early),
      lateShare: share(this.late),
      meanWidthDays: this.n === 0 ? 0 : Number((this.width / this.n).toFixed(2)),
    };
  }
}

/**
 * Trains on the first `trainShare` of the orders by time (only deliveries completed before the split
 * count, as in production), then estimates every later order before purchase with the learned model and
 * with the default table alone.
 *
 * @param history delivered shipments sorted by order time, each tagged with its lane profile
 */
export function runBacktest(
  history: readonly SimulatedShipment[],
  options: BacktestOptions = {},
): BacktestReport {
  const trainShare = options.trainShare ?? 0.7;
  const target = options.target ?? DEFAULT_TARGET;
  if (!(trainShare > 0 && trainShare < 1))
    throw new RangeError(`trainShare must be in (0, 1), got ${trainShare}`);
  const splitIndex = Math.floor(history.length * trainShare);
  const first = history[splitIndex];
  if (!first) throw new RangeError('the history is too short to split');
  const splitAt = first.orderedAt.getTime();

  const model = new TransitModel(options.model);
  const trainedOn = new Map<string, number>();
  let trainShipments = 0;
  for (const s of history.slice(0, splitIndex)) {
    if (s.deliveredAt.getTime() >= splitAt) continue;
    model.observe(s);
    trainShipments++;
    trainedOn.set(s.profile, (trainedOn.get(s.profile) ?? 0) + 1);
  }
  const untrained = new TransitModel(options.model);

  const perLane = new Map<
    string,
    { lane: string; basis: EstimateBasis; learned: Tally; defaultTable: Tally }
  >();
  const overall = { learned: new Tally(), defaultTable: new Tally() };
  const test = history.slice(splitIndex);
  for (const s of test) {
    const lane = laneOf(s.origin, s.destination, s.service, s.carrier);
    const calendar = deliveryCalendar(lane);
    const request = {
      origin: s.origin,
      destination: s.destination,
      method: s.service,
      orderedAt: s.orderedAt,
      ...(s.carrier ? { carrier: s.carrier } : {}),
    };
    const learned = estimateBeforePurchase(request, { model, target });
    const fallback = estimateBeforePurchase(request, { model: untrained, target });
    const delivered = localDate(s.deliveredAt, learned.timeZone);
    let entry = perLane.get(s.profile);
    if (!entry) {
      entry = { lane: laneKey(lane), basis: learned.basis, learned: new Tally(), defaultTable: new Tally() };
      perLane.set(s.profile, entry);
    }
    const width = (e: DeliveryEstimate) => workingDaysBetween(e.earliest, e.latest, calendar) + 1;
    entry.learned.add(learned, delivered, width(learned));
    entry.defaultTable.add(fallback, delivered, width(fallback));
    overall.learned.add(learned, delivered, width(learned));
    overall.defaultTable.add(fallback, delivered, width(fallback));
  }

  const overallLearned = overall.learned.figures();
  return {
    target,
    trainShare,
    splitAt: new Date(splitAt).toISOString(),
    trainShipments,
    testShipments: test.length,
    lanes: [...perLane].map(([profile, e]) => ({
      profile,
      lane: e.lane,
      trainedOn: trainedOn.get(profile) ?? 0,
      basis: e.basis,
      learned: e.learned.figures(),
      defaultTable: e.defaultTable.figures(),
    })),
    overall: { learned: overallLearned, defaultTable: overall.defaultTable.figures() },
    meetsTarget: overallLearned.insideShare >= target,
  };
}
