import { Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { VitrineConfig } from '#lib/config/config.ts';
import { acknowledge, acknowledgeWildcardResource } from '../acknowledge.ts';

export interface SearchDomainProps {
  /** Prefix of the domain name. */
  readonly appName: string;
  readonly sizing: VitrineConfig['search'];
  readonly logRetention: logs.RetentionDays;
}

/**
 * The regional catalog search domain: encrypted at rest and between nodes, HTTPS with TLS 1.2 and
 * forward secrecy only, fine-grained access control with an IAM master role, and slow, error and
 * audit logs in CloudWatch. Functions reach it with SigV4-signed requests from their own roles.
 */
export class SearchDomain extends Construct {
  readonly domain: opensearch.Domain;
  /**
   * The domain name, derived from the construct path: the API stack builds the ARN its IAM grants name
   * from it, and the domain's own access policy can name itself without a circular reference.
   */
  readonly domainName: string;
  /**
   * The fine-grained access control master. The deployment's search setup (`SearchSetup` in each API
   * stack) runs as it to define the index roles and map the function roles; operators may assume it too.
   */
  readonly adminRole: iam.Role;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { sizing } = props;
    const stack = Stack.of(this);

    this.adminRole = new iam.Role(this, 'AdminRole', {
      // Lambda: the search setup function runs as this role. The account: operators with sts:AssumeRole on it.
      assumedBy: new iam.CompositePrincipal(
        new iam.AccountRootPrincipal(),
        new iam.ServicePrincipal('lambda.amazonaws.com'),
      ),
      description:
        'OpenSearch fine-grained access control master user; the deploy-time search setup runs as it to map function roles to index roles',
    });

    const logGroup = (logId: string) =>
      new logs.LogGroup(this, logId, { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
    const slowSearchLogGroup = logGroup('SlowSearchLogs');
    const slowIndexLogGroup = logGroup('SlowIndexLogs');
    const appLogGroup = logGroup('ApplicationLogs');
    const auditLogGroup = logGroup('AuditLogs');

    // One resource policy for the four groups, instead of the construct's custom-resource-managed one.
    const logPolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${stack.stackName}-search-logs`,
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [slowSearchLogGroup, slowIndexLogGroup, appLogGroup, auditLogGroup].map(
              (group) => group.logGroupArn,
            ),
            Condition: { StringEquals: { 'aws:SourceAccount': stack.account } },
          },
        ],
      }),
    });

    const hash = Names.uniqueResourceName(this, { maxLength: 28, separator: '-' }).slice(-8).toLowerCase();
    this.domainName = `${props.appName.slice(0, 12)}-search-${hash}`;

    const zoneAware = sizing.instanceCount >= 2 && sizing.instanceCount % 2 === 0;
    this.domain = new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version: opensearch.EngineVersion.OPENSEARCH_2_19,
      capacity: {
        dataNodes: sizing.instanceCount,
        dataNodeInstanceType: sizing.instanceType,
        multiAzWithStandbyEnabled: false,
      },
      zoneAwareness: zoneAware ? { enabled: true, availabilityZoneCount: 2 } : { enabled: false },
      ebs: { volumeSize: sizing.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup,
        slowIndexLogEnabled: true,
        slowIndexLogGroup,
        appLogEnabled: true,
        appLogGroup,
        auditLogEnabled: true,
        auditLogGroup,
      },
      suppressLogsResourcePolicy: true,
      enableAutoSoftwareUpdate: true,
      offPeakWindowEnabled: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.domain.node.addDependency(logPolicy);
    // Set on the L1 resource: the L2 property would apply it through a custom resource after creation.
    // The account delegates to identity policies (each function's role) and fine-grained access control.
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
          Action: 'es:ESHttp*',
          Resource: `arn:${stack.partition}:es:${stack.region}:${stack.account}:domain/${this.domainName}/*`,
        },
      ],
    };

    // The domain policy delegates to identity policies: the master needs its own to send any request.
    const domainArn = stack.formatArn({ service: 'es', resource: 'domain', resourceName: this.domainName });
    this.adminRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'es:ESHttpGet',
          'es:ESHttpHead',
          'es:ESHttpPost',
          'es:ESHttpPut',
          'es:ESHttpDelete',
          'es:ESHttpPatch',
        ],
        resources: [domainArn, `${domainArn}/*`],
      }),
    );
    acknowledgeWildcardResource(
      this.adminRole,
      `${domainArn}/*`,
      'The master role administers the security plugin, templates and indexes of this one domain; their paths are not known in advance',
    );

    acknowledge(
      this.domain,
      'AwsSolutions-OS1',
      'No VPC by design: functions run outside a VPC and reach the domain over HTTPS with SigV4-signed requests checked by IAM and fine-grained access control',
    );
    acknowledge(
      this.domain,
      'AwsSolutions-OS3',
      'Access is granted to IAM principals (function roles and the admin role), not IP ranges; Lambda has no fixed source IPs',
    );
    acknowledge(
      this.domain,
      'AwsSolutions-OS4',
      'Catalog search runs on a small data tier sized in cdk.json; dedicated master nodes would triple the node count for a rebuildable index (the catalog table is the source of truth)',
    );
    if (!zoneAware) {
      acknowledge(
        this.domain,
        'AwsSolutions-OS7',
        'Zone awareness needs an even data node count; this configuration runs a single data node and the index can be rebuilt from the catalog table',
      );
    }
  }
}
