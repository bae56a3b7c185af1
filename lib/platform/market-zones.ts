import { z } from 'zod';
import { ConfigError, type VitrineConfig, zoneOfCountry } from '../config/config.ts';
import { MARKET_CODES, MarketCode } from '../money/markets.ts';

/**
 * The environment variable that carries {@link marketZones} to functions: the configuration itself is
 * not bundled into them.
 */
export const MARKET_ZONES_ENV = 'MARKET_ZONES';

/** Which residency zone serves each market. A market code is a country code: its zone is that country's. */
export function marketZones(config: VitrineConfig): Record<MarketCode, string> {
  return Object.fromEntries(MARKET_CODES.map((market) => [market, zoneOfCountry(config, market)])) as Record<
    MarketCode,
    string
  >;
}

/** Exhaustive: a record over an enum key needs every market. */
const MarketZoneMap = z.record(MarketCode, z.string().regex(/^[a-z]{2,8}$/));

/** Reads the {@link MARKET_ZONES_ENV} value back, failing with a message that names the variable. */
export function parseMarketZones(value: string): (market: MarketCode) => string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const result = MarketZoneMap.safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(
      `Environment variable ${MARKET_ZONES_ENV} must map every market (${MARKET_CODES.join(', ')}) to a zone name`,
    );
  }
  const zones = result.data;
  return (market) => zones[market];
}
