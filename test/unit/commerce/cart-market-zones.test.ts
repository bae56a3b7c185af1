import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config/config.ts';
import { loadConfig } from '../../../lib/config/load.ts';
import { MARKET_CODES } from '../../../lib/money/markets.ts';
import { MARKET_ZONES_ENV, marketZones, parseMarketZones } from '../../../lib/platform/market-zones.ts';

describe('market zones', () => {
  const config = loadConfig();

  it("serves each market from its country's residency zone", () => {
    expect(marketZones(config)).toMatchObject({
      FR: 'eu',
      GB: 'eu',
      CH: 'eu',
      US: 'us',
      JP: 'apac',
      KR: 'apac',
    });
    expect(Object.keys(marketZones(config)).sort()).toEqual([...MARKET_CODES].sort());
  });

  it("sends a market no zone lists to the primary region's zone", () => {
    const narrow = {
      ...config,
      zones: { ...config.zones, apac: { regions: ['ap-northeast-1'], countries: ['JP'] } },
    };
    expect(marketZones(narrow).SG).toBe('eu');
  });

  it('reads the mapping back from the environment variable the stacks set', () => {
    const zoneOf = parseMarketZones(JSON.stringify(marketZones(config)));
    expect(zoneOf('JP')).toBe('apac');
    expect(zoneOf('DE')).toBe('eu');
  });

  it('fails fast, naming the variable, on a value that misses a market or is not JSON', () => {
    const { FR, ...missing } = marketZones(config);
    for (const value of [
      JSON.stringify(missing),
      'eu',
      JSON.stringify({ ...marketZones(config), FR: 'EU!' }),
    ]) {
      expect(() => parseMarketZones(value)).toThrow(ConfigError);
      expect(() => parseMarketZones(value)).toThrow(MARKET_ZONES_ENV);
    }
  });
});
