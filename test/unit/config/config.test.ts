import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  allRegions,
  ConfigError,
  DEFAULT_AUTH,
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
    [
      'a plain-http CORS origin other than localhost',
      (c: Raw) => (c.api.corsOrigins = ['http://shop.example.com']),
      'vitrine.api.corsOrigins[0]',
    ],
    [
      'a CORS origin with a path',
      (c: Raw) => (c.api.corsOrigins = ['https://shop.example.com/']),
      'vitrine.api.corsOrigins[0]',
    ],
    ['no CORS origin at all', (c: Raw) => (c.api.corsOrigins = []), 'vitrine.api.corsOrigins'],
    [
      'a plain-http callback URL other than localhost',
      (c: Raw) => (c.auth = { callbackUrls: ['http://shop.example.com/cb'], logoutUrls: [] }),
      'vitrine.auth.callbackUrls[0]',
    ],
    [
      'a callback URL with a fragment',
      (c: Raw) => (c.auth = { callbackUrls: ['https://shop.example.com/cb#x'], logoutUrls: [] }),
      'vitrine.auth.callbackUrls[0]',
    ],
    [
      'an auth block without callback URLs',
      (c: Raw) => (c.auth = { callbackUrls: [], logoutUrls: [] }),
      'vitrine.auth.callbackUrls',
    ],
    [
      'a logout URL that is not a URL',
      (c: Raw) => (c.auth = { callbackUrls: ['https://shop.example.com/cb'], logoutUrls: ['home'] }),
      'vitrine.auth.logoutUrls[0]',
    ],
    [
      'a domain prefix Cognito reserves',
      (c: Raw) =>
        (c.auth = { domainPrefix: 'maison-cognito', callbackUrls: ['https://a.example/cb'], logoutUrls: [] }),
      'vitrine.auth.domainPrefix',
    ],
    [
      'a domain prefix with capitals',
      (c: Raw) =>
        (c.auth = { domainPrefix: 'Maison', callbackUrls: ['https://a.example/cb'], logoutUrls: [] }),
      'vitrine.auth.domainPrefix',
    ],
    [
      'an app name that would make a reserved default domain prefix',
      (c: Raw) => (c.appName = 'aws-shop'),
      'vitrine.auth.domainPrefix',
    ],
    ['an unknown auth key', (c: Raw) => (c.auth = { ...DEFAULT_AUTH, scopes: [] }), 'vitrine.auth'],
  ])('stops with a message naming the key for %s', (_label, mutate, key) => {
    const raw = defaults();
    mutate(raw);
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(key);
  });

  it('lets a local storefront sign in and call the API when auth and CORS are not configured', () => {
    const config = parseConfig(defaults());
    expect(config.api.corsOrigins).toEqual(['http://localhost:3000']);
    expect(config.auth).toEqual({
      callbackUrls: ['http://localhost:3000/auth/callback'],
      logoutUrls: ['http://localhost:3000/'],
    });
  });

  it('takes https storefront origins and redirects, and http for localhost only', () => {
    const raw = defaults();
    raw.api.corsOrigins = ['https://maison.example', 'http://localhost:5173'];
    raw.auth = {
      domainPrefix: 'maison-login',
      callbackUrls: ['https://maison.example/auth/callback', 'http://localhost:5173/auth/callback'],
      logoutUrls: [],
    };
    const config = parseConfig(raw);
    expect(config.api.corsOrigins).toEqual(raw.api.corsOrigins);
    expect(config.auth).toEqual(raw.auth);
  });

  it('stops when the vitrine context is missing altogether', () => {
    expect(() => parseConfig(undefined)).toThrow(/Invalid Vitrine configuration/);
  });
});
