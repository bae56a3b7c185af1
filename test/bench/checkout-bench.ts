import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import { DynamoCartRepository } from '../../lib/adapters/dynamo/dynamo-cart-repository.ts';
import { DynamoCommerceRepository } from '../../lib/adapters/dynamo/dynamo-commerce-repository.ts';
import { DynamoIdempotencyStore } from '../../lib/adapters/dynamo/dynamo-idempotency-store.ts';
import { DynamoLocationDirectory } from '../../lib/adapters/dynamo/dynamo-location-directory.ts';
import { DynamoProductRepository } from '../../lib/adapters/dynamo/dynamo-product-repository.ts';
import { DynamoStockStore } from '../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { DynamoVelocityStore } from '../../lib/adapters/dynamo/dynamo-velocity-store.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { LocalPaymentGateway } from '../../lib/adapters/local-payments/local-payment-gateway.ts';
import { addLine, claimCart, newCart } from '../../lib/commerce/cart.ts';
import { hashCartToken } from '../../lib/commerce/cart-use-cases.ts';
import { checkoutCartsFrom } from '../../lib/commerce/checkout-carts.ts';
import { newZoneId } from '../../lib/commerce/ids.ts';
import { startCheckoutRoute } from '../../lib/contracts/routes/checkout.ts';
import { systemClock } from '../../lib/platform/domain-event.ts';
import type { HttpHandler } from '../../lib/runtime/http/http-handler.ts';
import {
  createTables,
  LOCAL_CREDENTIALS,
  localTableNames,
  startDynamoLocal,
} from '../../lib/runtime/local/dynamo-local.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';
import { seedDemoData } from '../../lib/runtime/local/seed.ts';
import { apiEvent } from '../support/api-event.ts';
import { inParallel } from '../support/parallel.ts';
import { percentile } from './stats.ts';

/** Throughput and latency of one way of running checkouts. */
export interface CheckoutRunFigures {
  readonly checkoutsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /**
   * CPU time of this Node process per checkout (SDK, and for the handler its own code), DynamoDB Local's
   * JVM excluded: on a 2-core machine the two compete, so this is where the handler loses throughput.
   */
  readonly nodeCpuMsPerCheckout: number;
  /** DynamoDB requests sent per checkout, by command and what they touch. */
  readonly requestsPerCheckout: Readonly<Record<string, number>>;
}

export interface CheckoutBenchReport {
  readonly checkouts: number;
  readonly concurrency: number;
  /** One-minute load average at the start: figures from a busy machine read low. */
  readonly loadAverage: number;
  /** The real handler: `makeHandler` of functions/checkout/checkouts.ts on the DynamoDB and local payment adapters. */
  readonly handler: CheckoutRunFigures;
  /** A bare SDK loop sending the same DynamoDB requests per checkout, in the same order and parallelism. */
  readonly baseline: CheckoutRunFigures;
  /** Whether both runners sent the same requests per checkout; if not, the baseline needs updating. */
  readonly requestsMatch: boolean;
  /** handler ÷ baseline checkouts per second. */
  readonly ratio: number;
  /** The same ratio for each pair of adjacent blocks: its spread shows how noisy the machine was. */
  readonly pairRatios: { readonly min: number; readonly p50: number; readonly max: number };
  readonly target: number;
  readonly meetsTarget: boolean;
}

export interface CheckoutBenchOptions {
  /** Timed checkouts per runner. @default 300 */
  readonly checkouts?: number;
  /** Checkouts in flight. @default 50 */
  readonly concurrency?: number;
  /** Checkouts per runner run before timing, for the JIT of both Node and DynamoDB Local. @default 60 */
  readonly warmup?: number;
  /** Checkouts per block when alternating runners. @default 50 */
  readonly block?: number;
}

/** PERFORMANCE.md §11 #7: app overhead should stay within 20 % of the emulator's own cost. */
export const CHECKOUT_EFFICIENCY_TARGET = 0.8;
const ZONE = 'eu';
const MARKET = 'FR';
const LOCATION = 'bench-warehouse';
const ADDRESS = {
  name: 'Camille Durand',
  line1: '12 rue de la Paix',
  city: 'Paris',
  postalCode: '75002',
  country: 'FR',
};

interface Shopper {
  readonly sub: string;
  readonly cartId: string;
  /** Each shopper has an address of their own, so no velocity counter grows across the run. */
  readonly ip: string;
}

type Runner = (shopper: Shopper) => Promise<void>;

