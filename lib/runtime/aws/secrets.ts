import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../../config/config.ts';
import type { CarrierSlug } from '../../tracking/tracking-event.ts';
import { requireEnv } from './env.ts';

/** The payments secret's JSON: Stripe's secret key and the webhook endpoint's signing secrets. */
const PaymentsSecret = z.strictObject({
  secretKey: z.string().min(1),
  webhookSecrets: z.array(z.string().min(1)).min(1),
});
export type PaymentsSecret = z.infer<typeof PaymentsSecret>;

const FeedSecrets = z.array(z.string().min(1)).optional();

/**
 * The carriers secret's JSON: each webhook feed's active secrets (DHL's subscription token, FedEx's
 * security token, UPS's credential, the generic format's signing secret), several while one is rolled.
 * A feed left out is not configured: its deliveries answer 503 until it is set.
 */
const CarriersSecret = z.strictObject({
  dhl: FeedSecrets,
  fedex: FeedSecrets,
  ups: FeedSecrets,
  generic: FeedSecrets,
} satisfies Record<CarrierSlug, typeof FeedSecrets>);
export type CarriersSecret = z.infer<typeof CarriersSecret>;

/** Re-read after this long, so a rolled webhook secret is picked up without a deployment. */
const REFRESH_MS = 5 * 60_000;

let client: SecretsManagerClient | undefined;

/**
 * A JSON secret named by an env var (its ARN), fetched on first use and cached for five minutes; a failed
 * fetch is not cached, so the next call tries again.
 */
function cachedJsonSecret<T>(envVar: string, schema: z.ZodType<T>, expected: string): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (cached && Date.now() - cached.at < REFRESH_MS) return cached.value;
    client ??= new SecretsManagerClient({});
    const value = client
      .send(new GetSecretValueCommand({ SecretId: requireEnv(envVar) }))
      .then(({ SecretString }) => {
        let json: unknown;
        try {
          json = JSON.parse(SecretString ?? '{}');
        } catch {
          json = undefined;
        }
        const parsed = schema.safeParse(json);
        if (!parsed.success) throw new ConfigError(`The secret in ${envVar} must be JSON ${expected}`);
        return parsed.data;
      })
      .catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
    cached = { at: Date.now(), value };
    return value;
  };
}

/** The payments secret (`PAYMENTS_SECRET_ARN`), fetched on first use and cached for five minutes. */
export const paymentsSecret: () => Promise<PaymentsSecret> = cachedJsonSecret(
  'PAYMENTS_SECRET_ARN',
  PaymentsSecret,
  '{"secretKey": "sk_...", "webhookSecrets": ["whsec_..."]}',
);

/** The carriers secret (`CARRIERS_SECRET_ARN`), fetched on first use and cached for five minutes. */
export const carriersSecret: () => Promise<CarriersSecret> = cachedJsonSecret(
  'CARRIERS_SECRET_ARN',
  CarriersSecret,
  '{"dhl": ["..."], "fedex": ["..."], "ups": ["..."], "generic": ["..."]} (feeds not in use may be left out)',
);

/** One feed's active webhook secrets, from the carriers secret; none when the feed is not configured. */
export const carrierWebhookSecrets = async (carrier: CarrierSlug): Promise<readonly string[]> =>
  (await carriersSecret())[carrier] ?? [];
