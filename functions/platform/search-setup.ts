import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import middy from '@middy/core';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import { type OpenSearchClient, OpenSearchIndex } from '#lib/adapters/opensearch/opensearch-search-index.ts';
import { requireEnv } from '#lib/runtime/aws/env.ts';
import { lambdaHandler, once } from '#lib/runtime/lambda-handler.ts';
import { logger, tracer } from '#lib/runtime/observability.ts';

/** The OpenSearch role the search functions' IAM roles are mapped to. */
export const READ_ROLE = 'vitrine_search_read';
/** The OpenSearch role the indexer's IAM role is mapped to. */
export const WRITE_ROLE = 'vitrine_search_write';

/** A role mapping as the security plugin's REST API reads and writes it. */
export interface RoleMapping {
  backend_roles?: string[];
  and_backend_roles?: string[];
  users?: string[];
  hosts?: string[];
  description?: string;
}

/**
 * The calls the setup makes, as `@opensearch-project/opensearch`'s `Client` has them: the security
 * plugin's roles and role mappings, and what `OpenSearchIndex.ensureIndex` needs.
 */
export interface SearchSetupClient extends OpenSearchClient {
  readonly security: {
    createRole(params: { role: string; body: Record<string, unknown> }): Promise<unknown>;
    getRoleMapping(params: { role: string }): Promise<{ body: unknown }>;
    createRoleMapping(params: { role: string; body: RoleMapping }): Promise<unknown>;
    deleteRoleMapping(params: { role: string }): Promise<unknown>;
  };
}

const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'must be an IAM role ARN');

/** What the stack passes (`stacks/constructs/search-setup.ts`); CloudFormation adds `ServiceToken`. */
const SetupProperties = z.strictObject({
  ServiceToken: z.string(),
  ServiceTimeout: z.string().optional(),
  Index: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lower-case index alias'),
  ReadRoleArns: z.array(roleArn).default([]),
  WriteRoleArns: z.array(roleArn).default([]),
  /** Changes with the handler's code, so new role or template definitions reach every domain. */
  CodeVersion: z.string(),
});
type SetupProperties = z.infer<typeof SetupProperties>;

/**
 * Only the mapped roles, from the previous properties of an Update or the last ones of a Delete: an
 * older template may have passed other keys, and a Delete must never be blocked by a schema change.
 */
const MappedRoles = z.looseObject({
  ReadRoleArns: z.array(z.string()).default([]),
  WriteRoleArns: z.array(z.string()).default([]),
});

/** What the provider framework hands back to CloudFormation. */
export interface SetupResponse {
  PhysicalResourceId: string;
  Data?: { ReadRole: string; WriteRole: string; Index: string };
}

/**
 * The two OpenSearch roles, on the alias and every index behind it. Writing covers what the indexer's
 * `_bulk` takes (cluster-level `indices:data/write/bulk`) and what rebuilding the index takes (the
 * composable template, creating an index and pointing the alias at it).
 */
export function searchRoles(alias: string): Record<string, Record<string, unknown>> {
  const index_patterns = [alias, `${alias}-*`];
  return {
    [READ_ROLE]: {
      description: `Vitrine catalog search: reads ${alias}`,
      cluster_permissions: [],
      index_permissions: [{ index_patterns, allowed_actions: ['read', 'search'] }],
    },
    [WRITE_ROLE]: {
      description: `Vitrine catalog indexer: writes ${alias} and maintains its template`,
      cluster_permissions: ['indices:data/write/bulk', 'indices:admin/index_template/*'],
      index_permissions: [{ index_patterns, allowed_actions: ['write', 'create_index', 'manage_aliases'] }],
    },
  };
}

/**
 * CloudFormation custom resource (provider framework) run with the domain's fine-grained access control
 * master role at deploy time. Create and Update put the two roles, map the search functions' IAM roles
 * to read and the indexer's to write, and ensure the index template and the index behind the alias.
 * Delete removes only the role ARNs it mapped; the roles and the index stay. Each step is idempotent, so
 * a retried or repeated event converges; a thrown error becomes the FAILED reason CloudFormation shows.
 */
