import { z } from 'zod';
import { CountryCode } from '../config/config.ts';
import { Slug } from '../contracts/catalog.ts';
import { ValidationError } from '../errors.ts';
import { EU_VAT_AREA } from '../pricing/tax-rates.ts';
import { CarrierName } from '../tracking/tracking-event.ts';
import { carrierDays, type WorkingCalendar } from './calendar.ts';
import type { Origin } from './cutoff.ts';

/** The delivered shipping methods; click and collect has no carrier lane. */
export const DeliveryService = z.enum(['standard', 'express', 'white_glove']);
export type DeliveryService = z.infer<typeof DeliveryService>;

/** Where a parcel goes, as far as transit times care: the country and the postal code. */
export const PostalDestination = z
  .strictObject({
    country: CountryCode,
    postalCode: z
      .string()
      .trim()
      .min(2)
      .max(12)
      .describe('As the shopper wrote it; spaces and dashes are ignored'),
  })
  .meta({ id: 'PostalDestination' });
export type PostalDestination = z.infer<typeof PostalDestination>;

interface PostalRule {
  readonly pattern: RegExp;
  /** The sorting area, from the normalized code (upper case, no spaces or dashes). */
  readonly area: (code: string) => string;
  readonly example: string;
}

const prefix = (n: number) => (code: string) => code.slice(0, n);

/**
 * Postal areas: the part of a postal code that names a sorting region, which is what transit times vary
 * with. French départements, German Leitregionen, US three-digit ZIP prefixes (a sectional centre),
 * Japanese three-digit prefixes, the UK postcode area (the leading letters: `SW`, `M`).
 */
const POSTAL_RULES: Readonly<Record<string, PostalRule>> = {
  FR: { pattern: /^\d{5}$/, area: prefix(2), example: '75008' },
  DE: { pattern: /^\d{5}$/, area: prefix(2), example: '80539' },
  IT: { pattern: /^\d{5}$/, area: prefix(2), example: '20121' },
  ES: { pattern: /^\d{5}$/, area: prefix(2), example: '28001' },
  NL: { pattern: /^\d{4}[A-Z]{2}$/, area: prefix(2), example: '1017 AB' },
  CH: { pattern: /^\d{4}$/, area: prefix(2), example: '1204' },
  GB: {
    pattern: /^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/,
    area: (code) => /^[A-Z]{1,2}/.exec(code)?.[0] ?? code.slice(0, 2),
    example: 'SW1A 1AA',
  },
  US: { pattern: /^\d{5}(\d{4})?$/, area: prefix(3), example: '10022' },
  JP: { pattern: /^\d{7}$/, area: prefix(3), example: '150-0001' },
  KR: { pattern: /^\d{5}$/, area: prefix(2), example: '06018' },
  SG: { pattern: /^\d{6}$/, area: prefix(2), example: '238801' },
};

const FALLBACK_RULE: PostalRule = { pattern: /^[A-Z0-9]{3,10}$/, area: prefix(3), example: 'A1B2C3' };

/**
 * The postal code upper-cased without spaces or dashes.
 *
 * @throws ValidationError when it does not look like a postal code of `country`
 */
export function normalizePostalCode(country: string, postalCode: string): string {
  const code = postalCode.toUpperCase().replace(/[\s-]/g, '');
  const rule = POSTAL_RULES[country] ?? FALLBACK_RULE;
  if (!rule.pattern.test(code)) {
    throw new ValidationError(
      `"${postalCode}" is not a postal code of ${country} (for example ${rule.example})`,
      {
        country,
        postalCode,
      },
    );
  }
  return code;
}

/**
 * The postal area of a destination: the first two or three characters by the country's rule.
 *
 * @throws ValidationError when the postal code is not valid for the country
 */
export function postalArea(country: string, postalCode: string): string {
  const rule = POSTAL_RULES[country] ?? FALLBACK_RULE;
  return rule.area(normalizePostalCode(country, postalCode));
}

const COUNTRY_TIME_ZONES: Readonly<Record<string, string>> = {
  FR: 'Europe/Paris',
  DE: 'Europe/Berlin',
  IT: 'Europe/Rome',
  ES: 'Europe/Madrid',
  NL: 'Europe/Amsterdam',
  BE: 'Europe/Brussels',
  AT: 'Europe/Vienna',
  IE: 'Europe/Dublin',
  PT: 'Europe/Lisbon',
  SE: 'Europe/Stockholm',
  DK: 'Europe/Copenhagen',
  LU: 'Europe/Luxembourg',
  FI: 'Europe/Helsinki',
  GR: 'Europe/Athens',
  PL: 'Europe/Warsaw',
  MC: 'Europe/Monaco',
  LI: 'Europe/Vaduz',
  GB: 'Europe/London',
  CH: 'Europe/Zurich',
  JP: 'Asia/Tokyo',
  KR: 'Asia/Seoul',
  SG: 'Asia/Singapore',
};

