import { z } from 'zod';

/** AWS region names as they appear in ARNs, e.g. `eu-west-1`. */
const Region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1');
/** ISO 3166-1 alpha-2 country code. */
export const CountryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as FR');

const ZoneConfig = z.strictObject({
  /** Regions the zone's personal data may live in; the first is the zone's primary. */
  regions: z.array(Region).min(1),
  /** Countries whose customers belong to the zone. */
  countries: z.array(CountryCode).min(1),
});

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
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(10 * 1024 * 1024),
    }),
    search: z.strictObject({
      instanceType: z.string().endsWith('.search'),
      instanceCount: z.number().int().min(1),
      volumeSizeGiB: z.number().int().min(10),
    }),
    logRetentionDays: z.number().int().positive(),
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
