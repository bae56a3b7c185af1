import { z } from 'zod';

/** AWS region names as they appear in ARNs, e.g. `eu-west-1`. */
const Region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');
/** ISO 3166-1 alpha-2 country code. */
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as FR');

/** Cognito and browsers accept plain http for localhost only (development); https everywhere else. */
function isHttpsOrLocalhost(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost');
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A sign-in or sign-out redirect of the hosted login; Cognito refuses fragments. */
const RedirectUrl = z.string().refine((value) => {
  const url = parseUrl(value);
  return url !== undefined && isHttpsOrLocalhost(url) && url.hash === '';
}, 'must be an https URL without a fragment (http only for localhost), such as https://shop.example.com/auth/callback');

/** A browser origin exactly as the `Origin` header carries it: scheme, host and port, nothing else. */
const Origin = z.string().refine((value) => {
  const url = parseUrl(value);
  return url !== undefined && isHttpsOrLocalhost(url) && url.origin === value;
}, 'must be an origin such as https://shop.example.com (https, http only for localhost; no path or trailing slash)');

/** Words Cognito refuses in a hosted domain prefix. */
const RESERVED_DOMAIN_WORDS = ['aws', 'amazon', 'cognito'];

/** Local storefront development: the default origin, callback and sign-out URLs. */
export const LOCAL_STOREFRONT = 'http://localhost:3000';

const AuthConfig = z.strictObject({
  /**
   * Each zone's hosted login domain is `{domainPrefix}-{zone}.auth.{region}.amazoncognito.com`.
   * Defaults to `{appName}-{zone}-{account id}`, unique per account.
   */
  domainPrefix: z
    .string()
    .max(54)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'must be lower-case letters, digits and inner dashes')
    .refine(
      (prefix) => !RESERVED_DOMAIN_WORDS.some((word) => prefix.includes(word)),
      `must not contain ${RESERVED_DOMAIN_WORDS.join(', ')} (Cognito reserves them)`,
    )
    .optional(),
  /** Where the hosted login may send a signed-in user back to (both app clients). */
  callbackUrls: z.array(RedirectUrl).min(1).max(100),
  /** Where the hosted login may send a signed-out user; may be empty. */
  logoutUrls: z.array(RedirectUrl).max(100),
});

/** Without an `auth` block, the hosted login only redirects to a local storefront. */
export const DEFAULT_AUTH = {
  callbackUrls: [`${LOCAL_STOREFRONT}/auth/callback`],
  logoutUrls: [`${LOCAL_STOREFRONT}/`],
} as const satisfies z.input<typeof AuthConfig>;

const ZoneConfig = z.strictObject({
  /** Regions the zone's personal data may live in; the first is the zone's primary. */
  regions: z.array(Region).min(1),
  /** Countries whose customers belong to the zone. */
  countries: z.array(CountryCode).min(1),
});

/** A manifest function, `service.function`, e.g. `drops.enterDrop`. */
const FunctionRef = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*\.[a-z][A-Za-z0-9]+$/,
    'must name a function as service.function, e.g. drops.enterDrop',
  );

