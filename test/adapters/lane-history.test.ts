import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLaneHistory } from '../../lib/adapters/dynamo/dynamo-lane-history.ts';
import { InMemoryLaneHistory } from '../../lib/delivery/lane-history.ts';
import { laneKey, laneOf } from '../../lib/delivery/lanes.ts';
import { testTables } from '../support/dynamo.ts';
import { describeLaneHistoryContract } from './lane-history.contract.ts';

describeLaneHistoryContract('in memory', async () => ({
  history: new InMemoryLaneHistory(),
  shipmentPrefix: '',
  originId: 'roissy-warehouse',
}));

const shared = testTables();
describeLaneHistoryContract('DynamoDB', async () => {
  const t = await shared;
  // One table for the suite: each test has its own origin (so its own lanes) and shipment ids.
  const id = Math.random().toString(36).slice(2, 10);
  return {
    history: new DynamoLaneHistory({ client: t.doc, tableName: t.names.inventory.global as string }),
    shipmentPrefix: `${id}-`,
    originId: `origin-${id}`,
  };
});

describe('DynamoLaneHistory', () => {
  it('keeps a marker per counted shipment, without a TTL, and one counter per transit day', async () => {
    const t = await shared;
    const tableName = t.names.inventory.global as string;
    const history = new DynamoLaneHistory({ client: t.doc, tableName });
    const lane = laneOf(
      { locationId: 'marker-warehouse', country: 'FR', timezone: 'Europe/Paris' },
      { country: 'FR', postalCode: '69002' },
      'express',
    );

    await history.record({ lane, season: 'regular', days: 1, shipmentId: 'shp_marker' });

    const marker = await t.doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'LANEOBS#shp_marker', sk: 'LANEOBS' } }),
    );
    expect(marker.Item).toBeDefined();
    expect(marker.Item?.expiresAt).toBeUndefined();
    const stats = await t.doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `LANE#${laneKey(lane)}`, sk: 'SEASON#regular' },
      }),
    );
    expect(stats.Item).toMatchObject({ d1: 1, observations: 1, lane, season: 'regular', gsi1pk: 'LANES' });
  });
});
