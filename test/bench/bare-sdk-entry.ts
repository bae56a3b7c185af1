/**
 * The floor every SDK-using function is compared with: DynamoDB's bare client and document client,
 * constructed at init like a handler's clients, bundled by the same bundler as the functions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async () => client;