const FunctionConcurrency = z
  .strictObject({
    /** Environments kept initialized; 0 turns off what the manifest asks for. */
    provisioned: z.number().int().min(0).max(10_000).optional(),
    /** Executions set aside for the function, and the most it may run at once. */
    reserved: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((c) => c.provisioned === undefined || c.reserved === undefined || c.provisioned <= c.reserved, {
    message: 'provisioned concurrency cannot exceed reserved concurrency',
    path: ['provisioned'],
  });

/** Per access token and IP, a minute: well above a shopper polling their drop entry every few seconds. */
export const DEFAULT_DROP_RATE_LIMIT_PER_MINUTE = 100;

export const VitrineConfigSchema = z
  .strictObject({
    appName: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, 'must be lower-case letters, digits and dashes'),
    /** Region that owns the global tables (catalog, inventory, drops). */
    primaryRegion: Region,
    zones: z.record(z.string().regex(/^[a-z]{2,8}$/, 'zone names are 2-8 lower-case letters'), ZoneConfig),
    api: z.strictObject({
      throttlingRateLimit: z.number().int().positive(),
      throttlingBurstLimit: z.number().int().positive(),
      /** Requests per 5-minute window per caller before the WAF blocks. */
      wafRateLimitPer5Min: z.number().int().min(10),
      /**
       * Requests per minute to `/v1/drops/` paths per access token and IP before the WAF blocks: a
       * shopper polling their entry stays far below it, a script hammering a drop does not.
       */
      wafDropRateLimitPerMinute: z.number().int().min(10).default(DEFAULT_DROP_RATE_LIMIT_PER_MINUTE),
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(10 * 1024 * 1024),
      /** Browser origins of the storefronts allowed to call the API (CORS). */
      corsOrigins: z.array(Origin).min(1).default([LOCAL_STOREFRONT]),
    }),
    /** The zones' hosted login and the app clients' redirects. */
    auth: AuthConfig.prefault(DEFAULT_AUTH),
    search: z.strictObject({
      instanceType: z.string().endsWith('.search'),
      instanceCount: z.number().int().min(1),
      volumeSizeGiB: z.number().int().min(10),
    }),
    logRetentionDays: z.number().int().positive(),
    /** Customer notifications: the SES sender and the storefront their links open. */
    notifications: z
      .strictObject({
        /** A verified SES identity: the address itself or its domain must be verified in every region. */
        emailFrom: z.email(),
        /** Base URL of the storefront's order, tracking and rescheduling pages. */
        storefrontUrl: Origin,
        sesConfigurationSet: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/)
          .optional(),
        smsSenderId: z
          .string()
          .regex(/^[A-Za-z0-9]{1,11}$/)
          .optional(),
      })
      .prefault({ emailFrom: 'orders@example.com', storefrontUrl: LOCAL_STOREFRONT }),
    /**
     * This deployment's concurrency per function, `service.function` to settings, over what the
     * manifests declare: provisioned concurrency for a drop in production, none in a test account.
     */
    concurrency: z
      .record(FunctionRef, FunctionConcurrency)
      .default({})
      .describe('e.g. { "drops.enterDrop": { "provisioned": 50, "reserved": 400 } }'),
  })
  .superRefine((config, ctx) => {
    const regionOwner = new Map<string, string>();
    const countryOwner = new Map<string, string>();
    if (Object.keys(config.zones).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['zones'], message: 'at least one residency zone is required' });
    }
    for (const [zone, { regions, countries }] of Object.entries(config.zones)) {
      regions.forEach((region, i) => {
        const owner = regionOwner.get(region);
        if (owner) {
          ctx.addIssue({
            code: 'custom',
            path: ['zones', zone, 'regions', i],
            message: `${region} already belongs to zone ${owner}; a region serves one residency zone`,
          });
        }
        regionOwner.set(region, zone);
      });
      countries.forEach((country, i) => {
        const owner = countryOwner.get(country);
        if (owner) {
          ctx.addIssue({
            code: 'custom',
            path: ['zones', zone, 'countries', i],
            message: `${country} already belongs to zone ${owner}`,
          });
        }
        countryOwner.set(country, zone);
      });
    }
    if (
      config.auth.domainPrefix === undefined &&
      RESERVED_DOMAIN_WORDS.some((word) => config.appName.includes(word))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'domainPrefix'],
        message: `the default prefix comes from appName ${config.appName}, which contains a word Cognito reserves (${RESERVED_DOMAIN_WORDS.join(', ')}); set auth.domainPrefix`,
      });
    }
    if (!regionOwner.has(config.primaryRegion)) {
      ctx.addIssue({
        code: 'custom',
        path: ['primaryRegion'],
        message: `${config.primaryRegion} is not a region of any zone`,
      });
    }
  });

export type VitrineConfig = z.infer<typeof VitrineConfigSchema>;

/** Raised when configuration is invalid; the message names every offending key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    'vitrine',
  );
}

/** Parses the `vitrine` context object (cdk.json) and fails with a message naming each bad key. */
export function parseConfig(raw: unknown): VitrineConfig {
  const result = VitrineConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
  throw new ConfigError(`Invalid Vitrine configuration in cdk.json context:\n${lines.join('\n')}`);
}

/** Every configured region, zone primaries first in zone order. */
export function allRegions(config: VitrineConfig): string[] {
  return Object.values(config.zones).flatMap((zone) => zone.regions);
}

export function zoneOfRegion(config: VitrineConfig, region: string): string {
  for (const [zone, { regions }] of Object.entries(config.zones)) {
    if (regions.includes(region)) return zone;
  }
  throw new ConfigError(`region ${region} belongs to no configured zone`);
}

/** The residency zone of a customer, fixed from their country; unknown countries go to the primary region's zone. */
export function zoneOfCountry(config: VitrineConfig, country: string | undefined): string {
  if (country) {
    for (const [zone, { countries }] of Object.entries(config.zones)) {
      if (countries.includes(country)) return zone;
    }
  }
  return zoneOfRegion(config, config.primaryRegion);
}
