import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../../lib/delivery/backtest.ts';
import { demoLaneProfiles, generateHistory } from '../../../lib/delivery/history.ts';

describe('delivery estimate backtest', () => {
  // Domestic, coast to coast, and across a customs border: one lane of each kind, one year of orders.
  const lanes = demoLaneProfiles().filter((p) => /Paris|Los Angeles|London/.test(p.name));
  const history = generateHistory({ lanes, from: '2026-01-01', to: '2026-12-20', seed: 20260501 });

  it('generates the same history for the same seed', () => {
    const again = generateHistory({ lanes, from: '2026-01-01', to: '2026-01-31', seed: 20260501 });
    const first = history.filter((s) => s.orderedAt < new Date('2026-01-31T12:00:00Z'));
    expect(again.slice(0, 20)).toEqual(first.slice(0, 20));
    expect(history.every((s, i) => i === 0 || history[i - 1]!.orderedAt <= s.orderedAt)).toBe(true);
  });

  it('delivers at least 90% of held-out orders inside the window promised before purchase', () => {
    const report = runBacktest(history);
    expect(report.lanes).toHaveLength(3);
    expect(report.testShipments).toBeGreaterThan(500);
    expect(report.overall.learned.insideShare).toBeGreaterThanOrEqual(0.9);
    expect(report.meetsTarget).toBe(true);
    // One year leaves about 300 held-out parcels per lane, including the lane's first peak, so a single
    // lane can land a little under the target by chance; the two-year bench reports every lane.
    for (const lane of report.lanes) {
      expect(lane.basis).toBe('learned');
      expect(lane.learned.insideShare).toBeGreaterThanOrEqual(0.85);
    }
    // The learned model beats the default table it starts from.
    expect(report.overall.learned.insideShare).toBeGreaterThan(report.overall.defaultTable.insideShare + 0.1);
  });
});
