import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createDocumentClient } from '../../adapters/dynamo/document-client.ts';
import { DynamoCartRepository } from '../../adapters/dynamo/dynamo-cart-repository.ts';
import {
  DynamoIdempotencyStore,
  WEBHOOK_INBOX_TTL_SECONDS,
} from '../../adapters/dynamo/dynamo-idempotency-store.ts';
import { DynamoProductRepository } from '../../adapters/dynamo/dynamo-product-repository.ts';
import { DynamoTaxonomyRepository } from '../../adapters/dynamo/dynamo-taxonomy-repository.ts';
import { DynamoVelocityStore } from '../../adapters/dynamo/dynamo-velocity-store.ts';
import { type ZoneTableMap, zoneTablesFrom } from '../../adapters/dynamo/zone-tables.ts';
import { PutEventsPublisher } from '../../adapters/eventbridge/put-events-publisher.ts';
import { ConfigError } from '../../config/config.ts';
import { systemClock } from '../../platform/domain-event.ts';
import { MARKET_ZONES_ENV, parseMarketZones } from '../../platform/market-zones.ts';
import { tableEnvVar } from '../../platform/tables.ts';
import { once } from '../lambda-handler.ts';
import { requireEnv } from './env.ts';

/**
 * The AWS composition root. Each dependency is its own memoized (and pure-annotated) factory so esbuild keeps only what a
 * function imports: the search function never bundles DynamoDB, the relay never bundles OpenSearch.
 */
export const awsRegion = /* @__PURE__ */ once(() => requireEnv('AWS_REGION'));
export const awsClock = () => systemClock;
export const awsDocumentClient = /* @__PURE__ */ once(() => createDocumentClient());
const documentClient = awsDocumentClient;

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

/**
 * The `Idempotency-Key` records of this region's own residency zone. `IDEMPOTENCY_TABLES` (set on every
 * function whose manifest binds the `idempotency` table) maps each zone to a region and table name, and
 * the entry of the function's own zone names the function's own region (stacks/constructs/data-tables.ts);
 * lib/config is not bundled into functions, so the own zone is the one whose entry is in `AWS_REGION`.
 */
export const awsIdempotency = /* @__PURE__ */ once(
  () => new DynamoIdempotencyStore({ client: documentClient(), tableName: ownZoneTableName('idempotency') }),
);

/**
 * The Stripe webhook inbox: the idempotency store keyed by event id, kept 30 days because Stripe
 * retries a delivery for up to three days and an operator may resend older events.
 */
export const awsWebhookInbox = /* @__PURE__ */ once(
  () =>
    new DynamoIdempotencyStore({
      client: documentClient(),
      tableName: ownZoneTableName('idempotency'),
      ttlSeconds: WEBHOOK_INBOX_TTL_SECONDS,
    }),
);

/** The table of this function's own zone, from a zone table's env var: the entry in `AWS_REGION`. */
function ownZoneTableName(table: 'idempotency' | 'commerce'): string {
  const envVar = tableEnvVar(table);
  const region = awsRegion();
  const own = Object.values(zoneTableMap(envVar)).find((placement) => placement?.region === region);
  if (!own?.tableName) {
    throw new ConfigError(`${envVar} names no ${table} table in ${region}, this function's region`);
  }
  return own.tableName;
}

/** A zone table env var's value: a JSON map of zone to `{ region, tableName }`. */
function zoneTableMap(envVar: string): ZoneTableMap {
  let zones: unknown;
  try {
    zones = JSON.parse(requireEnv(envVar));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
  }
  if (typeof zones !== 'object' || zones === null) {
    throw new ConfigError(
      `Environment variable ${envVar} must be a JSON map of zone to { region, tableName }`,
    );
  }
  return zones as ZoneTableMap;
}

/** The zone serving each market, from `MARKET_ZONES` (the stacks set it on functions that bind the commerce table). */
export const awsZoneOfMarket = /* @__PURE__ */ once(() => parseMarketZones(requireEnv(MARKET_ZONES_ENV)));

/** Carts in the commerce table of the zone their id names, reached through that zone's replica. */
export const awsCarts = /* @__PURE__ */ once(
  () =>
    new DynamoCartRepository({
      tables: zoneTablesFrom(zoneTableMap(tableEnvVar('commerce')), {
        region: awsRegion(),
        localClient: documentClient(),
      }),
    }),
);

/** Risk-screening velocity counters, in this region's zone's idempotency table. */
export const awsVelocity = /* @__PURE__ */ once(
  () => new DynamoVelocityStore({ client: documentClient(), tableName: ownZoneTableName('idempotency') }),
);
