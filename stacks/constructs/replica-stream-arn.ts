import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

export interface ReplicaStreamArnProps {
  /** The global table's name (the same in every region). */
  readonly tableName: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The stream ARN of a global table's replica in this stack's region.
 *
 * CloudFormation's `AWS::DynamoDB::GlobalTable` exposes `StreamArn` for the replica in its own region
 * only, and CDK's `TableV2.replica()` answers `.../stream/*`, which an event source mapping rejects.
 * The stream label is a creation timestamp nobody can predict, so this construct asks DynamoDB in the
 * consumer's region for `Table.LatestStreamArn` at deploy time (one `DescribeTable` call through an
 * `AwsCustomResource`). The answer is stable until the stream is turned off and on again; a change to
 * the table name re-reads it.
 */
export class ReplicaStreamArn extends Construct {
  readonly streamArn: string;

  constructor(scope: Construct, id: string, props: ReplicaStreamArnProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const provider = providerResources(stack, props.logRetention);
    const tableArn = stack.formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: props.tableName,
    });
    const describe: cr.AwsSdkCall = {
      service: 'DynamoDB',
      action: 'describeTable',
      parameters: { TableName: props.tableName },
      region: stack.region,
      outputPaths: ['Table.LatestStreamArn'],
      physicalResourceId: cr.PhysicalResourceId.fromResponse('Table.LatestStreamArn'),
    };
    const resource = new cr.AwsCustomResource(this, 'DescribeTable', {
      onCreate: describe,
      onUpdate: describe,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [tableArn] }),
      ]),
      role: provider.role,
      logGroup: provider.logGroup,
      memorySize: 256,
      timeout: Duration.minutes(2),
      installLatestAwsSdk: false,
    });
    this.streamArn = resource.getResponseField('Table.LatestStreamArn');
  }
}

interface ProviderResources {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

const PROVIDERS = new WeakMap<Stack, ProviderResources>();

/**
 * AwsCustomResource runs one singleton function per stack; its role and log group are shared too. The
 * role is our own so it gets no AWS-managed policy, only this log group and the DescribeTable calls.
 */
function providerResources(stack: Stack, logRetention: logs.RetentionDays): ProviderResources {
  const existing = PROVIDERS.get(stack);
  if (existing) return existing;
  const scope = new Construct(stack, 'ReplicaStreamLookup');
  const logGroup = new logs.LogGroup(scope, 'LogGroup', { retention: logRetention });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: 'Reads the stream ARN of global table replicas in this region at deploy time',
  });
  logGroup.grantWrite(role);
  const resources = { role, logGroup };
  PROVIDERS.set(stack, resources);
  return resources;
}

/**
 * Acknowledges what the AwsCustomResource singleton cannot be configured to do. Call once the stack's
 * lookups exist: the singleton is created by the first of them.
 */
export function acknowledgeReplicaStreamProvider(stack: Stack): void {
  // The singleton lives at the stack root under an id derived from AwsCustomResource's provider UUID.
  const singleton = stack.node.tryFindChild(
    `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replaceAll('-', '')}`,
  );
  if (!singleton) return;
  acknowledge(
    singleton,
    'Serverless-LambdaTracing',
    'CDK-provided AwsCustomResource handler run once per deployment to read a replica stream ARN; tracing it adds nothing',
  );
  acknowledge(
    singleton,
    'Serverless-LambdaDLQ',
    'Invoked synchronously by CloudFormation, which reports a failed lookup as a failed deployment',
  );
}
