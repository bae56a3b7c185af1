import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../../adapters/dynamo/document-client.ts';
import { DynamoCartRepository } from '../../adapters/dynamo/dynamo-cart-repository.ts';
import { DynamoCommerceRepository } from '../../adapters/dynamo/dynamo-commerce-repository.ts';
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
import { sharedClientZoneTables } from '../../adapters/dynamo/zone-tables.ts';
import { PutEventsPublisher } from '../../adapters/eventbridge/put-events-publisher.ts';
import { LocalPaymentGateway } from '../../adapters/local-payments/local-payment-gateway.ts';
import { postWebhookTo } from '../../adapters/local-payments/webhook-dispatcher.ts';
import { OramaSearchIndex } from '../../adapters/orama/orama-search-index.ts';
import type { ProductRepository, TaxonomyRepository } from '../../catalog/ports.ts';
import type { CartRepository } from '../../commerce/cart-repository.ts';
import { checkoutCartsFrom } from '../../commerce/checkout-carts.ts';
import type { CommerceRepository, PickupDeadlines } from '../../commerce/commerce-repository.ts';
import type { CheckoutCarts, LocationDirectory } from '../../commerce/ports.ts';
import { type VitrineConfig, zoneOfCountry, zoneOfRegion } from '../../config/config.ts';
import { loadConfig } from '../../config/load.ts';
import { type LaneHistory, learnedModel, type TransitModelSource } from '../../delivery/lane-history.ts';
import type { DropStore } from '../../drops/ports.ts';
import type { StockStore } from '../../inventory/stock-store.ts';
import type { MarketCode } from '../../money/markets.ts';
import { storefrontLinks } from '../../notifications/links.ts';
import { LocalNotificationOutbox } from '../../notifications/local-outbox.ts';
import type { NotificationDeps, PreferencesDeps } from '../../notifications/use-cases.ts';
import { type Clock, systemClock } from '../../platform/domain-event.ts';
import type { EventPublisher } from '../../platform/event-publisher.ts';
import type { IdempotencyStore } from '../../platform/idempotency.ts';
import {
  FUNCTION_DEFAULTS,
  type FunctionDefinition,
  queueVisibilitySeconds,
  type ServiceManifest,
  subscriptionPattern,
} from '../../platform/manifest.ts';
import { marketZones } from '../../platform/market-zones.ts';
import { TABLES } from '../../platform/tables.ts';
import type { VelocityStore } from '../../risk/velocity-store.ts';
import type { SearchIndex } from '../../search/search-index.ts';
import type { ShipmentStore } from '../../tracking/ports.ts';
import type { CarrierSlug } from '../../tracking/tracking-event.ts';
import {
  createTables,
  LOCAL_CREDENTIALS,
  LocalStartupError,
  localTableNames,
  startDynamoLocal,
} from './dynamo-local.ts';
import { InProcessEventBus } from './events/event-bus.ts';
import { LocalQueue } from './events/queue.ts';
import { LocalScheduler } from './events/scheduler.ts';
import { DynamoStreamPoller } from './events/stream-poller.ts';
import { type GatewayRoute, HttpGateway } from './http-gateway.ts';
import { LocalJwtIssuer } from './jwt-issuer.ts';
import { lambdaContext } from './lambda-context.ts';
import { seedDemoData, seedDemoDrop, seedDemoStock } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Connections to DynamoDB Local the platform's clients may open at once (see `startLocalPlatform`). */
const LOCAL_MAX_SOCKETS = 256;

