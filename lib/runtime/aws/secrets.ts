import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../../config/config.ts';
import { requireEnv } from './env.ts';

/** The payments secret's JSON: Stripe's secret key and the webhook endpoint's signing secrets. */
const PaymentsSecret = z.strictObject({
  secretKey: z.string().min(1),
  webhookSecrets: z.array(z.string().min(1)).min(1),
});
export type PaymentsSecret = z.infer<typeof PaymentsSecret>;

/** Re-read after this long, so a rolled webhook secret is picked up without a deployment. */
const REFRESH_MS = 5 * 60_000;

let client: SecretsManagerClient | undefined;
let cached: { at: number; value: Promise<PaymentsSecret> } | undefined;

/** The payments secret (`PAYMENTS_SECRET_ARN`), fetched on first use and cached for five minutes. */
export function paymentsSecret(): Promise<PaymentsSecret> {
  if (cached && Date.now() - cached.at < REFRESH_MS) return cached.value;
  client ??= new SecretsManagerClient({});
  const value = client
    .send(new GetSecretValueCommand({ SecretId: requireEnv('PAYMENTS_SECRET_ARN') }))
    .then(({ SecretString }) => {
      const parsed = PaymentsSecret.safeParse(JSON.parse(SecretString ?? '{}'));
      if (!parsed.success) {
        throw new ConfigError(
          'The payments secret must be JSON {"secretKey": "sk_...", "webhookSecrets": ["whsec_..."]}',
        );
      }
      return parsed.data;
    })
    .catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
  cached = { at: Date.now(), value };
  return value;
}
