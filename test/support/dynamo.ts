import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import {
  createTables,
  type DynamoLocal,
  LOCAL_CREDENTIALS,
  localTableNames,
  startDynamoLocal,
} from '../../lib/runtime/local/dynamo-local.ts';

export const TEST_ZONES = ['eu', 'us', 'apac'] as const;

let own: DynamoLocal | undefined;

/**
 * Gives the calling test file a DynamoDB Local of its own, for its whole run. Load tests call it at top
 * level: the run's shared instance slows down for good once earlier files have worked it (a 10,000-movement
 * ledger replay took 72 s on a fresh instance and 264 s after two other load files, their tables dropped
 * or not), so sharing it would make their figures, and their timeouts, depend on what ran before.
 */
export function useOwnDynamoLocal(): void {
  beforeAll(async () => {
    own = await startDynamoLocal();
  });
  afterAll(async () => {
    await own?.stop();
    own = undefined;
  });
}

/** The DynamoDB Local this test file uses: its own (see {@link useOwnDynamoLocal}) or the run's. */
export function dynamoEndpoint(): string {
  return own?.endpoint ?? inject('dynamoEndpoint');
}

/** Fresh tables in this file's DynamoDB Local, under a prefix no other test file uses. */
export async function testTables() {
  const endpoint = dynamoEndpoint();
  const config = { endpoint, region: 'eu-west-1', credentials: LOCAL_CREDENTIALS };
  const client = new DynamoDBClient(config);
  const prefix = `t${randomBytes(4).toString('hex')}`;
  await createTables(client, prefix, TEST_ZONES);
  return {
    endpoint,
    client,
    doc: createDocumentClient(config),
    names: localTableNames(prefix, TEST_ZONES),
    prefix,
  };
}
