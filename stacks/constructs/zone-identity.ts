import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CognitoTrigger, FunctionDefinition } from '#lib/platform/manifest.ts';
import { acknowledge } from '../acknowledge.ts';
import type { DeclaredFunction } from '../naming.ts';
import { VitrineFunction } from './vitrine-function.ts';

/** The resource server whose scopes the API's authorizer checks (`vitrine/customer`, `vitrine/staff`). */

/** Attributes the app clients may write: profile and contact details, and the sign-up country. */
const SHOPPER_WRITABLE_ATTRIBUTES = new cognito.ClientAttributes()
  .withStandardAttributes({
    email: true,
    givenName: true,
    familyName: true,
    phoneNumber: true,
    locale: true,
    address: true,
  })
  .withCustomAttributes('country');
export const RESOURCE_SERVER_IDENTIFIER = 'vitrine';
export const CUSTOMER_SCOPE = `${RESOURCE_SERVER_IDENTIFIER}/customer`;
export const STAFF_SCOPE = `${RESOURCE_SERVER_IDENTIFIER}/staff`;
/** Staff belong to this group; the handlers treat it like the staff scope. */
export const STAFF_GROUP = 'staff';

/** How Cognito invokes each kind of manifest trigger. */
const TRIGGER_OPERATIONS: Record<
  CognitoTrigger,
  { readonly operation: cognito.UserPoolOperation; readonly lambdaVersion?: cognito.LambdaVersion }
> = {
  // V2_0 is the event that may change access tokens (scopes, claims); it needs the Essentials or Plus plan.
  preTokenGeneration: {
    operation: cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
    lambdaVersion: cognito.LambdaVersion.V2_0,
  },
};

export interface ZoneIdentityProps {
  /** The residency zone whose customers sign in here. */
  readonly zone: string;
  /** The hosted login domain: `{domainPrefix}.auth.{region}.amazoncognito.com`. */
  readonly domainPrefix: string;
  /** Where the hosted login may return a signed-in user (both app clients). */
  readonly callbackUrls: readonly string[];
  /** Where the hosted login may return a signed-out user. @default - none */
  readonly logoutUrls?: readonly string[];
  /** Manifest functions declared as Cognito triggers, deployed beside the pool. @default - none */
  readonly triggers?: readonly DeclaredFunction[];
  /** Retention of the triggers' log groups. */
  readonly logRetention: logs.RetentionDays;
  /**
   * The code of each trigger.
   * @default - its entry bundled once per process by `bundleFunction`
   */
  readonly code?: (definition: FunctionDefinition) => lambda.Code;
}

/**
 * The user pool of one residency zone. Identities are personal data, so each zone keeps its own pool in
 * its primary region and every regional API trusts all of them. The `vitrine` resource server carries
 * the `customer` and `staff` scopes; through the hosted login the storefront client may only ask for
 * `customer`, the back-office client for both. Sign-in outside the hosted login (SRP) grants no scope:
 * the manifests' pre-token trigger adds them, from the user's groups.
 */
export class ZoneIdentity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly storefrontClient: cognito.UserPoolClient;
  readonly backOfficeClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The trigger functions, by construct id. */
  readonly triggers: ReadonlyMap<string, VitrineFunction>;

  constructor(scope: Construct, id: string, props: ZoneIdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // The country fixes the customer's residency zone, so it cannot change after sign-up.
        country: new cognito.StringAttribute({ minLen: 2, maxLen: 2, mutable: false }),
        // The client tier (standard, silver, gold, platinum) opens drops' early-access windows. Set by the
        // house (AdminUpdateUserAttributes), never by the shopper: no app client may write it.
        tier: new cognito.StringAttribute({ minLen: 1, maxLen: 16, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus brings threat protection: compromised-credential and adaptive authentication checks.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      `Shoppers of zone ${props.zone} choose TOTP MFA (optional); forcing it at checkout loses sales, and threat protection runs in full-function mode instead`,
    );

    new cognito.CfnUserPoolGroup(this, 'StaffGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: STAFF_GROUP,
      description: 'Maison and boutique staff: catalog, stock and drop administration',
    });

    const customer = new cognito.ResourceServerScope({
      scopeName: 'customer',
      scopeDescription: 'A signed-in shopper',
    });
    const staff = new cognito.ResourceServerScope({
      scopeName: 'staff',
      scopeDescription: 'Staff administration routes',
    });
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_IDENTIFIER,
      scopes: [customer, staff],
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    const client = (clientId: string, scopes: cognito.ResourceServerScope[]) =>
      this.userPool.addClient(clientId, {
        authFlows: { userSrp: true },
        preventUserExistenceErrors: true,
        // Everything a shopper may say about themselves, and the country once at sign-up; not the tier.
        writeAttributes: SHOPPER_WRITABLE_ATTRIBUTES,
        enableTokenRevocation: true,
        accessTokenValidity: Duration.minutes(30),
        idTokenValidity: Duration.minutes(30),
        refreshTokenValidity: Duration.days(30),
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [
            cognito.OAuthScope.OPENID,
            cognito.OAuthScope.EMAIL,
            ...scopes.map((s) => cognito.OAuthScope.resourceServer(resourceServer, s)),
          ],
          // Always given: left empty, CDK would allow https://example.com.
          callbackUrls: [...props.callbackUrls],
          ...(props.logoutUrls?.length ? { logoutUrls: [...props.logoutUrls] } : {}),
        },
      });
    this.storefrontClient = client('StorefrontClient', [customer]);
    this.backOfficeClient = client('BackOfficeClient', [customer, staff]);

    const triggers = new Map<string, VitrineFunction>();
    for (const declared of props.triggers ?? []) {
      const { definition } = declared;
      if (!definition.cognitoTrigger) {
        throw new Error(`${declared.id}: only functions declared with cognitoTrigger are user pool triggers`);
      }
      // The role stays as VitrineFunction makes it (its log group and X-Ray): Cognito passes everything
      // the trigger reads in the event, and addTrigger lets only this pool invoke it.
      const fn = new VitrineFunction(this, declared.id, {
        service: declared.service,
        definition,
        logRetention: props.logRetention,
        code: props.code?.(definition),
      });
      const { operation, lambdaVersion } = TRIGGER_OPERATIONS[definition.cognitoTrigger];
      this.userPool.addTrigger(operation, fn.invokeTarget, lambdaVersion);
      triggers.set(declared.id, fn);
    }
    this.triggers = triggers;
  }
}