export const makeHandler = (deps: { client: SearchSetupClient }) =>
  middy<CloudFormationCustomResourceEvent, SetupResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .handler(async (event) => {
      if (event.RequestType === 'Delete') {
        const mapped = MappedRoles.parse(event.ResourceProperties);
        await remap(deps.client, READ_ROLE, mapped.ReadRoleArns, []);
        await remap(deps.client, WRITE_ROLE, mapped.WriteRoleArns, []);
        logger.info('Search role mappings removed', {
          readRoles: mapped.ReadRoleArns.length,
          writeRoles: mapped.WriteRoleArns.length,
        });
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      const props = parseProperties(event.ResourceProperties);
      const previous =
        event.RequestType === 'Update' ? MappedRoles.parse(event.OldResourceProperties) : undefined;
      for (const [role, body] of Object.entries(searchRoles(props.Index))) {
        await step(`Putting the OpenSearch role ${role}`, () =>
          deps.client.security.createRole({ role, body }),
        );
      }
      await remap(deps.client, READ_ROLE, previous?.ReadRoleArns ?? [], props.ReadRoleArns);
      await remap(deps.client, WRITE_ROLE, previous?.WriteRoleArns ?? [], props.WriteRoleArns);
      await step(`Ensuring the index template and the index behind ${props.Index}`, () =>
        new OpenSearchIndex(deps.client, props.Index).ensureIndex(),
      );
      logger.info('Search access set up', {
        requestType: event.RequestType,
        index: props.Index,
        readRoles: props.ReadRoleArns.length,
        writeRoles: props.WriteRoleArns.length,
      });
      return {
        // Kept across updates: a new id would make CloudFormation delete the old one, unmapping the roles.
        PhysicalResourceId:
          event.RequestType === 'Create' ? `vitrine-search-access-${props.Index}` : event.PhysicalResourceId,
        Data: { ReadRole: READ_ROLE, WriteRole: WRITE_ROLE, Index: props.Index },
      };
    });

function parseProperties(properties: unknown): SetupProperties {
  const parsed = SetupProperties.safeParse(properties);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Error(`Invalid search setup properties: ${issues.join('; ')}`);
}

/**
 * Takes `remove` out of the role's backend roles and adds `add`, keeping whatever else is mapped (an
 * operator's own entries). Writes only when something changes; a mapping left with nothing is deleted.
 */
async function remap(
  client: SearchSetupClient,
  role: string,
  remove: readonly string[],
  add: readonly string[],
): Promise<void> {
  const current = await step(`Reading the role mapping of ${role}`, () => getRoleMapping(client, role));
  const existing = current?.backend_roles ?? [];
  const backendRoles = [...new Set([...existing.filter((arn) => !remove.includes(arn)), ...add])];
  if (current && sameMembers(existing, backendRoles)) return;
  if (!current && backendRoles.length === 0) return;
  const { and_backend_roles = [], users = [], hosts = [] } = current ?? {};
  if (backendRoles.length === 0 && and_backend_roles.length + users.length + hosts.length === 0) {
    await step(`Deleting the emptied role mapping of ${role}`, () =>
      client.security.deleteRoleMapping({ role }),
    );
    return;
  }
  const body: RoleMapping = {
    backend_roles: backendRoles,
    ...(and_backend_roles.length ? { and_backend_roles } : {}),
    ...(users.length ? { users } : {}),
    ...(hosts.length ? { hosts } : {}),
    description: current?.description ?? 'Vitrine function roles, mapped at deploy time',
  };
  await step(`Mapping ${backendRoles.length} IAM role(s) to ${role}`, () =>
    client.security.createRoleMapping({ role, body }),
  );
}

async function getRoleMapping(client: SearchSetupClient, role: string): Promise<RoleMapping | undefined> {
  try {
    const response = await client.security.getRoleMapping({ role });
    return (response.body as Record<string, RoleMapping> | undefined)?.[role];
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value) => b.includes(value));
}

/** Runs one call, turning its failure into a reason an operator can act on from the stack events. */
async function step<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const status = statusOf(error);
    const hint =
      status === 401 || status === 403
        ? ' (the setup must run as the domain fine-grained access control master role)'
        : '';
    throw new Error(`${what} failed: ${reasonOf(error)}${hint}`, { cause: error });
  }
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { meta?: { statusCode?: unknown } } | undefined)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** OpenSearch errors carry `error.reason`; the security plugin's carry `message`. */
function reasonOf(error: unknown): string {
  const body = (error as { meta?: { body?: unknown } } | undefined)?.meta?.body as
    | { error?: { reason?: unknown; type?: unknown }; message?: unknown }
    | undefined;
  const status = statusOf(error);
  const detail =
    (typeof body?.error?.reason === 'string' && body.error.reason) ||
    (typeof body?.message === 'string' && body.message) ||
    (error instanceof Error ? error.message : String(error));
  return status ? `HTTP ${status}: ${detail}` : detail;
}

/** Signed with the function's role, which the stack makes the domain's master role. */
const awsSearchClient = /* @__PURE__ */ once(
  (): SearchSetupClient =>
    new Client({
      ...AwsSigv4Signer({
        region: requireEnv('AWS_REGION'),
        service: 'es',
        getCredentials: defaultProvider(),
      }),
      node: `https://${requireEnv('SEARCH_ENDPOINT')}`,
    }),
);

export const handler = lambdaHandler(() => makeHandler({ client: awsSearchClient() }));
