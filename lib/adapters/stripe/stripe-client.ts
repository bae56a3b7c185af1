import Stripe from 'stripe';

/** Returns the Stripe secret key, e.g. from Secrets Manager; called once, on first use. */
export type SecretKeyProvider = () => Promise<string>;

/** How to build the Stripe client. */
export interface StripeClientProps {
  readonly secretKey: SecretKeyProvider;
  /**
   * Network retries of the SDK (connection errors, 409, 429, 5xx), each with the same idempotency key.
   * @default 2
   */
  readonly maxNetworkRetries?: number;
  /** Per-request timeout; kept well below the API Gateway integration timeout (29 s). @default 8000 */
  readonly timeoutMs?: number;
  /** API host, for a fake Stripe in tests. @default api.stripe.com */
  readonly host?: string;
  /** @default 443 */
  readonly port?: number;
  /** @default 'https' */
  readonly protocol?: 'http' | 'https';
}

/** A Stripe client, built on first use so nothing touches the network or Secrets Manager at import time. */
export type StripeClientSource = () => Promise<Stripe>;

/**
 * Builds the Stripe client lazily from the secret key provider, once per process (a failed key lookup
 * is retried on the next call). The API version is the one stripe-node pins, so responses match its types.
 */
export function lazyStripeClient(props: StripeClientProps): StripeClientSource {
  let client: Promise<Stripe> | undefined;
  return () => {
    client ??= props
      .secretKey()
      .then(
        (key) =>
          new Stripe(key, {
            maxNetworkRetries: props.maxNetworkRetries ?? 2,
            timeout: props.timeoutMs ?? 8000,
            appInfo: { name: 'vitrine' },
            ...(props.host ? { host: props.host } : {}),
            ...(props.port ? { port: props.port } : {}),
            ...(props.protocol ? { protocol: props.protocol } : {}),
          }),
      )
      .catch((error: unknown) => {
        client = undefined;
        throw error;
      });
    return client;
  };
}
