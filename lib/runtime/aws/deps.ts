import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createDocumentClient } from '../../adapters/dynamo/document-client.ts';
import { DynamoProductRepository } from '../../adapters/dynamo/dynamo-product-repository.ts';
import { DynamoTaxonomyRepository } from '../../adapters/dynamo/dynamo-taxonomy-repository.ts';
import { PutEventsPublisher } from '../../adapters/eventbridge/put-events-publisher.ts';
import { systemClock } from '../../platform/domain-event.ts';
import { tableEnvVar } from '../../platform/tables.ts';
import { once } from '../lambda-handler.ts';
import { requireEnv } from './env.ts';

/**
 * The AWS composition root. Each dependency is its own memoized (and pure-annotated) factory so esbuild keeps only what a
 * function imports: the search function never bundles DynamoDB, the relay never bundles OpenSearch.
 */
export const awsRegion = /* @__PURE__ */ once(() => requireEnv('AWS_REGION'));
export const awsClock = () => systemClock;
const documentClient = /* @__PURE__ */ once(() => createDocumentClient());

export const awsProducts = /* @__PURE__ */ once(
  () =>
    new DynamoProductRepository({
      client: documentClient(),
      tableName: requireEnv(tableEnvVar('catalog')),
      region: awsRegion(),
      clock: systemClock,
    }),
);

export const awsTaxonomy = /* @__PURE__ */ once(
  () => new DynamoTaxonomyRepository(documentClient(), requireEnv(tableEnvVar('catalog'))),
);

export const awsEventPublisher = /* @__PURE__ */ once(() => {
  const client = new EventBridgeClient({});
  return new PutEventsPublisher(
    (Entries) => client.send(new PutEventsCommand({ Entries })),
    requireEnv('EVENT_BUS_NAME'),
  );
});