/** US time zones by ZIP prefix: coarse (Indiana and the Dakotas split), but the day rarely changes. */
function usTimeZone(zip: string): string {
  const zip3 = Number(zip.slice(0, 3));
  if (zip3 >= 967 && zip3 <= 968) return 'Pacific/Honolulu';
  if (zip3 >= 995) return 'America/Anchorage';
  if (zip3 >= 850 && zip3 <= 865) return 'America/Phoenix';
  if (zip3 >= 889 && zip3 <= 898) return 'America/Los_Angeles';
  if (zip3 >= 900) return 'America/Los_Angeles';
  if (zip3 >= 800) return 'America/Denver';
  if (zip3 >= 500) return 'America/Chicago';
  return 'America/New_York';
}

/**
 * The time zone delivery dates are given in: the destination's. Spain's Canary Islands (35, 38) are an
 * hour behind the mainland; unknown countries fall back to UTC.
 */
export function destinationTimeZone(destination: PostalDestination): string {
  const code = destination.postalCode.toUpperCase().replace(/[\s-]/g, '');
  if (destination.country === 'US') return usTimeZone(code);
  if (destination.country === 'ES' && (code.startsWith('35') || code.startsWith('38')))
    return 'Atlantic/Canary';
  return COUNTRY_TIME_ZONES[destination.country] ?? 'UTC';
}

/** The customs union a country is in: the EU, Switzerland with Liechtenstein, or the country alone. */
export function customsUnion(country: string): string {
  if ((EU_VAT_AREA as readonly string[]).includes(country)) return 'EU';
  if (country === 'CH' || country === 'LI') return 'CH';
  return country;
}

/** Same country, same customs union, or across a customs border. */
export type TradeZone = 'domestic' | 'regional' | 'international';

/** Which of the shipping zones a parcel from `originCountry` to `destinationCountry` travels in. */
export function tradeZone(originCountry: string, destinationCountry: string): TradeZone {
  if (originCountry === destinationCountry) return 'domestic';
  return customsUnion(originCountry) === customsUnion(destinationCountry) ? 'regional' : 'international';
}

/** Where a national carrier outperforms the integrators at home. */
const DOMESTIC_CARRIERS: Readonly<Record<string, CarrierName>> = {
  JP: 'yamato',
  KR: 'cj-logistics',
  SG: 'ninja-van',
};

/**
 * The carrier (as tracking names it) a service books for a trade zone and origin network. White glove is always the house's
 * own couriers (`house`); express across a customs border goes with an integrator that clears customs itself.
 */
export function carrierFor(
  originCountry: string,
  destinationCountry: string,
  service: DeliveryService,
): CarrierName {
  if (service === 'white_glove') return 'house';
  const zone = tradeZone(originCountry, destinationCountry);
  if (zone === 'international') return service === 'express' ? 'dhl' : 'ups';
  if (customsUnion(originCountry) === 'US') return service === 'express' ? 'fedex' : 'ups';
  if (customsUnion(originCountry) === 'EU' || originCountry === 'GB' || originCountry === 'CH') {
    return service === 'express' ? 'ups' : 'dhl';
  }
  return DOMESTIC_CARRIERS[originCountry] ?? (service === 'express' ? 'fedex' : 'dhl');
}

/** Countries where a service delivers on Saturdays (white glove does everywhere, by appointment). */
const SATURDAY_DELIVERY: Readonly<Record<Exclude<DeliveryService, 'white_glove'>, readonly string[]>> = {
  standard: ['JP'],
  express: ['US', 'GB', 'JP'],
};

/** Whether `service` delivers on Saturdays in `country`. */
export function deliversOnSaturday(country: string, service: DeliveryService): boolean {
  return service === 'white_glove' || SATURDAY_DELIVERY[service].includes(country);
}

/**
 * A lane: what transit times are learned per. An origin location, the destination country and postal
 * area, the carrier and the service.
 */
export const Lane = z
  .strictObject({
    originLocationId: Slug,
    originCountry: CountryCode,
    destinationCountry: CountryCode,
    postalArea: z.string().min(1).max(4),
    carrier: CarrierName,
    service: DeliveryService,
  })
  .meta({ id: 'DeliveryLane' });
export type Lane = z.infer<typeof Lane>;

/**
 * The lane a parcel travels.
 *
 * @param carrier the carrier booked; default {@link carrierFor}
 * @throws ValidationError when the postal code is not valid for the destination country
 */
export function laneOf(
  origin: Origin,
  destination: PostalDestination,
  service: DeliveryService,
  carrier?: CarrierName,
): Lane {
  return {
    originLocationId: origin.locationId,
    originCountry: origin.country,
    destinationCountry: destination.country,
    postalArea: postalArea(destination.country, destination.postalCode),
    carrier: carrier ?? carrierFor(origin.country, destination.country, service),
    service,
  };
}

/** A lane's key, e.g. `roissy-warehouse>FR-75:dhl:standard`. */
export function laneKey(lane: Lane): string {
  return `${lane.originLocationId}>${lane.destinationCountry}-${lane.postalArea}:${lane.carrier}:${lane.service}`;
}

/** The lane's corridor: the same origin, carrier and service to any postal area of the country. */
export function corridorKey(lane: Lane): string {
  return `${lane.originLocationId}>${lane.destinationCountry}:${lane.carrier}:${lane.service}`;
}

/** The days the lane's carrier delivers at the destination: what transit business days are counted in. */
export function deliveryCalendar(lane: Lane): WorkingCalendar {
  return carrierDays(lane.destinationCountry, {
    saturday: deliversOnSaturday(lane.destinationCountry, lane.service),
  });
}
