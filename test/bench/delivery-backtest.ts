import { pathToFileURL } from 'node:url';
import { type BacktestReport, runBacktest, type WindowFigures } from '../../lib/delivery/backtest.ts';
import type { CalendarDate } from '../../lib/delivery/calendar.ts';
import { demoLaneProfiles, generateHistory } from '../../lib/delivery/history.ts';

export interface DeliveryBacktestOptions {
  /** First order day. @default 2026-01-01 */
  readonly from?: CalendarDate;
  /** Last order day; late enough in December that every parcel lands inside the holiday tables. @default 2027-12-15 */
  readonly to?: CalendarDate;
  /** @default 20260501 */
  readonly seed?: number;
}

export interface DeliveryBacktestBenchReport extends BacktestReport {
  readonly settings: { readonly from: CalendarDate; readonly to: CalendarDate; readonly seed: number };
  readonly historyShipments: number;
  readonly cpuMs: number;
}

/**
 * Generates two years of delivered shipments on the demo lanes, trains on the first 70% by order time
 * and reports, per lane and overall, the share delivered inside the window promised before purchase and
 * the mean window width, for the learned model and for the default table alone. Deterministic for a seed.
 */
export function benchDeliveryBacktest(options: DeliveryBacktestOptions = {}): DeliveryBacktestBenchReport {
  const from = options.from ?? '2026-01-01';
  const to = options.to ?? '2027-12-15';
  const seed = options.seed ?? 20260501;
  const start = process.cpuUsage();
  const history = generateHistory({ lanes: demoLaneProfiles(), from, to, seed });
  const report = runBacktest(history);
  const used = process.cpuUsage(start);
  return {
    settings: { from, to, seed },
    historyShipments: history.length,
    ...report,
    cpuMs: Math.round((used.user + used.system) / 1000),
  };
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function columns(prefix: string, f: WindowFigures) {
  return {
    [`${prefix} inside`]: pct(f.insideShare),
    [`${prefix} early`]: pct(f.earlyShare),
    [`${prefix} late`]: pct(f.lateShare),
    [`${prefix} width`]: f.meanWidthDays,
  };
}

/** Prints the per-lane and overall figures as a table. */
export function printDeliveryBacktest(report: DeliveryBacktestBenchReport): void {
  const { settings } = report;
  console.log(
    `delivery estimate backtest: orders ${settings.from} to ${settings.to}, seed ${settings.seed}, ` +
      `${report.historyShipments} shipments; trained on ${report.trainShipments} delivered before ${report.splitAt}, ` +
      `evaluated on ${report.testShipments}; target ${pct(report.target)} inside (width in delivery business days)`,
  );
  const rows = [
    ...report.lanes.map((l) => ({
      lane: l.profile,
      basis: l.basis,
      trained: l.trainedOn,
      tested: l.learned.shipments,
      ...columns('learned', l.learned),
      ...columns('default', l.defaultTable),
    })),
    {
      lane: 'overall',
      basis: '',
      trained: report.trainShipments,
      tested: report.testShipments,
      ...columns('learned', report.overall.learned),
      ...columns('default', report.overall.defaultTable),
    },
  ];
  console.table(rows);
  console.log(
    `learned: ${pct(report.overall.learned.insideShare)} inside, mean width ${report.overall.learned.meanWidthDays} days ` +
      `(target ${pct(report.target)}: ${report.meetsTarget ? 'met' : 'MISSED'}); default table: ` +
      `${pct(report.overall.defaultTable.insideShare)} inside, mean width ${report.overall.defaultTable.meanWidthDays} days; ` +
      `CPU ${report.cpuMs} ms`,
  );
}

// `npx tsx test/bench/delivery-backtest.ts` prints the table; `npm run bench -- delivery-backtest` also
// writes reports/bench/delivery-backtest.json.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printDeliveryBacktest(benchDeliveryBacktest());
}
