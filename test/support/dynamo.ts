import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../lib/adapters/dynamo/document-client.ts';
import { createTables, LOCAL_CREDENTIALS, localTableNames } from '../../lib/runtime/local/dynamo-local.ts';

export const TEST_ZONES = ['eu', 'us', 'apac'] as const;

/** Fresh tables in the run's DynamoDB Local, under a prefix no other test file uses. */
export async function testTables() {
  const endpoint = inject('dynamoEndpoint');
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