/** Everything a handler factory may ask for; each `makeHandler` takes the part it needs. */
export interface LocalDeps {
  readonly products: ProductRepository;
  readonly taxonomy: TaxonomyRepository;
  readonly search: SearchIndex;
  readonly events: EventPublisher;
  readonly clock: Clock;
  readonly region: string;
  readonly issuer: LocalJwtIssuer;
  readonly includeLocalOnly: boolean;
  readonly carts: CartRepository;
  readonly checkoutCarts: CheckoutCarts;
  readonly zoneOfMarket: (market: MarketCode) => string;
  /** A customer's residency zone from their country claim. */
  readonly zoneOfCountry: (country: string | undefined) => string;
  readonly commerce: CommerceRepository & PickupDeadlines;
  readonly stock: StockStore;
  readonly drops: DropStore;
  readonly locations: LocationDirectory;
  /** Idempotency-Key records; also the Stripe webhook inbox. */
  readonly idempotency: IdempotencyStore;
  readonly inbox: IdempotencyStore;
  readonly velocity: VelocityStore;
  readonly payments: LocalPaymentGateway;
  /** The same gateway, for the dev payment routes. */
  readonly localPayments: LocalPaymentGateway;
  readonly webhookSecrets: () => Promise<readonly string[]>;
  /** Shipments in the zone tables, their tracking-number pointers in the inventory table. */
  readonly shipments: ShipmentStore;
  /** Delivered shipments' transit times per lane, in the inventory table. */
  readonly laneHistory: LaneHistory;
  /** The transit model learned from {@link LocalDeps.laneHistory}, for checkout, booking and tracking. */
  readonly transitModel: TransitModelSource;
  /** Each carrier feed's webhook secrets (see {@link LocalPlatform.carrierSecrets}). */
  readonly carrierSecrets: (carrier: CarrierSlug) => Promise<readonly string[]>;
  /** Preferences, the dedupe log and held messages on DynamoDB Local; every channel sends to the outbox. */
  readonly notifications: NotificationDeps & PreferencesDeps;
  /** What was sent, for `GET /v1/dev/outbox`. */
  readonly notificationOutbox: LocalNotificationOutbox;
}

export interface LocalPlatformOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly services: readonly ServiceManifest[];
  readonly config?: VitrineConfig;
  /** The region this process plays; defaults to the primary region. */
  readonly region?: string;
  /** Use a running DynamoDB (tests share one); otherwise DynamoDB Local is started. */
  readonly dynamoEndpoint?: string;
  /** Keep DynamoDB Local's data in this folder instead of memory. */
  readonly dbPath?: string;
  readonly tablePrefix?: string;
  /** Load the demo catalog when the catalog is empty. @default true */
  readonly seed?: boolean;
  readonly demoProducts?: number;
  readonly log?: (line: string) => void;
}

export interface LocalPlatform {
  readonly url: string;
  readonly port: number;
  readonly deps: LocalDeps;
  readonly bus: InProcessEventBus;
  readonly queues: ReadonlyMap<string, LocalQueue>;
  readonly seeded: number;
  /**
   * The secret of each carrier webhook feed, generated at each start like the Stripe webhook secret:
   * what a test signs deliveries to `POST /v1/webhooks/carriers/{carrier}` with (the DHL token, the UPS
   * credential, FedEx's and the generic format's signing secrets).
   */
  readonly carrierSecrets: Readonly<Record<CarrierSlug, readonly string[]>>;
  /** Resolves when streams, bus and queues have nothing left in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type AnyHandler = (event: unknown, context: Context) => Promise<unknown>;

async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolvePort, reject) => {
    const probe: Server = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalStartupError(
              `Port ${port} is already in use. Stop what holds it, or start with PORT=<another port>.`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolvePort()));
  });
}

async function loadHandler(fn: FunctionDefinition, deps: LocalDeps): Promise<AnyHandler> {
  const mod = (await import(pathToFileURL(resolve(ROOT, fn.entry)).href)) as {
    makeHandler?: (deps: LocalDeps) => AnyHandler;
  };
  if (typeof mod.makeHandler !== 'function') throw new Error(`${fn.entry} does not export makeHandler(deps)`);
  return mod.makeHandler(deps);
}

/**
 * Runs the whole platform in one process from the same manifests and table definitions as the CDK
 * stacks: DynamoDB Local, the HTTP gateway, stream consumers, the in-process bus and queues.
 */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const log = options.log ?? (() => undefined);
  const config = options.config ?? loadConfig();
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? config.primaryRegion;
  await assertPortFree(options.port, host);