type Input = {
  TableName?: string;
  IndexName?: string;
  Key?: { pk?: unknown };
  Item?: { pk?: unknown };
  ExpressionAttributeValues?: Record<string, unknown>;
  TransactItems?: Record<string, Input>[];
};

/** What a request touches: its table (without the run's prefix), index and key kind (`CART`, `VELOCITY`). */
function requestKind(input: Input, prefix: string): string {
  if (input.TransactItems) {
    return input.TransactItems.flatMap((item) => Object.values(item).map((i) => requestKind(i, prefix))).join(
      ' + ',
    );
  }
  const key = input.Key?.pk ?? input.Item?.pk ?? Object.values(input.ExpressionAttributeValues ?? {})[0];
  const table = String(input.TableName ?? '').slice(prefix.length + 1);
  return [table, input.IndexName, String(key ?? '').split('#')[0]].filter(Boolean).join(' ');
}

/** Counts the requests a document client sends, by command and what they touch. */
function countRequests(client: DynamoDBDocumentClient, prefix: string): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = `${String(context.commandName).replace(/Command$/, '')} ${requestKind(args.input as Input, prefix)}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counts;
}

const perCheckout = (counts: Map<string, number>, checkouts: number) =>
  Object.fromEntries(
    [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, round(v / checkouts, 2)]),
  );

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * Checkouts per second of the real checkout handler, in-process on DynamoDB Local, against a bare AWS SDK
 * loop sending the same DynamoDB requests (PERFORMANCE.md §11 #7). Both run in the same process against
 * the same tables, alternating block by block so a noisy machine weighs on both alike; each checkout is a
 * distinct customer with a one-piece cart, from a stock pool that never runs out. Powertools logs,
 * metrics and traces are off, as in the tests. Run: `npm run bench -- checkout`.
 */
export async function benchCheckout(options: CheckoutBenchOptions = {}): Promise<CheckoutBenchReport> {
  const checkouts = options.checkouts ?? 300;
  const concurrency = options.concurrency ?? 50;
  const warmup = options.warmup ?? 60;
  const block = options.block ?? 50;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
  // Loaded after the environment is set: Powertools reads it when the handler module is first imported.
  const { makeHandler } = await import('../../functions/checkout/checkouts.ts');

  const loadAverage = round(loadavg()[0] ?? 0, 2);
  const dynamo = await startDynamoLocal();
  const config = { endpoint: dynamo.endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS };
  const raw = new DynamoDBClient(config);
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const names = localTableNames(prefix, [ZONE]);
  const tables = {
    catalog: names.catalog.global as string,
    inventory: names.inventory.global as string,
    commerce: names.commerce.zones[ZONE] as string,
    idempotency: names.idempotency.zones[ZONE] as string,
  };
  // One client per runner, so each one's requests can be counted apart.
  const appClient = createDocumentClient(config);
  const bareClient = createDocumentClient(config);
  try {
    await createTables(raw, prefix, [ZONE]);
    const region = 'eu-west-1';
    const products = new DynamoProductRepository({
      client: appClient,
      tableName: tables.catalog,
      region,
      clock: systemClock,
    });
    await seedDemoData(
      { client: appClient, tableName: tables.catalog, region, clock: systemClock },
      { products: 8 },
    );
    const piece = await cheapestPiece(products);
    const stock = new DynamoStockStore({ client: appClient, tableName: tables.inventory });
    await stock.setOnHand(piece.sku, LOCATION, ZONE, 10_000_000, { locationType: 'warehouse' });
    const carts = new DynamoCartRepository({
      tables: sharedClientZoneTables(appClient, names.commerce.zones),
    });
    const idempotency = new DynamoIdempotencyStore({ client: appClient, tableName: tables.idempotency });
    const handler: HttpHandler = makeHandler({
      commerce: new DynamoCommerceRepository({
        tables: sharedClientZoneTables(appClient, names.commerce.zones),
        zones: [ZONE],
        region,
        clock: systemClock,
      }),
      checkoutCarts: checkoutCartsFrom(carts, systemClock),
      products,
      stock,
      locations: new DynamoLocationDirectory(appClient, tables.inventory),
      payments: new LocalPaymentGateway({ clock: systemClock }),
      velocity: new DynamoVelocityStore({ client: appClient, tableName: tables.idempotency }),
      clock: systemClock,
      region,
      idempotency,
    });

    const total = warmup + checkouts;
    let serial = 0;
    const shoppers = async (runner: string) => {
      const list: Shopper[] = [];
      for (let i = 0; i < total; i++) {
        const n = serial++;
        list.push({
          sub: `bench-${runner}-${i}`,
          cartId: newZoneId('crt', ZONE),
          ip: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        });
      }
      const now = new Date();
      await inParallel(list, 50, (s) =>
        carts.create(
          claimCart(
            addLine(
              newCart({
                cartId: s.cartId,
                market: MARKET,
                tokenHash: hashCartToken(randomUUID()),
                now,
              }),
              { sku: piece.sku, productId: piece.productId, quantity: 1 },
              now,
            ),
            s.sub,
            now,
          ),
        ),
      );
      return list;
    };
    const forHandler = await shoppers('handler');
    const forBaseline = await shoppers('baseline');

    let sample: Samples | undefined;
    const viaHandler: Runner = async (s) => {
      const event = apiEvent(startCheckoutRoute, {
        body: {
          cartId: s.cartId,
          email: `${s.sub}@example.com`,
          shippingAddress: ADDRESS,
          shippingMethod: 'standard',
        },
        claims: { sub: s.sub, scope: 'vitrine/customer', 'custom:country': 'FR' },
        headers: { 'Idempotency-Key': randomUUID() },
      });
      (event.requestContext.identity as { sourceIp: string }).sourceIp = s.ip;
      const result = await handler(event, lambdaContext('checkout-checkouts', 10, region));
      if (result.statusCode !== 201) {
        throw new Error(`the checkout handler answered ${result.statusCode}: ${result.body}`);
      }
      sample ??= await samplesOf(appClient, tables, JSON.parse(result.body).checkoutId, result.body);
    };
    const viaBareSdk: Runner = (s) => bareCheckout(bareClient, tables, piece, s, sample as Samples);

    const appCounts = countRequests(appClient, prefix);
    const bareCounts = countRequests(bareClient, prefix);
    // Warm-up: the first handler checkout also yields the item samples the baseline writes.
    await viaHandler(forHandler[0] as Shopper);
    await inParallel(forHandler.slice(1, warmup), concurrency, viaHandler);
    await inParallel(forBaseline.slice(0, warmup), concurrency, viaBareSdk);
    appCounts.clear();
    bareCounts.clear();

    const timed = {
      handler: { ms: 0, cpuMicros: 0, latencies: [] as number[] },
      baseline: { ms: 0, cpuMicros: 0, latencies: [] as number[] },
    };
    const runBlock = async (which: 'handler' | 'baseline', slice: readonly Shopper[]) => {
      const run = which === 'handler' ? viaHandler : viaBareSdk;
      const started = performance.now();
      const cpu = process.cpuUsage();
      await inParallel(slice, concurrency, async (s) => {
        const sent = performance.now();
        await run(s);
        timed[which].latencies.push(performance.now() - sent);
      });
      const used = process.cpuUsage(cpu);
      const ms = performance.now() - started;
      timed[which].cpuMicros += used.user + used.system;
      timed[which].ms += ms;
      return ms;
    };
    const pairRatios: number[] = [];
    for (let from = warmup; from < total; from += block) {
      // Alternate which runner goes first, so neither always follows the other's writes.
      const order: ('handler' | 'baseline')[] =
        ((from - warmup) / block) % 2 === 0 ? ['handler', 'baseline'] : ['baseline', 'handler'];
      const ms = { handler: 0, baseline: 0 };
      for (const which of order) {
        ms[which] = await runBlock(
          which,
          (which === 'handler' ? forHandler : forBaseline).slice(from, from + block),
        );
      }
      pairRatios.push(ms.baseline / ms.handler);
    }

    const figures = (which: 'handler' | 'baseline', counts: Map<string, number>): CheckoutRunFigures => ({
      checkoutsPerSecond: round((checkouts * 1000) / timed[which].ms),
      p50Ms: round(percentile(timed[which].latencies, 50)),
      p99Ms: round(percentile(timed[which].latencies, 99)),
      nodeCpuMsPerCheckout: round(timed[which].cpuMicros / 1000 / checkouts, 2),
      requestsPerCheckout: perCheckout(counts, checkouts),
    });
    const handlerFigures = figures('handler', appCounts);
    const baselineFigures = figures('baseline', bareCounts);
    const ratio = round(handlerFigures.checkoutsPerSecond / baselineFigures.checkoutsPerSecond, 3);
    return {
      checkouts,
      concurrency,
      loadAverage,
      handler: handlerFigures,
      baseline: baselineFigures,
      requestsMatch:
        JSON.stringify(handlerFigures.requestsPerCheckout) ===
        JSON.stringify(baselineFigures.requestsPerCheckout),
      ratio,
      pairRatios: {
        min: round(Math.min(...pairRatios), 3),
        p50: round(percentile(pairRatios, 50), 3),
        max: round(Math.max(...pairRatios), 3),
      },
      target: CHECKOUT_EFFICIENCY_TARGET,
      meetsTarget: ratio >= CHECKOUT_EFFICIENCY_TARGET,
    };
  } finally {
    appClient.destroy();
    bareClient.destroy();
    raw.destroy();
    await dynamo.stop();
  }
}

/** The least expensive FR piece: below every review, 3-D Secure and manual-capture threshold. */
async function cheapestPiece(products: DynamoProductRepository): Promise<{ sku: string; productId: string }> {
  const candidates = (await products.listNewest(50)).flatMap((product) => {
    const price = product.prices.find((p) => p.market === MARKET);
    const variant = product.variants.find((v) => v.edition === undefined);
    return product.status === 'active' && price && variant
      ? [{ sku: variant.sku, productId: product.productId, amount: price.amount }]
      : [];
  });
  const cheapest = candidates.sort((a, b) => a.amount - b.amount)[0];
  if (!cheapest) throw new Error('the demo catalog has no piece for sale in FR');
  return cheapest;
}

interface Tables {
  readonly catalog: string;
  readonly inventory: string;
  readonly commerce: string;
  readonly idempotency: string;
}

/** Items the handler wrote for one checkout: the baseline writes copies, so item sizes match. */
interface Samples {
  readonly checkout: Record<string, unknown>;
  readonly outbox: Record<string, unknown>;
  readonly reservation: Record<string, unknown>;
  readonly responseBody: string;
}

async function samplesOf(
  client: DynamoDBDocumentClient,
  tables: Tables,
  checkoutId: string,
  responseBody: string,
): Promise<Samples> {
  const get = async (tableName: string, pk: string, sk: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }));
    if (!Item) throw new Error(`the handler's ${pk} is missing`);
    return Item;
  };
  const [checkout, outbox, reservation] = await Promise.all([
    get(tables.commerce, `CHECKOUT#${checkoutId}`, 'CHECKOUT'),
    get(tables.commerce, `OUTBOX#checkout:${checkoutId}:started`, 'OUTBOX'),
    get(tables.inventory, `RESERVATION#${checkoutId}`, 'RESERVATION'),
  ]);
  return { checkout, outbox, reservation, responseBody };
}

