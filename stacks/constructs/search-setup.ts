import { createHash } from 'node:crypto';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { FunctionDefinition } from '#lib/platform/manifest.ts';
import { acknowledge, acknowledgeWildcardResource } from '../acknowledge.ts';
import { type SearchBinding, VitrineFunction } from './vitrine-function.ts';

/**
 * The setup handler. Not a manifest function: it answers CloudFormation lifecycle events, which the local
 * runtime never sends (its embedded index sets itself up), and it takes no trigger a manifest declares.
 */
export const SEARCH_SETUP_DEFINITION: FunctionDefinition = {
  entry: 'functions/platform/search-setup.ts',
  description:
    'Deploy-time search setup: index roles, the search functions role mappings, index template and index',
  memoryMb: 256,
  timeoutSeconds: 120,
};

/** The CloudFormation type of the resource, as stack events and `cdk diff` show it. */
export const SEARCH_SETUP_RESOURCE_TYPE = 'Custom::VitrineSearchAccess';

export interface SearchSetupProps {
  /** The domain the setup calls. */
  readonly domain: SearchBinding;
  /**
   * The domain's fine-grained access control master role, which the setup runs as. It lives with the
   * domain in the stateful stack and must trust `lambda.amazonaws.com`; the grants the function needs
   * (its log group, X-Ray) are attached to it from here, its domain access from the stateful stack.
   */
  readonly adminRoleArn: string;
  /** The alias the functions read and write. */
  readonly index: string;
  /** Roles mapped to the read role: the search functions'. */
  readonly readers: readonly iam.IRole[];
  /** Roles mapped to the write role: the indexer's. */
  readonly writers: readonly iam.IRole[];
  readonly logRetention: logs.RetentionDays;
  /**
   * Code of the setup handler.
   * @default - its entry bundled once per process by `bundleFunction`
   */
  readonly code?: lambda.Code;
}

/**
 * Sets up fine-grained access control and the index of one region's search domain on every deployment:
 * a custom resource (provider framework) whose handler, running as the domain's master role, defines the
 * read and write roles, maps the given function roles to them and ensures the index template and index.
 * The role ARNs are its properties, so replacing a function's role re-maps on the next deployment.
 */
export class SearchSetup extends Construct {
  readonly handler: VitrineFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SearchSetupProps) {
    super(scope, id);
    if (props.readers.length + props.writers.length === 0) {
      throw new Error(`${this.node.path}: no function reads or writes search; there is nothing to set up`);
    }

    this.handler = new VitrineFunction(this, 'Handler', {
      service: 'platform',
      definition: SEARCH_SETUP_DEFINITION,
      logRetention: props.logRetention,
      code: props.code,
      // Mutable import: the log and trace grants become policies of this stack attached to the master role.
      role: iam.Role.fromRoleArn(this, 'AdminRole', props.adminRoleArn),
      environment: { SEARCH_ENDPOINT: props.domain.domainEndpoint },
      failureHandling:
        'Invoked synchronously by the custom resource provider framework, which reports its error to CloudFormation as the FAILED reason',
    });

    // The framework's own function, with a role of our own instead of AWSLambdaBasicExecutionRole.
    const frameworkLogs = new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention });
    const frameworkRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'CloudFormation custom resource provider framework: invokes the search setup handler',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    this.configureFramework(provider, frameworkRole);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: SEARCH_SETUP_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(5),
      properties: {
        Index: props.index,
        ReadRoleArns: props.readers.map((role) => role.roleArn),
        WriteRoleArns: props.writers.map((role) => role.roleArn),
        CodeVersion: codeVersion(this.handler.function),
      },
    });
  }

  /** Sizes the framework function explicitly and acknowledges what it cannot be configured to do. */
  private configureFramework(provider: cr.Provider, frameworkRole: iam.Role): void {
    const framework = provider.node.findChild('framework-onEvent');
    // The relay's work is one synchronous invoke: Lambda's smallest size, stated instead of defaulted.
    (framework.node.defaultChild as lambda.CfnFunction).memorySize = 128;
    acknowledge(
      framework,
      'Serverless-LambdaTracing',
      'CDK provider framework function that relays CloudFormation events to the traced search setup handler; tracing the relay adds nothing',
    );
    acknowledge(
      framework,
      'Serverless-LambdaDLQ',
      'CloudFormation invokes it once per lifecycle event and fails the deployment when no response arrives; a dead-letter queue would hold events nobody can replay',
    );
    acknowledgeWildcardResource(
      frameworkRole,
      `${this.handler.function.functionArn}:*`,
      'CDK grants the provider framework invoke on the setup handler and its qualifiers; it only ever invokes the unqualified function',
    );
  }
}

/**
 * Changes whenever the handler's code does: the roles and the index template are defined there, so a new
 * definition must reach existing domains through an Update even when no role changed.
 */
function codeVersion(fn: lambda.Function): string {
  const code = Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).code) as {
    s3Key?: unknown;
  };
  return typeof code.s3Key === 'string'
    ? code.s3Key.replace(/\.zip$/, '')
    : createHash('sha256').update(JSON.stringify(code)).digest('hex');
}