  const dynamo = options.dynamoEndpoint
    ? undefined
    : await startDynamoLocal(options.dbPath ? { dbPath: options.dbPath } : {});
  const endpoint = options.dynamoEndpoint ?? (dynamo?.endpoint as string);
  // One process stands in for every concurrent Lambda environment, each of which would have its own
  // connections: the SDK's default of 50 sockets would queue a drop's burst here and nowhere on AWS.
  const clientConfig = {
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: new HttpAgent({ keepAlive: true, maxSockets: LOCAL_MAX_SOCKETS }) },
  };
  const zones = Object.keys(config.zones);
  const prefix = options.tablePrefix ?? 'vitrine';
  const rawClient = new DynamoDBClient(clientConfig);
  await createTables(rawClient, prefix, zones);
  const names = localTableNames(prefix, zones);
  const doc = createDocumentClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);

  const bus = new InProcessEventBus({ name: 'vitrine', region, archive: true });
  const zone = zoneOfRegion(config, region);
  const products = new DynamoProductRepository({
    client: doc,
    tableName: names.catalog.global as string,
    region,
    clock: systemClock,
  });
  const carts = new DynamoCartRepository({ tables: sharedClientZoneTables(doc, names.commerce.zones) });
  const idempotency = new DynamoIdempotencyStore({
    client: doc,
    tableName: names.idempotency.zones[zone] as string,
  });
  // Generated per start: the local gateway signs with it and the webhook route verifies with it.
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  let webhookUrl: string | undefined;
  const payments = new LocalPaymentGateway({
    clock: systemClock,
    webhooks: {
      secret: webhookSecret,
      deliver: (body, signature) => {
        if (!webhookUrl) throw new Error('The local API is not listening yet');
        return postWebhookTo(webhookUrl)(body, signature);
      },
      retryDelayMs: 200,
    },
  });
  // Per start too: nothing outside this process can sign a carrier delivery the webhook accepts.
  const carrierSecret = (slug: CarrierSlug) => [`${slug}_whsec_${randomBytes(24).toString('base64url')}`];
  const carrierSecrets: Record<CarrierSlug, readonly string[]> = {
    dhl: carrierSecret('dhl'),
    fedex: carrierSecret('fedex'),
    ups: carrierSecret('ups'),
    generic: carrierSecret('generic'),
  };
  const zonesOfMarkets = marketZones(config);
  const notificationStore = new DynamoNotificationStore({
    tables: sharedClientZoneTables(doc, names.commerce.zones),
    zones,
  });
  const notificationOutbox = new LocalNotificationOutbox();
  const laneHistory = new DynamoLaneHistory({ client: doc, tableName: names.inventory.global as string });
  const deps: LocalDeps = {
    products,
    taxonomy: new DynamoTaxonomyRepository(doc, names.catalog.global as string),
    search: await OramaSearchIndex.create(),
    events: new PutEventsPublisher(async (entries) => bus.putEvents({ Entries: entries }), bus.name),
    clock: systemClock,
    region,
    issuer: await LocalJwtIssuer.create(),
    includeLocalOnly: true,
    carts,
    checkoutCarts: checkoutCartsFrom(carts, systemClock),
    zoneOfMarket: (market) => zonesOfMarkets[market],
    zoneOfCountry: (country) => zoneOfCountry(config, country),
    commerce: new DynamoCommerceRepository({
      tables: sharedClientZoneTables(doc, names.commerce.zones),
      zones,
      region,
      clock: systemClock,
    }),
    stock: new DynamoStockStore({ client: doc, tableName: names.inventory.global as string }),
    drops: new DynamoDropStore({ client: doc, tableName: names.inventory.global as string, region }),
    locations: new DynamoLocationDirectory(doc, names.inventory.global as string),
    idempotency,
    inbox: new DynamoIdempotencyStore({
      client: doc,
      tableName: names.idempotency.zones[zone] as string,
      ttlSeconds: WEBHOOK_INBOX_TTL_SECONDS,
    }),
    velocity: new DynamoVelocityStore({ client: doc, tableName: names.idempotency.zones[zone] as string }),
    payments,
    localPayments: payments,
    webhookSecrets: async () => [webhookSecret],
    shipments: new DynamoShipmentStore({
      tables: sharedClientZoneTables(doc, names.commerce.zones),
      zones,
      pointerTableName: names.inventory.global as string,
      client: doc,
      clock: systemClock,
    }),
    laneHistory,
    transitModel: learnedModel(laneHistory, systemClock),
    carrierSecrets: async (carrier) => carrierSecrets[carrier],
    notificationOutbox,
    notifications: {
      preferences: notificationStore,
      log: notificationStore,
      deferred: notificationStore,
      notifier: notificationOutbox,
      orders: { getOrder: (orderId) => deps.commerce.getOrder(orderId) },
      locations: { get: (locationId) => deps.locations.get(locationId) },
      links: storefrontLinks(config.notifications.storefrontUrl),
      clock: systemClock,
      region,
      zones,
      zoneOfCountry: (country) => zoneOfCountry(config, country),
    },
  };

  const routes: GatewayRoute[] = [];
  const pollers: DynamoStreamPoller[] = [];
  const queues = new Map<string, LocalQueue>();
  const scheduler = new LocalScheduler({
    region,
    onError: (error) => log(`schedule failed: ${String(error)}`),
  });
  for (const service of options.services) {
    for (const [id, fn] of Object.entries(service.functions)) {
      const functionName = `${service.name}-${id}`;
      const timeoutSeconds = fn.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds;
      const handler = await loadHandler(fn, deps);
      const invoke = (event: unknown) => handler(event, lambdaContext(functionName, timeoutSeconds, region));
      for (const route of fn.routes ?? []) {
        routes.push({ route, functionName, timeoutSeconds, handler: handler as GatewayRoute['handler'] });
      }
      for (const stream of fn.streams ?? []) {
        const tables =
          TABLES[stream.table].scope === 'global'
            ? [names[stream.table].global as string]
            : Object.values(names[stream.table].zones);
        for (const tableName of tables) {
          pollers.push(
            new DynamoStreamPoller({
              client: streams,
              tableName,
              region,
              handler: invoke as ConstructorParameters<typeof DynamoStreamPoller>[0]['handler'],
              ...(stream.filter ? { filter: stream.filter } : {}),
              batchSize: stream.batchSize ?? 100,
              startingPosition: 'TRIM_HORIZON',
              pollIntervalMs: 50,
              reportBatchItemFailures: true,
              bisectBatchOnFunctionError: true,
              onFailure: (records, failure) =>
                log(
                  `${functionName}: ${records.length} stream records sent to the failure destination after ${failure.attempts} attempts`,
                ),
            }),
          );
        }
      }
      (fn.schedules ?? []).forEach((schedule, index) => {
        scheduler.add(`${functionName}-${index}`, schedule.expression, (event) => invoke(event));
      });
      (fn.subscriptions ?? []).forEach((subscription, index) => {
        const dlq = new LocalQueue({ name: `${functionName}-dlq`, region });
        const queue = new LocalQueue({
          name: functionName,
          region,
          visibilityTimeoutMs: queueVisibilitySeconds(fn) * 1000,
          redrivePolicy: {
            deadLetterQueue: dlq,
            maxReceiveCount: subscription.maxReceiveCount ?? FUNCTION_DEFAULTS.maxReceiveCount,
          },
        });
        queues.set(functionName, queue);
        queues.set(`${functionName}-dlq`, dlq);
        bus.addRule(`${functionName}-${index}`, subscriptionPattern(subscription), (event) =>
          queue.send(JSON.stringify(event)),
        );
        queue.attachConsumer(invoke as Parameters<LocalQueue['attachConsumer']>[0], {
          batchSize: subscription.batchSize ?? FUNCTION_DEFAULTS.batchSize,
          reportBatchItemFailures: true,
        });
      });
    }
  }

  // Catalog and stock go to different tables: seeding them side by side halves the wait.
  const [seeded] =
    options.seed === false
      ? [0]
      : await Promise.all([
          seedDemoData(
            { client: doc, tableName: names.catalog.global as string, region, clock: systemClock },
            { products: options.demoProducts },
          ),
          seedDemoStock(
            { client: doc, tableName: names.inventory.global as string, clock: systemClock },
            { products: options.demoProducts, zones: config.zones },
          ),
        ]);
  if (options.seed !== false) {
    await seedDemoDrop(deps, { zone, products: options.demoProducts, zones: config.zones });
  }
  await Promise.all(pollers.map((p) => p.start()));
  // Stripe's side of time: manual-capture holds lapse after their window, with the events Stripe sends.
  scheduler.add('payments-authorization-expiry', 'rate(1 minute)', () => payments.expireAuthorizations());
  scheduler.start();

  const gateway = new HttpGateway({ routes, verifyToken: (t) => deps.issuer.verify(t), region, cors: true });
  let server: HttpServer;
  try {
    server = await gateway.listen(options.port, host);
  } catch (error) {
    await Promise.all(pollers.map((p) => p.stop()));
    await dynamo?.stop();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalStartupError(`Port ${options.port} is already in use. Start with PORT=<another port>.`);
    }
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  webhookUrl = `${url}/v1/webhooks/stripe`;

  const idle = async () => {
    // Streams feed the bus and the bus feeds queues: settle until a full pass finds nothing moving.
    for (let pass = 0; pass < 3; pass++) {
      await payments.webhooksIdle();
      await Promise.all(pollers.map((p) => p.idle()));
      await bus.idle();
      await Promise.all([...queues.values()].map((q) => q.idle()));
    }
  };

  return {
    url,
    port,
    deps,
    bus,
    queues,
    seeded,
    carrierSecrets,
    idle,
    async stop() {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await scheduler.stop();
      await Promise.all(pollers.map((p) => p.stop()));
      await Promise.all([...queues.values()].map((q) => q.stop()));
      rawClient.destroy();
      doc.destroy();
      streams.destroy();
      await dynamo?.stop();
    },
  };
}
