import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  makeHandler,
  READ_ROLE,
  type RoleMapping,
  type SearchSetupClient,
  WRITE_ROLE,
} from '../../functions/platform/search-setup.ts';
import { lambdaContext } from '../../lib/runtime/local/lambda-context.ts';

const SEARCH_ROLE = 'arn:aws:iam::111122223333:role/VitrineApiEuWest1-CatalogSearchProductsRole-A1';
const INDEXER_ROLE = 'arn:aws:iam::111122223333:role/VitrineApiEuWest1-CatalogSearchIndexerRole-B2';
const OPERATOR_ROLE = 'arn:aws:iam::111122223333:role/search-analyst';

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** An OpenSearch error as the client throws it (`ResponseError`). */
function responseError(statusCode: number, body: unknown): Error {
  return Object.assign(new Error(`Response Error ${statusCode}`), { meta: { statusCode, body } });
}

/**
 * A domain with the security plugin, kept in memory: it answers the client calls the setup makes and
 * records each as the HTTP request the real client would send.
 */
function fakeDomain(
  options: { mappings?: Record<string, RoleMapping>; failOn?: RegExp; error?: Error } = {},
) {
  const requests: Request[] = [];
  const roles = new Map<string, unknown>();
  const mappings = new Map(Object.entries(options.mappings ?? {}));
  const templates = new Map<string, unknown>();
  const aliases = new Map<string, string>();
  const send = async (method: string, path: string, body?: unknown) => {
    requests.push({ method, path, ...(body === undefined ? {} : { body }) });
    if (options.failOn?.test(`${method} ${path}`))
      throw options.error ?? responseError(500, { error: { reason: 'boom' } });
  };
  const security = '/_plugins/_security/api';
  const client: SearchSetupClient = {
    async bulk() {
      throw new Error('the setup never writes documents');
    },
    async search() {
      throw new Error('the setup never searches');
    },
    indices: {
      async putIndexTemplate({ name, body }) {
        await send('PUT', `/_index_template/${name}`, body);
        templates.set(name, body);
        return {};
      },
      async existsAlias({ name }) {
        await send('HEAD', `/_alias/${name}`);
        return { body: aliases.has(name) };
      },
      async create({ index, body }) {
        await send('PUT', `/${index}`, body);
        for (const alias of Object.keys((body.aliases ?? {}) as object)) aliases.set(alias, index);
        return {};
      },
    },
    security: {
      async createRole({ role, body }) {
        await send('PUT', `${security}/roles/${role}`, body);
        roles.set(role, body);
        return {};
      },
      async getRoleMapping({ role }) {
        await send('GET', `${security}/rolesmapping/${role}`);
        const mapping = mappings.get(role);
        if (!mapping) throw responseError(404, { status: 'NOT_FOUND', message: `${role} not found.` });
        return {
          body: { [role]: { hosts: [], users: [], and_backend_roles: [], ...mapping, reserved: false } },
        };
      },
      async createRoleMapping({ role, body }) {
        await send('PUT', `${security}/rolesmapping/${role}`, body);
        mappings.set(role, body);
        return {};
      },
      async deleteRoleMapping({ role }) {
        await send('DELETE', `${security}/rolesmapping/${role}`);
        mappings.delete(role);
        return {};
      },
    },
  };
  const writes = () => requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  return { client, requests, writes, roles, mappings, templates, aliases };
}

const properties = (read: string[], write: string[], codeVersion = 'a1b2c3') => ({
  ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:VitrineApiEuWest1-SearchSetupProvider',
  ServiceTimeout: '300',
  Index: 'products',
  ReadRoleArns: read,
  WriteRoleArns: write,
  CodeVersion: codeVersion,
});

const common = {
  ServiceToken: properties([], []).ServiceToken,
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/signed',
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/VitrineApiEuWest1/1f2e3d4c',
  RequestId: '5d0f6a3e-0000-4000-8000-000000000001',
  LogicalResourceId: 'SearchSetup476612FE',
  ResourceType: 'Custom::VitrineSearchAccess',
};

const createEvent = (
  read = [SEARCH_ROLE],
  write = [INDEXER_ROLE],
): CloudFormationCustomResourceCreateEvent => ({
  ...common,
  RequestType: 'Create',
  ResourceProperties: properties(read, write),
});

