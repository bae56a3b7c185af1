import { type CryptoKey, errors, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { CUSTOMER_SCOPE, STAFF_SCOPE } from '../http/principal.ts';

export interface DevTokenRequest {
  readonly sub: string;
  readonly groups?: readonly string[];
  readonly country?: string;
  readonly email?: string;
  /** The customer's tier, minted as `custom:tier`. */
  readonly tier?: string;
}

/** Issues tokens for local development. */
export interface TokenIssuer {
  issue(request: DevTokenRequest): Promise<{ token: string; expiresIn: number }>;
}

const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * A local stand-in for the Cognito user pool: ES256 access tokens whose verified claims have the shape
 * API Gateway's Cognito authorizer hands to handlers (`sub`, `scope`, `cognito:groups`, `custom:country`,
 * `custom:tier`).
 */
export class LocalJwtIssuer implements TokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly issuer: string,
  ) {}

  static async create(issuer = 'vitrine-local-issuer'): Promise<LocalJwtIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new LocalJwtIssuer(privateKey, publicKey, issuer);
  }

  async issue(request: DevTokenRequest): Promise<{ token: string; expiresIn: number }> {
    const groups = [...(request.groups ?? [])];
    const scopes = [CUSTOMER_SCOPE, ...(groups.includes('staff') ? [STAFF_SCOPE] : [])];
    const token = await new SignJWT({
      scope: scopes.join(' '),
      token_use: 'access',
      client_id: 'vitrine-local',
      ...(groups.length ? { 'cognito:groups': groups } : {}),
      ...(request.country ? { 'custom:country': request.country } : {}),
      ...(request.email ? { email: request.email } : {}),
      ...(request.tier ? { 'custom:tier': request.tier } : {}),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
      .setSubject(request.sub)
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
      .sign(this.privateKey);
    return { token, expiresIn: TOKEN_LIFETIME_SECONDS };
  }

  /**
   * Verifies a bearer token and returns authorizer claims as API Gateway renders them (lists as
   * space-separated strings), or undefined when the token is missing, forged or expired.
   */
  async verify(token: string): Promise<Record<string, string> | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.issuer,
        algorithms: ['ES256'],
      });
      if (payload.token_use !== 'access') return undefined;
      const claims: Record<string, string> = {};
      for (const [name, value] of Object.entries(payload)) {
        claims[name] = Array.isArray(value) ? value.join(' ') : String(value);
      }
      return claims;
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
