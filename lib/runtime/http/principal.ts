import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The authenticated caller, read from the API Gateway Cognito authorizer claims (or the local issuer's). */
export interface Principal {
  readonly sub: string;
  readonly staff: boolean;
  readonly country?: string;
  readonly email?: string;
  /** The `custom:tier` claim as sent (`standard`, `silver`, `gold`, `platinum`); absent when not set. */
  readonly tier?: string;
}

export const STAFF_SCOPE = 'vitrine/staff';
export const CUSTOMER_SCOPE = 'vitrine/customer';

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  // API Gateway renders list claims as "[a b]" or "a,b"; accept every rendering.
  return value.split(/[\s,[\]]+/).filter(Boolean);
}

/** Reads the caller from `requestContext.authorizer.claims`; undefined when the route had no authorizer. */
export function principalOf(event: APIGatewayProxyEvent): Principal | undefined {
  const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || sub.length === 0) return undefined;
  const staff =
    words(claims.scope).includes(STAFF_SCOPE) || words(claims['cognito:groups']).includes('staff');
  const country = claims['custom:country'] ?? claims.country;
  const email = claims.email;
  const tier = claims['custom:tier'];
  return {
    sub,
    staff,
    ...(typeof country === 'string' && country ? { country } : {}),
    ...(typeof email === 'string' && email ? { email } : {}),
    ...(typeof tier === 'string' && tier ? { tier } : {}),
  };
}
