import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler as makeIndexer } from '../../functions/catalog/search-indexer.ts';
import { makeHandler as makeRelay } from '../../functions/platform/outbox-relay.ts';
import { productToItem } from '../../lib/adapters/dynamo/dynamo-product-repository.ts';
import { outboxItem } from '../../lib/adapters/dynamo/outbox.ts';
import type { SearchDocument } from '../../lib/contracts/search.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import type { SearchIndex } from '../../lib/search/search-index.ts';
import { sampleProduct, upserted } from '../adapters/product-repository.contract.ts';
import { RecordingPublisher } from '../support/fakes.ts';

let sequence = 100;
function record(item: Record<string, unknown>, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): DynamoDBRecord {
  sequence++;
  return {
    eventID: `e${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
const streamEvent = (records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });
const ctx = lambdaContext('test', 60);

describe('outbox relay', () => {
  const events = (n: number, region: string) =>
    Array.from({ length: n }, (_, i) => {
      const p = sampleProduct(`p-${region}-${i}`, '2026-02-01T00:00:00.000Z');
      return record({ ...outboxItem(upserted(p), region, new Date()) });
    });

  it('publishes the outbox items this region wrote and ignores replicas from other regions', async () => {
    const publisher = new RecordingPublisher();
    const { published } = publisher;
    const relay = makeRelay({ region: 'eu-west-1', events: publisher });
    const result = await relay(streamEvent([...events(3, 'eu-west-1'), ...events(2, 'us-east-1')]), ctx);
    expect(result.batchItemFailures).toEqual([]);
    expect(published).toHaveLength(3);
    expect(published[0]).toMatchObject({ source: 'vitrine.catalog', detailType: 'ProductUpserted' });
    expect(JSON.parse(published[0]?.detail ?? '{}').metadata.eventId).toBe('product:p-eu-west-1-0:v1');
  });

  it('reports the first rejected event and everything after it, so order survives the retry', async () => {
    const records = events(4, 'eu-west-1');
    const relay = makeRelay({ region: 'eu-west-1', events: { publish: async () => ({ failed: [2] }) } });
    const result = await relay(streamEvent(records), ctx);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.slice(2).map((r) => r.dynamodb?.SequenceNumber),
    );
  });

  it('skips non-outbox items and modifications', async () => {
    const publisher = new RecordingPublisher();
    const { published } = publisher;
    const relay = makeRelay({ region: 'eu-west-1', events: publisher });
    const product = sampleProduct('plain', '2026-02-01T00:00:00.000Z');
    await relay(
      streamEvent([
        record(productToItem(product)),
        { ...events(1, 'eu-west-1')[0], eventName: 'MODIFY' } as DynamoDBRecord,
      ]),
      ctx,
    );
    expect(published).toEqual([]);
  });
});

describe('search indexer', () => {
  function fakeIndex(fail = false) {
    const batches: SearchDocument[][] = [];
    const index: SearchIndex = {
      async index(docs) {
        if (fail) throw new Error('cluster unavailable');
        batches.push([...docs]);
        return { indexed: docs.length, stale: 0 };
      },
      async search() {
        throw new Error('unused');
      },
    };
    return { index, batches };
  }

  it('sends one bulk request with the newest version of each product in the batch', async () => {
    const { index, batches } = fakeIndex();
    const v1 = sampleProduct('ring', '2026-02-01T00:00:00.000Z', 1);
    const v3 = { ...v1, name: 'Ring, renamed', version: 3 };
    const other = sampleProduct('watch', '2026-02-02T00:00:00.000Z', 1);
    const indexer = makeIndexer({ search: index });
    const result = await indexer(
      streamEvent([
        record(productToItem(v3), 'MODIFY'),
        record(productToItem(v1)),
        record(productToItem(other)),
      ]),
      ctx,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.map((d) => [d.productId, d.version, d.name])).toEqual([
      ['ring', 3, 'Ring, renamed'],
      ['watch', 1, other.name],
    ]);
  });

  it('hands the whole batch back for retry when the index is unavailable', async () => {
    const { index } = fakeIndex(true);
    const records = [record(productToItem(sampleProduct('ring', '2026-02-01T00:00:00.000Z')))];
    const result = await makeIndexer({ search: index })(streamEvent(records), ctx);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber }]);
  });
});
