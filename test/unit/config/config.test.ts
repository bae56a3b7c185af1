import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allRegions,
  ConfigError,
  parseConfig,
  zoneOfCountry,
  zoneOfRegion,
} from '../../../lib/config/config.ts';
import { loadConfig } from '../../../lib/config/load.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests reach into arbitrary config keys to break them
type Raw = any;

const defaults = (): Raw =>
  structuredClone(
    (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: { vitrine: Record<string, unknown> } })
      .context.vitrine,
  );

describe('configuration', () => {
  it('ships the default zones: eu and us with two regions each, apac with one', () => {
    const config = loadConfig();
    expect(config.primaryRegion).toBe('eu-west-1');
    expect(config.zones).toMatchObject({
      eu: { regions: ['eu-west-1', 'eu-central-1'] },
      us: { regions: ['us-east-1', 'us-west-2'] },
      apac: { regions: ['ap-northeast-1'] },
    });
    expect(allRegions(config)).toHaveLength(5);
  });

  it('fixes a customer zone from the country, and a region to its zone', () => {
    const config = loadConfig();
    expect(zoneOfCountry(config, 'JP')).toBe('apac');
    expect(zoneOfCountry(config, 'GB')).toBe('eu');
    expect(zoneOfCountry(config, 'US')).toBe('us');
    expect(zoneOfCountry(config, undefined)).toBe('eu');
    expect(zoneOfRegion(config, 'us-west-2')).toBe('us');
    expect(() => zoneOfRegion(config, 'sa-east-1')).toThrow(ConfigError);
  });

  it.each([
    [
      'a region that is not a region name',
      (c: Raw) => (c.zones.eu.regions[1] = 'paris'),
      'vitrine.zones.eu.regions[1]',
    ],
    [
      'a region in two zones',
      (c: Raw) => c.zones.us.regions.push('eu-west-1'),
      'vitrine.zones.us.regions[2]',
    ],
    ['a country in two zones', (c: Raw) => c.zones.apac.countries.push('FR'), 'vitrine.zones.apac.countries'],
    [
      'a primary region outside every zone',
      (c: Raw) => (c.primaryRegion = 'sa-east-1'),
      'vitrine.primaryRegion',
    ],
    ['an unknown key', (c: Raw) => (c.regionz = []), 'vitrine'],
    ['a missing section', (c: Raw) => delete c.api, 'vitrine.api'],
    [
      'a non-numeric throttle',
      (c: Raw) => (c.api.throttlingRateLimit = 'fast'),
      'vitrine.api.throttlingRateLimit',
    ],
    ['a zone without regions', (c: Raw) => (c.zones.apac.regions = []), 'vitrine.zones.apac.regions'],
  ])('stops with a message naming the key for %s', (_label, mutate, key) => {
    const raw = defaults();
    mutate(raw);
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(key);
  });

  it('stops when the vitrine context is missing altogether', () => {
    expect(() => parseConfig(undefined)).toThrow(/Invalid Vitrine configuration/);
  });
});
