import { beforeEach, describe, expect, it } from 'vitest';
import type { LaneHistory } from '../../lib/delivery/lane-history.ts';
import { type Lane, laneOf } from '../../lib/delivery/lanes.ts';
import { TransitModel } from '../../lib/delivery/transit-model.ts';

const roissy = { locationId: 'roissy-warehouse', country: 'FR', timezone: 'Europe/Paris' };

/**
 * The behaviour every LaneHistory must have, whatever stores it. `make` answers a history of its own:
 * stores that share a table tell tests apart by their origin location (`origin`).
 */
export function describeLaneHistoryContract(
  name: string,
  make: () => Promise<{ history: LaneHistory; shipmentPrefix: string; originId: string }>,
) {
  describe(`LaneHistory contract: ${name}`, () => {
    let history: LaneHistory;
    let shipment: (n: number) => string;
    let lane: Lane;
    beforeEach(async () => {
      const made = await make();
      history = made.history;
      shipment = (n) => `${made.shipmentPrefix}shp_${n}`;
      lane = laneOf(
        { ...roissy, locationId: made.originId },
        { country: 'FR', postalCode: '75008' },
        'standard',
      );
    });

    const ownLanes = async () =>
      (await history.snapshot()).lanes.filter((l) => l.lane.originLocationId === lane.originLocationId);

    it('counts a delivered shipment once, however often it is recorded', async () => {
      expect(await history.record({ lane, season: 'regular', days: 2, shipmentId: shipment(1) })).toBe(true);
      expect(await history.record({ lane, season: 'regular', days: 2, shipmentId: shipment(1) })).toBe(false);
      expect(await history.record({ lane, season: 'regular', days: 3, shipmentId: shipment(2) })).toBe(true);

      expect(await ownLanes()).toEqual([{ lane, season: 'regular', counts: [0, 0, 1, 1] }]);
    });

    it('counts concurrent deliveries of one lane without losing any', async () => {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          history.record({ lane, season: 'peak', days: 4, shipmentId: shipment(100 + i) }),
        ),
      );

      expect((await ownLanes()).find((l) => l.season === 'peak')?.counts[4]).toBe(8);
    });

    it('snapshots into a model whose lane is learned once it has enough deliveries', async () => {
      const options = { minObservations: 5 };
      for (let i = 0; i < 4; i++) {
        await history.record({ lane, season: 'regular', days: 1 + (i % 2), shipmentId: shipment(200 + i) });
      }
      expect(TransitModel.fromSnapshot(await history.snapshot(), options).distribution(lane).basis).toBe(
        'default',
      );

      await history.record({ lane, season: 'regular', days: 2, shipmentId: shipment(204) });
      const learned = TransitModel.fromSnapshot(await history.snapshot(), options).distribution(lane);

      expect(learned).toMatchObject({ basis: 'learned', level: 'lane', observations: 5 });
    });
  });
}
