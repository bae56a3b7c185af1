import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

/** The resource server whose scopes the API's authorizer checks (`vitrine/customer`, `vitrine/staff`). */
export const RESOURCE_SERVER_IDENTIFIER = 'vitrine';
export const CUSTOMER_SCOPE = `${RESOURCE_SERVER_IDENTIFIER}/customer`;
export const STAFF_SCOPE = `${RESOURCE_SERVER_IDENTIFIER}/staff`;
/** Staff belong to this group; the handlers treat it like the staff scope. */
export const STAFF_GROUP = 'staff';

export interface ZoneIdentityProps {
  /** The residency zone whose customers sign in here. */
  readonly zone: string;
}

/**
 * The user pool of one residency zone. Identities are personal data, so each zone keeps its own pool in
 * its primary region and every regional API trusts all of them. The `vitrine` resource server carries
 * the `customer` and `staff` scopes; the storefront client may only ask for `customer`, the back-office
 * client for both.
 */
export class ZoneIdentity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly storefrontClient: cognito.UserPoolClient;
  readonly backOfficeClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: ZoneIdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // The country fixes the customer's residency zone, so it cannot change after sign-up.
      customAttributes: { country: new cognito.StringAttribute({ minLen: 2, maxLen: 2, mutable: false }) },
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

    const client = (clientId: string, scopes: cognito.ResourceServerScope[]) =>
      this.userPool.addClient(clientId, {
        authFlows: { userSrp: true },
        preventUserExistenceErrors: true,
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
        },
      });
    this.storefrontClient = client('StorefrontClient', [customer]);
    this.backOfficeClient = client('BackOfficeClient', [customer, staff]);
  }
}