const updateEvent = (
  before: [string[], string[]],
  after: [string[], string[]],
): CloudFormationCustomResourceUpdateEvent => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: 'vitrine-search-access-products',
  ResourceProperties: properties(...after),
  OldResourceProperties: properties(...before),
});

const deleteEvent = (
  read = [SEARCH_ROLE],
  write = [INDEXER_ROLE],
): CloudFormationCustomResourceDeleteEvent => ({
  ...common,
  RequestType: 'Delete',
  PhysicalResourceId: 'vitrine-search-access-products',
  ResourceProperties: properties(read, write),
});

function setup(domain: ReturnType<typeof fakeDomain>) {
  const handler = makeHandler({ client: domain.client });
  return (event: CloudFormationCustomResourceEvent) => handler(event, lambdaContext('search-setup', 120));
}

describe('Search setup', () => {
  describe('on Create', () => {
    it('puts both roles, maps the search functions to read and the indexer to write, then creates the index', async () => {
      const domain = fakeDomain();

      const response = await setup(domain)(createEvent());

      expect(response.PhysicalResourceId).toBe('vitrine-search-access-products');
      expect(domain.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /_plugins/_security/api/roles/${READ_ROLE}`,
        `PUT /_plugins/_security/api/roles/${WRITE_ROLE}`,
        `PUT /_plugins/_security/api/rolesmapping/${READ_ROLE}`,
        `PUT /_plugins/_security/api/rolesmapping/${WRITE_ROLE}`,
        'PUT /_index_template/products-template',
        'PUT /products-000001',
      ]);
      expect(domain.mappings.get(READ_ROLE)?.backend_roles).toEqual([SEARCH_ROLE]);
      expect(domain.mappings.get(WRITE_ROLE)?.backend_roles).toEqual([INDEXER_ROLE]);
      expect(domain.aliases.get('products')).toBe('products-000001');
    });

    it('lets the read role search the alias and its indexes, and nothing more', async () => {
      const domain = fakeDomain();

      await setup(domain)(createEvent());

      expect(domain.roles.get(READ_ROLE)).toMatchObject({
        cluster_permissions: [],
        index_permissions: [
          { index_patterns: ['products', 'products-*'], allowed_actions: ['read', 'search'] },
        ],
      });
    });

    it('lets the write role bulk-index the alias and its indexes and maintain their template', async () => {
      const domain = fakeDomain();

      await setup(domain)(createEvent());

      const write = domain.roles.get(WRITE_ROLE) as {
        cluster_permissions: string[];
        index_permissions: { index_patterns: string[]; allowed_actions: string[] }[];
      };
      expect(write.cluster_permissions).toEqual([
        'indices:data/write/bulk',
        'indices:admin/index_template/*',
      ]);
      expect(write.index_permissions).toEqual([
        {
          index_patterns: ['products', 'products-*'],
          allowed_actions: ['write', 'create_index', 'manage_aliases'],
        },
      ]);
    });

    it('keeps what an operator mapped to the roles beside the function roles', async () => {
      const domain = fakeDomain({
        mappings: { [READ_ROLE]: { backend_roles: [OPERATOR_ROLE], users: ['analyst'] } },
      });

      await setup(domain)(createEvent());

      expect(domain.mappings.get(READ_ROLE)).toMatchObject({
        backend_roles: [OPERATOR_ROLE, SEARCH_ROLE],
        users: ['analyst'],
      });
    });

    it('converges when run again: the mappings are unchanged and the existing index is kept', async () => {
      const domain = fakeDomain();
      const run = setup(domain);
      await run(createEvent());
      const mappingsBefore = structuredClone(Object.fromEntries(domain.mappings));
      domain.requests.length = 0;

      await run(createEvent());

      expect(Object.fromEntries(domain.mappings)).toEqual(mappingsBefore);
      expect(domain.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /_plugins/_security/api/roles/${READ_ROLE}`,
        `PUT /_plugins/_security/api/roles/${WRITE_ROLE}`,
        'PUT /_index_template/products-template',
      ]);
    });
  });

  describe('on Update', () => {
    it('maps the new function roles and unmaps the ones they replaced', async () => {
      const replacement = 'arn:aws:iam::111122223333:role/VitrineApiEuWest1-CatalogSearchProductsRole-C3';
      const domain = fakeDomain({
        mappings: {
          [READ_ROLE]: { backend_roles: [OPERATOR_ROLE, SEARCH_ROLE] },
          [WRITE_ROLE]: { backend_roles: [INDEXER_ROLE] },
        },
      });

      const response = await setup(domain)(
        updateEvent([[SEARCH_ROLE], [INDEXER_ROLE]], [[replacement], [INDEXER_ROLE]]),
      );

      expect(response.PhysicalResourceId).toBe('vitrine-search-access-products');
      expect(domain.mappings.get(READ_ROLE)?.backend_roles).toEqual([OPERATOR_ROLE, replacement]);
      expect(domain.mappings.get(WRITE_ROLE)?.backend_roles).toEqual([INDEXER_ROLE]);
      // The write mapping did not change, so it was not rewritten.
      expect(domain.writes().map((r) => r.path)).not.toContain(
        `/_plugins/_security/api/rolesmapping/${WRITE_ROLE}`,
      );
    });

    it('puts the roles and the template again, so a new definition reaches an existing domain', async () => {
      const domain = fakeDomain({
        mappings: {
          [READ_ROLE]: { backend_roles: [SEARCH_ROLE] },
          [WRITE_ROLE]: { backend_roles: [INDEXER_ROLE] },
        },
      });
      const roles = [[SEARCH_ROLE], [INDEXER_ROLE]] as [string[], string[]];

      await setup(domain)(updateEvent(roles, roles));

      expect(domain.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /_plugins/_security/api/roles/${READ_ROLE}`,
        `PUT /_plugins/_security/api/roles/${WRITE_ROLE}`,
        'PUT /_index_template/products-template',
        'PUT /products-000001',
      ]);
    });
  });

  describe('on Delete', () => {
    it('unmaps only the roles it mapped and never deletes the roles, the template or the index', async () => {
      const domain = fakeDomain({
        mappings: {
          [READ_ROLE]: { backend_roles: [OPERATOR_ROLE, SEARCH_ROLE] },
          [WRITE_ROLE]: { backend_roles: [INDEXER_ROLE] },
        },
      });

      const response = await setup(domain)(deleteEvent());

      expect(response.PhysicalResourceId).toBe('vitrine-search-access-products');
      expect(domain.mappings.get(READ_ROLE)?.backend_roles).toEqual([OPERATOR_ROLE]);
      expect(domain.mappings.has(WRITE_ROLE)).toBe(false);
      expect(domain.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /_plugins/_security/api/rolesmapping/${READ_ROLE}`,
        `DELETE /_plugins/_security/api/rolesmapping/${WRITE_ROLE}`,
      ]);
    });

    it('succeeds without a request when the mappings are already gone', async () => {
      const domain = fakeDomain();

      await setup(domain)(deleteEvent());

      expect(domain.writes()).toEqual([]);
    });
  });

  describe('failures', () => {
    it('rejects with the reason OpenSearch gave, which the provider framework reports as FAILED', async () => {
      const domain = fakeDomain({
        failOn: /^PUT \/_plugins\/_security\/api\/rolesmapping\//,
        error: responseError(403, { status: 'FORBIDDEN', message: 'No permission to access REST API' }),
      });

      const run = setup(domain)(createEvent());

      await expect(run).rejects.toThrow(
        `Mapping 1 IAM role(s) to ${READ_ROLE} failed: HTTP 403: No permission to access REST API (the setup must run as the domain fine-grained access control master role)`,
      );
      expect(domain.requests.map((r) => r.path)).not.toContain('/_index_template/products-template');
    });

    it('names the step when the index cannot be created', async () => {
      const domain = fakeDomain({
        failOn: /^PUT \/products-000001$/,
        error: responseError(400, {
          error: { type: 'illegal_argument_exception', reason: 'unknown setting' },
        }),
      });

      await expect(setup(domain)(createEvent())).rejects.toThrow(
        'Ensuring the index template and the index behind products failed: HTTP 400: unknown setting',
      );
    });

    it('rejects properties that are not role ARNs before sending anything', async () => {
      const domain = fakeDomain();

      await expect(setup(domain)(createEvent(['CatalogSearchProductsRole']))).rejects.toThrow(
        'Invalid search setup properties: ReadRoleArns.0: must be an IAM role ARN',
      );
      expect(domain.requests).toEqual([]);
    });
  });
});
