import { apiDocsRoute, openApiRoute } from '#lib/contracts/routes/platform.ts';
import { defineService } from '#lib/platform/manifest.ts';

const outboxFilter = { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } };

export const platformService = defineService({
  name: 'platform',
  functions: {
    outboxRelay: {
      entry: 'functions/platform/outbox-relay.ts',
      description: 'Relays outbox items from table streams to the event bus, in the region that wrote them',
      timeoutSeconds: 60,
      streams: [
        { table: 'catalog', filter: outboxFilter, ownRegionOnly: true },
        { table: 'inventory', filter: outboxFilter, ownRegionOnly: true },
        { table: 'commerce', filter: outboxFilter, ownRegionOnly: true },
      ],
      publishes: true,
    },
    apiDocs: {
      entry: 'functions/platform/api-docs.ts',
      description: 'The OpenAPI 3.1 document and its readable page',
      memoryMb: 256,
      routes: [openApiRoute, apiDocsRoute],
    },
    preToken: {
      entry: 'functions/platform/pre-token.ts',
      description:
        'Adds the vitrine/customer and, for staff, vitrine/staff scopes and the country claim to access tokens',
      timeoutSeconds: 5,
      cognitoTrigger: 'preTokenGeneration',
    },
  },
});
