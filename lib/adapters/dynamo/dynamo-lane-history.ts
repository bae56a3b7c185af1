import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import {
  type LaneHistory,
  type LaneObservation,
  MAX_STORED_TRANSIT_DAYS,
  storedDays,
} from '../../delivery/lane-history.ts';
import { Lane, laneKey } from '../../delivery/lanes.ts';
import { Season, type TransitModelSnapshot } from '../../delivery/transit-model.ts';
import { classifyCancellation, transactWithConflictRetries } from './transactions.ts';

export interface DynamoLaneHistoryProps {
  readonly client: DynamoDBDocumentClient;
  /** The global inventory table: lane statistics name locations and postal areas, never a person. */
  readonly tableName: string;
}

/** The `gsi1` partition listing every lane's statistics. */
const LANES_INDEX_PK = 'LANES';

const laneItemKey = (key: string, season: Season) => ({ pk: `LANE#${key}`, sk: `SEASON#${season}` });
const markerKey = (shipmentId: string) => ({ pk: `LANEOBS#${shipmentId}`, sk: 'LANEOBS' });
/** The counter of deliveries that took `days` working days. */
const dayAttribute = (days: number) => `d${days}`;
const DAY_ATTRIBUTE = /^d(\d{1,2})$/;

/**
 * A {@link LaneHistory} in the inventory table. Each lane and season is one item (pk `LANE#<lane key>`, sk
 * `SEASON#<season>`, listed in the `gsi1` partition `LANES`) holding the lane's fields and one counter per
 * transit day (`d0`, `d1`, …), incremented with `ADD` so concurrent deliveries never overwrite each
 * other. The increment is written in one transaction with a marker `LANEOBS#<shipment id>` that must not
 * exist yet, so a delivery counted once is never counted again. Markers carry no TTL: a redelivered event
 * months later must still find them.
 */
export class DynamoLaneHistory implements LaneHistory {
  constructor(private readonly props: DynamoLaneHistoryProps) {}

  async record(observation: LaneObservation): Promise<boolean> {
    const { lane, season } = observation;
    const key = laneKey(lane);
    const day = dayAttribute(storedDays(observation.days));
    try {
      await transactWithConflictRetries(this.props.client, [
        {
          Put: {
            TableName: this.props.tableName,
            Item: { ...markerKey(observation.shipmentId), laneKey: key, season, days: observation.days },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.props.tableName,
            Key: laneItemKey(key, season),
            UpdateExpression:
              'SET gsi1pk = :index, gsi1sk = :sort, lane = :lane, season = :season ADD #day :one, observations :one',
            ExpressionAttributeNames: { '#day': day },
            ExpressionAttributeValues: {
              ':index': LANES_INDEX_PK,
              ':sort': `${key}|${season}`,
              ':lane': lane,
              ':season': season,
              ':one': 1,
            },
          },
        },
      ]);
      return true;
    } catch (error) {
      const cancellation = classifyCancellation(error);
      if (cancellation?.kind === 'condition' && cancellation.failedIndexes.includes(0)) return false;
      throw error;
    }
  }

  async snapshot(): Promise<TransitModelSnapshot> {
    const lanes: TransitModelSnapshot['lanes'] = [];
    let cursor: QueryCommandOutput['LastEvaluatedKey'];
    do {
      const page: QueryCommandOutput = await this.props.client.send(
        new QueryCommand({
          TableName: this.props.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :index',
          ExpressionAttributeValues: { ':index': LANES_INDEX_PK },
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const lane = Lane.safeParse(item.lane);
        const season = Season.safeParse(item.season);
        if (!lane.success || !season.success) continue;
        lanes.push({ lane: lane.data, season: season.data, counts: countsOf(item) });
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return { version: 1, lanes };
  }
}

/** The day counters of a lane item as a dense histogram. */
function countsOf(item: Record<string, unknown>): number[] {
  const counts: number[] = [];
  for (const [name, value] of Object.entries(item)) {
    const match = DAY_ATTRIBUTE.exec(name);
    if (!match) continue;
    const days = Number(match[1]);
    if (days > MAX_STORED_TRANSIT_DAYS || typeof value !== 'number') continue;
    while (counts.length <= days) counts.push(0);
    counts[days] = value;
  }
  return counts;
}
