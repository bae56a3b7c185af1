import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { createDocumentClient } from '../../adapters/dynamo/document-client.ts';
import { DynamoCartRepository } from '../../adapters/dynamo/dynamo-cart-repository.ts';
import { DynamoDropStore } from '../../adapters/dynamo/dynamo-drop-store.ts';
import {
  DynamoIdempotencyStore,
  WEBHOOK_INBOX_TTL_SECONDS,
} from '../../adapters/dynamo/dynamo-idempotency-store.ts';
import { DynamoLaneHistory } from '../../adapters/dynamo/dynamo-lane-history.ts';
import { DynamoLocationDirectory } from '../../adapters/dynamo/dynamo-location-directory.ts';
import { DynamoNotificationStore } from '../../adapters/dynamo/dynamo-notification-store.ts';
import { DynamoProductRepository } from '../../adapters/dynamo/dynamo-product-repository.ts';
import { DynamoShipmentStore } from '../../adapters/dynamo/dynamo-shipment-store.ts';
import { DynamoStockStore } from '../../adapters/dynamo/dynamo-stock-store.ts';
import { DynamoTaxonomyRepository } from '../../adapters/dynamo/dynamo-taxonomy-repository.ts';
import { DynamoVelocityStore } from '../../adapters/dynamo/dynamo-velocity-store.ts';
import { HomeRegionDropStore } from '../../adapters/dynamo/home-region-drop-store.ts';
import { HomeRegionStockStore } from '../../adapters/dynamo/home-region-stock-store.ts';
import { type ZoneTableMap, zoneTablesFrom } from '../../adapters/dynamo/zone-tables.ts';
import { PutEventsPublisher } from '../../adapters/eventbridge/put-events-publisher.ts';
import { SesEmailNotifier } from '../../adapters/ses/ses-email-notifier.ts';
import { SnsSmsNotifier } from '../../adapters/sms/sns-sms-notifier.ts';
import { ConfigError } from '../../config/config.ts';
import { learnedModel } from '../../delivery/lane-history.ts';
import type { DropStore } from '../../drops/ports.ts';
import { ValidationError } from '../../errors.ts';
import {
  type HomeRegionLookup,
  homeRegionOf,
  STOCK_HOME_REGIONS_ENV,
  stockHomeRegions,
} from '../../inventory/home-region.ts';
import type { StockStore } from '../../inventory/stock-store.ts';
import { MARKETS, type MarketCode } from '../../money/markets.ts';
import { storefrontLinks } from '../../notifications/links.ts';
import { notifierByChannel } from '../../notifications/ports.ts';
import type { NotificationDeps, PreferencesDeps } from '../../notifications/use-cases.ts';
import { systemClock } from '../../platform/domain-event.ts';
import { MARKET_ZONES_ENV, parseMarketZones } from '../../platform/market-zones.ts';
import { tableEnvVar } from '../../platform/tables.ts';
import { once } from '../lambda-handler.ts';
import { logger } from '../observability.ts';
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

/**
 * Drops, their shards and entries, in the inventory table. Like stock pools, every write (and every read
 * that decides one: shards, entries, holds) goes to the replica in the drop's home region, the region of
 * its items' locations, so two regions serving the same drop never both sell its last unit. Each region's
 * scheduler lists only the drops homed there. Without `STOCK_HOME_REGIONS` naming several regions, the
 * local replica alone.
 */
export const awsDropStore = /* @__PURE__ */ once((): DropStore => {
  const tableName = requireEnv(tableEnvVar('inventory'));
  const region = awsRegion();
  const local = new DynamoDropStore({ client: documentClient(), tableName, region });
  const homeRegions = stockHomeRegions(process.env[STOCK_HOME_REGIONS_ENV]);
  if (homeRegions.length <= 1) return local;
  const stores = Object.fromEntries(
    homeRegions.map((home) => [
      home,
      // Outbox items name the replica written, so the home region's relay publishes them.
      home === region ? local : new DynamoDropStore({ client: replicaClient(home), tableName, region: home }),
    ]),
  );
  return new HomeRegionDropStore({ localRegion: region, stores, homeRegionOf: awsHomeRegionOf() });
});

/** The residency zone this function serves: the zone whose idempotency table is in `AWS_REGION`. */
export const awsOwnZone = /* @__PURE__ */ once(() => ownZoneOf('idempotency'));

/** The zone, and its table, that a zone table's env var places in `AWS_REGION`. */
function ownPlacement(table: 'idempotency' | 'commerce') {
  const envVar = tableEnvVar(table);
  const region = awsRegion();
  const own = Object.entries(zoneTableMap(envVar)).find(([, placement]) => placement?.region === region);
  if (!own?.[1]?.tableName) {
    throw new ConfigError(`${envVar} names no ${table} table in ${region}, this function's region`);
  }
  return { zone: own[0], tableName: own[1].tableName };
}

/** This region's zone, read from a zone table the function binds. */
function ownZoneOf(table: 'idempotency' | 'commerce'): string {
  return ownPlacement(table).zone;
}

