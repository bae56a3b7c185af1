import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { laneOf } from '../../../lib/delivery/lanes.ts';
import {
  conditionalPmf,
  defaultPmf,
  defaultTransitRange,
  narrowestWindow,
  type Season,
  seasonOf,
  TransitModel,
  TransitModelSnapshot,
} from '../../../lib/delivery/transit-model.ts';

const roissy = { locationId: 'roissy-warehouse', country: 'FR', timezone: 'Europe/Paris' };
const paris = laneOf(roissy, { country: 'FR', postalCode: '75008' }, 'standard');
const lyon = laneOf(roissy, { country: 'FR', postalCode: '69002' }, 'standard');

function recordAll(model: TransitModel, days: readonly number[], lane = paris, season: Season = 'regular') {
  for (const d of days) model.record({ lane, season, days: d });
}

const share = (days: readonly number[], from: number, to: number) =>
  days.filter((d) => d >= from && d <= to).length / days.length;

describe('narrowestWindow', () => {
  it('picks the narrowest range holding the target, then the one holding most', () => {
    expect(narrowestWindow([0, 0.5, 0.42, 0.05, 0.03], 0.9)).toMatchObject({ from: 1, to: 2 });
    expect(narrowestWindow([0, 0.3, 0.3, 0.3, 0.1], 0.9)).toMatchObject({ from: 1, to: 3 });
    expect(narrowestWindow([0, 0.05, 0.45, 0.45, 0.05], 0.9)).toMatchObject({ from: 2, to: 3 });
    expect(narrowestWindow([1], 0.9)).toEqual({ from: 0, to: 0, mass: 1 });
  });

  it('asks a window learned from few deliveries to hold the target with margin', () => {
    const pmf = [0, 0.92, 0.06, 0.02];
    expect(narrowestWindow(pmf, 0.9)).toMatchObject({ from: 1, to: 1 });
    expect(narrowestWindow(pmf, 0.9, 5000)).toMatchObject({ from: 1, to: 1 });
    expect(narrowestWindow(pmf, 0.9, 50)).toMatchObject({ from: 1, to: 2 });
  });

  it('conditions on days already elapsed', () => {
    const given = conditionalPmf([0, 0.5, 0.3, 0.2], 2);
    expect(given?.pmf[1]).toBe(0);
    expect(given?.pmf[2]).toBeCloseTo(0.6);
    expect(given?.share).toBeCloseTo(0.5);
    expect(conditionalPmf([0, 0.5, 0.5], 3)).toBeUndefined();
  });
});

describe('default table', () => {
  it('uses the terms checkout shows where the origin is a market, and generic ranges elsewhere', () => {
    expect(defaultTransitRange('FR', 'FR', 'standard')).toEqual([2, 4]);
    expect(defaultTransitRange('FR', 'DE', 'express')).toEqual([2, 3]);
    expect(defaultTransitRange('US', 'US', 'standard')).toEqual([3, 5]);
    expect(defaultTransitRange('NL', 'CH', 'standard')).toEqual([4, 7]);
  });

  it('puts 90% on the range so that its 90% window is the range itself', () => {
    const pmf = defaultPmf('FR', 'FR', 'standard');
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(narrowestWindow(pmf, 0.9)).toMatchObject({ from: 2, to: 4 });
  });
});

describe('TransitModel', () => {
  it('answers from the default table until a lane has enough deliveries', () => {
    const model = new TransitModel({ minObservations: 30 });
    recordAll(model, Array(29).fill(1));
    expect(model.distribution(paris)).toMatchObject({ basis: 'default', level: 'default', observations: 29 });
    recordAll(model, [1]);
    const learned = model.distribution(paris);
    expect(learned).toMatchObject({ basis: 'learned', level: 'lane', observations: 30 });
    expect(narrowestWindow(learned.pmf, 0.9)).toMatchObject({ from: 1, to: 1 });
  });

  it("starts a new postal area from its corridor's distribution rather than the default table", () => {
    const model = new TransitModel();
    recordAll(model, Array(100).fill(1));
    const d = model.distribution(lyon);
    expect(d).toMatchObject({ basis: 'learned', level: 'corridor', observations: 0 });
    expect(narrowestWindow(d.pmf, 0.9)).toMatchObject({ from: 1, to: 1 });
    // Its first parcels move the window only as far as their share of the threshold.
    recordAll(model, [2, 2, 2], lyon);
    expect(narrowestWindow(model.distribution(lyon).pmf, 0.9)).toMatchObject({ from: 1, to: 2 });
  });

  it('learns the peak on its own, assuming a slower regular season until the peak has data', () => {
    const model = new TransitModel();
    recordAll(model, Array(100).fill(1));
    expect(narrowestWindow(model.distribution(paris, 'peak').pmf, 0.9)).toMatchObject({ from: 1, to: 2 });
    recordAll(model, [...Array(40).fill(2), ...Array(20).fill(3)], paris, 'peak');
    expect(narrowestWindow(model.distribution(paris, 'peak').pmf, 0.9)).toMatchObject({ from: 2, to: 3 });
    expect(narrowestWindow(model.distribution(paris, 'regular').pmf, 0.9)).toMatchObject({ from: 1, to: 1 });
    expect(seasonOf('2026-11-27')).toBe('peak');
    expect(seasonOf('2026-12-26')).toBe('regular');
  });

  it('reloads a snapshot to the same distributions', () => {
    const model = new TransitModel();
    recordAll(model, [1, 1, 2, 2, 2, 3, 5, ...Array(40).fill(2)]);
    recordAll(model, Array(35).fill(4), lyon);
    const stored = JSON.parse(JSON.stringify(model.snapshot()));
    const reloaded = TransitModel.fromSnapshot(TransitModelSnapshot.parse(stored));
    expect(reloaded.distribution(paris)).toEqual(model.distribution(paris));
    expect(reloaded.distribution(lyon)).toEqual(model.distribution(lyon));
    expect(reloaded.observations(paris)).toBe(47);
  });

  const samples = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 30, maxLength: 400 });

  it('learns a window that covers at least the target share of the deliveries it learned from', () => {
    fc.assert(
      fc.property(samples, fc.constantFrom(0.8, 0.9, 0.95), (days, target) => {
        const model = new TransitModel({ priorWeight: 0 });
        recordAll(model, days);
        const w = narrowestWindow(model.distribution(paris).pmf, target);
        expect(share(days, w.from, w.to)).toBeGreaterThanOrEqual(target - 1e-9);
      }),
    );
  });

  it('gives up at most the prior weight’s share of coverage to shrinkage', () => {
    fc.assert(
      fc.property(samples, (days) => {
        const model = new TransitModel({ priorWeight: 5 });
        recordAll(model, days);
        const w = narrowestWindow(model.distribution(paris).pmf, 0.9);
        expect(share(days, w.from, w.to)).toBeGreaterThanOrEqual(0.9 - 5 / (days.length + 5) - 1e-9);
      }),
    );
  });
});