/** The velocity windows the FR policy counts a signed-in shopper's checkout on (customer, email, IP). */
const VELOCITY_WINDOWS = [3600, 86_400, 3600, 86_400, 3600];

/**
 * One checkout as bare DynamoDB requests: what the adapters send for the handler, in the same order and
 * with the same parallelism, and nothing else (no parsing, pricing, screening, payment or HTTP layer).
 */
async function bareCheckout(
  client: DynamoDBDocumentClient,
  tables: Tables,
  piece: { readonly sku: string; readonly productId: string },
  shopper: Shopper,
  sample: Samples,
): Promise<void> {
  const now = Date.now();
  const nowIso = new Date(now).toISOString();
  const nowSeconds = Math.floor(now / 1000);
  const checkoutId = newZoneId('chk', ZONE);
  const fingerprint = sha256(`${shopper.cartId}${shopper.sub}`);
  const idempotencyKey = { pk: `IDEMPOTENCY#${sha256(`${shopper.sub}${checkoutId}`)}`, sk: 'IDEMPOTENCY' };

  // The idempotency lock.
  await client.send(
    new PutCommand({
      TableName: tables.idempotency,
      Item: {
        ...idempotencyKey,
        status: 'in_progress',
        fingerprint,
        lockedUntil: new Date(now + 10_000).toISOString(),
        expiresAt: nowSeconds + 86_400,
      },
      ConditionExpression:
        'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inProgress': 'in_progress', ':now': nowIso, ':nowSeconds': nowSeconds },
    }),
  );
  // The cart, then the checkout a retry would resume.
  await client.send(
    new GetCommand({
      TableName: tables.commerce,
      Key: { pk: `CART#${shopper.cartId}`, sk: 'CART' },
      ConsistentRead: true,
    }),
  );
  await client.send(
    new GetCommand({
      TableName: tables.commerce,
      Key: { pk: `CHECKOUT#${checkoutId}`, sk: 'CHECKOUT' },
      ConsistentRead: true,
    }),
  );
  // The line's SKU pointer, then its product.
  await client.send(
    new GetCommand({
      TableName: tables.catalog,
      Key: { pk: `SKU#${piece.sku}`, sk: 'SKU' },
      ConsistentRead: true,
    }),
  );
  await client.send(
    new GetCommand({
      TableName: tables.catalog,
      Key: { pk: `PRODUCT#${piece.productId}`, sk: 'PRODUCT' },
      ConsistentRead: true,
    }),
  );
  // Paid orders of the customer, for risk.
  await client.send(
    new QueryCommand({
      TableName: tables.commerce,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :customer AND begins_with(gsi1sk, :orders)',
      ExpressionAttributeValues: { ':customer': `CUSTOMER#${shopper.sub}`, ':orders': 'ORDER#' },
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
      ScanIndexForward: false,
      Limit: 30,
    }),
  );
  // Velocity counters: record the attempt, then count the window, each counter in parallel.
  await Promise.all(
    VELOCITY_WINDOWS.map(async (windowSeconds, i) => {
      const pk = `VELOCITY#bench:${shopper.sub}:${i}`;
      await client.send(
        new UpdateCommand({
          TableName: tables.idempotency,
          Key: { pk, sk: `checkout:${checkoutId}` },
          UpdateExpression:
            'SET #at = if_not_exists(#at, :at), weight = :weight, expiresAt = if_not_exists(expiresAt, :expiresAt) REMOVE #member',
          ConditionExpression: 'attribute_not_exists(pk) OR #at > :cutoff',
          ExpressionAttributeNames: { '#at': 'at', '#member': 'member' },
          ExpressionAttributeValues: {
            ':at': now,
            ':weight': 1,
            ':expiresAt': nowSeconds + windowSeconds,
            ':cutoff': now - windowSeconds * 1000,
          },
        }),
      );
      await client.send(
        new QueryCommand({
          TableName: tables.idempotency,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#at > :cutoff',
          ProjectionExpression: 'weight, #member',
          ExpressionAttributeNames: { '#at': 'at', '#member': 'member' },
          ExpressionAttributeValues: { ':pk': pk, ':cutoff': now - windowSeconds * 1000 },
          ConsistentRead: true,
        }),
      );
    }),
  );
  // The reservation a retry would resume, then the SKU's pools, to plan where to reserve from.
  await client.send(
    new GetCommand({
      TableName: tables.inventory,
      Key: { pk: `RESERVATION#${checkoutId}`, sk: 'RESERVATION' },
      ConsistentRead: true,
    }),
  );
  await client.send(
    new QueryCommand({
      TableName: tables.inventory,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `POOL#${piece.sku}` },
    }),
  );
  // The reservation: a conditional put and a conditional decrement, all or nothing.
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tables.inventory,
            Item: { ...sample.reservation, pk: `RESERVATION#${checkoutId}`, reservationId: checkoutId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tables.inventory,
            Key: { pk: `POOL#${piece.sku}`, sk: `LOC#${LOCATION}` },
            UpdateExpression: 'SET available = available - :q, reserved = reserved + :q',
            ConditionExpression: 'available >= :q',
            ExpressionAttributeValues: { ':q': 1 },
          },
        },
      ],
    }),
  );
  // The checkout and its CheckoutStarted outbox item.
  await client.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tables.commerce,
            Item: { ...sample.checkout, pk: `CHECKOUT#${checkoutId}`, checkoutId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tables.commerce,
            Item: { ...sample.outbox, pk: `OUTBOX#checkout:${checkoutId}:started` },
          },
        },
      ],
    }),
  );
  // The stored answer for retries.
  await client.send(
    new PutCommand({
      TableName: tables.idempotency,
      Item: {
        ...idempotencyKey,
        status: 'completed',
        fingerprint,
        response: { status: 201, body: sample.responseBody, headers: { 'content-type': 'application/json' } },
        expiresAt: nowSeconds + 86_400,
      },
      ConditionExpression: 'fingerprint = :fingerprint AND expiresAt >= :nowSeconds',
      ExpressionAttributeValues: { ':fingerprint': fingerprint, ':nowSeconds': nowSeconds },
    }),
  );
}