/** The table of this function's own zone. */
function ownZoneTableName(table: 'idempotency' | 'commerce'): string {
  return ownPlacement(table).tableName;
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

/**
 * Shipments and their late-check entries in each zone's commerce table, reached through that zone's
 * replica, and their tracking-number pointers in this region's replica of the inventory table.
 */
export const shipmentStore = /* @__PURE__ */ once(() => {
  const tables = zoneTableMap(tableEnvVar('commerce'));
  return new DynamoShipmentStore({
    tables: zoneTablesFrom(tables, { region: awsRegion(), localClient: documentClient() }),
    zones: Object.keys(tables),
    pointerTableName: requireEnv(tableEnvVar('inventory')),
    client: documentClient(),
    clock: systemClock,
  });
});

/** The stock locations, from the inventory table, cached in the function. */
export const awsLocations = /* @__PURE__ */ once(
  () => new DynamoLocationDirectory(documentClient(), requireEnv(tableEnvVar('inventory'))),
);

/** Delivered shipments' transit times per lane, in the inventory table. */
export const awsLaneHistory = /* @__PURE__ */ once(
  () => new DynamoLaneHistory({ client: documentClient(), tableName: requireEnv(tableEnvVar('inventory')) }),
);

/** The transit model learned from the lane history, rebuilt at most every ten minutes per function. */
export const awsTransitModel = /* @__PURE__ */ once(() =>
  learnedModel(awsLaneHistory(), systemClock, {
    onError: (error) => logger.warn('lane history unreadable; estimates keep the last model', { error }),
  }),
);

/**
 * Stock pools and reservations: checkout's reservations, staff counts, fences and transfers, and
 * available-to-promise reads. Reads use this region's replica of the inventory table; every write goes to
 * the replica in the pool's home region (its location's region), so one replica checks every
 * `available >= q` of a pool and last-writer-wins replication never merges two sales of one piece. The
 * stacks give functions that write stock `STOCK_HOME_REGIONS` (every region holding a replica) and grants on
 * each replica; a function without it (a read-only one) gets the local store.
 */
export const awsStock = /* @__PURE__ */ once((): StockStore => {
  const tableName = requireEnv(tableEnvVar('inventory'));
  const local = new DynamoStockStore({ client: documentClient(), tableName });
  const homeRegions = stockHomeRegions(process.env[STOCK_HOME_REGIONS_ENV]);
  if (homeRegions.length <= 1) return local;
  const region = awsRegion();
  const stores = Object.fromEntries(
    homeRegions.map((home) => [
      home,
      home === region ? local : new DynamoStockStore({ client: replicaClient(home), tableName }),
    ]),
  );
  return new HomeRegionStockStore({ localRegion: region, stores, homeRegionOf: awsHomeRegionOf() });
});

/** A pool's home region: its location's, from the location directory. */
const awsHomeRegionOf = /* @__PURE__ */ once((): HomeRegionLookup => {
  const locations = awsLocations();
  return async (_sku, locationId) => {
    const location = await locations.get(locationId);
    if (!location)
      throw new ValidationError(`Location ${locationId} is unknown, so its stock has no home region`);
    return homeRegionOf(location);
  };
});

/** One document client per other region's replica, shared by the stock and drop stores. */
const replicaClients = /* @__PURE__ */ new Map<string, ReturnType<typeof createDocumentClient>>();
function replicaClient(region: string): ReturnType<typeof createDocumentClient> {
  let client = replicaClients.get(region);
  if (!client) {
    client = createDocumentClient({ region });
    replicaClients.set(region, client);
  }
  return client;
}

/**
 * A customer's zone from their country claim. Functions carry the market-to-zone map, not the whole
 * configuration: a country that is a market has its market's zone; any other (or none) is served by the
 * zone of the region that answers.
 */
export const awsZoneOfCountry = /* @__PURE__ */ once(() => {
  const zoneOfMarket = awsZoneOfMarket();
  const own = ownZoneOf('commerce');
  return (country: string | undefined) =>
    country && Object.hasOwn(MARKETS, country) ? zoneOfMarket(country as MarketCode) : own;
});

/** Notification preferences, log and held messages, in each zone's commerce table. */
export const awsNotificationStore = /* @__PURE__ */ once(() => {
  const tables = zoneTableMap(tableEnvVar('commerce'));
  return new DynamoNotificationStore({
    tables: zoneTablesFrom(tables, { region: awsRegion(), localClient: documentClient() }),
    zones: Object.keys(tables),
  });
});

export const awsPreferencesDeps = /* @__PURE__ */ once(
  (): PreferencesDeps => ({
    preferences: awsNotificationStore(),
    clock: systemClock,
    zoneOfCountry: awsZoneOfCountry(),
  }),
);

/**
 * Email through SES and SMS through SNS. The clients make one attempt: an SDK retry after a timeout could
 * deliver a message twice, so retries go through the queue and the dedupe log instead.
 */
export const awsNotifier = /* @__PURE__ */ once(() =>
  notifierByChannel({
    email: new SesEmailNotifier({
      client: new SESv2Client({ maxAttempts: 1 }),
      from: requireEnv('NOTIFICATION_EMAIL_FROM'),
      configurationSetName: process.env.NOTIFICATION_SES_CONFIGURATION_SET,
    }),
    sms: new SnsSmsNotifier({
      client: new SNSClient({ maxAttempts: 1 }),
      senderId: process.env.NOTIFICATION_SMS_SENDER_ID,
      originationNumber: process.env.NOTIFICATION_SMS_ORIGINATION_NUMBER,
    }),
  }),
);

/** What the notifier and the deferred sweep share; they add the order and location lookups. */
export const awsNotificationDeps = /* @__PURE__ */ once(
  (): Omit<NotificationDeps, 'orders' | 'locations'> => {
    const store = awsNotificationStore();
    return {
      preferences: store,
      log: store,
      deferred: store,
      notifier: awsNotifier(),
      links: storefrontLinks(requireEnv('STOREFRONT_URL')),
      clock: systemClock,
      region: awsRegion(),
      zones: Object.keys(zoneTableMap(tableEnvVar('commerce'))),
    };
  },
);
