import { z } from 'zod';
import { CountryCode } from '../config/config.ts';
import { Slug } from '../contracts/catalog.ts';
import type { MarketCode } from '../money/markets.ts';
import { TimeZoneName } from '../platform/time-zones.ts';

/** The residency zones the demo places locations in; they match the zones in `cdk.json`. */
export type DemoZone = 'eu' | 'us' | 'apac';
/** Every demo zone, in the order locations are listed. */
export const DEMO_ZONES: readonly DemoZone[] = ['eu', 'us', 'apac'];

/** The zone that serves each market: a market is in stock when a location in its zone holds stock. */
export const MARKET_ZONES: Readonly<Record<MarketCode, DemoZone>> = {
  FR: 'eu',
  DE: 'eu',
  IT: 'eu',
  ES: 'eu',
  GB: 'eu',
  CH: 'eu',
  US: 'us',
  JP: 'apac',
  KR: 'apac',
  SG: 'apac',
};

/** The regions of each zone as `cdk.json` ships them; the local runtime can pass its own configuration. */
export const DEFAULT_ZONE_REGIONS: Readonly<Record<DemoZone, readonly string[]>> = {
  eu: ['eu-west-1', 'eu-central-1'],
  us: ['us-east-1', 'us-west-2'],
  apac: ['ap-northeast-1'],
};

/** Whether a location is a boutique or a warehouse. */
export const LocationType = z.enum(['boutique', 'warehouse']);
export type LocationType = z.infer<typeof LocationType>;

/**
 * Where shipped orders take stock from when a location sets no priority of its own: warehouses before
 * boutiques, which keep their pieces on the shelf for the shoppers in the room.
 */
export const DEFAULT_LOCATION_PRIORITY = { warehouse: 10, boutique: 50, unknown: 30 } as const;

/**
 * A location's priority for shipped orders (lower first): its own, else its type's default. Locations
 * known only from a pool may lack a type.
 */
export function locationPriority(location: {
  readonly type?: LocationType;
  readonly priority?: number;
}): number {
  return location.priority ?? DEFAULT_LOCATION_PRIORITY[location.type ?? 'unknown'];
}

/** A place that holds stock: a boutique (which may offer click and collect) or a warehouse. */
export const Location = z
  .strictObject({
    locationId: Slug,
    name: z.string().trim().min(1).max(120),
    type: LocationType,
    country: CountryCode,
    city: z.string().trim().min(1).max(80),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region name such as eu-west-1')
      .describe('The region nearest the location within its zone; stock pools held here have it as home'),
    zone: z.string().regex(/^[a-z]{2,8}$/, 'zone names are 2-8 lower-case letters'),
    subdivision: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional()
      .describe(
        'US state or Canadian province (ISO 3166-2 suffix); sales tax on pickup orders depends on it',
      ),
    pickupCapable: z.boolean().describe('Whether shoppers can collect online orders here'),
    timezone: TimeZoneName,
    priority: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe(
        `Shipped orders draw on lower numbers first; when absent, warehouses ${DEFAULT_LOCATION_PRIORITY.warehouse} and boutiques ${DEFAULT_LOCATION_PRIORITY.boutique}`,
      ),
  })
  .refine((l) => l.type === 'boutique' || !l.pickupCapable, {
    message: 'only boutiques offer click and collect',
    path: ['pickupCapable'],
  })
  .meta({ id: 'Location' });
export type Location = z.infer<typeof Location>;

interface LocationSeed extends Omit<Location, 'region'> {
  readonly zone: DemoZone;
  readonly lat: number;
  readonly lon: number;
}

const boutique = (
  locationId: string,
  name: string,
  country: string,
  city: string,
  zone: DemoZone,
  timezone: string,
  lat: number,
  lon: number,
  pickupCapable = true,
  priority?: number,
): LocationSeed => ({
  locationId,
  name,
  type: 'boutique',
  country,
  city,
  zone,
  pickupCapable,
  timezone,
  lat,
  lon,
  ...(priority === undefined ? {} : { priority }),
});

/** Warehouses never hand pieces to shoppers, so they are never pickup points. */
const warehouse = (...args: Parameters<typeof boutique>): LocationSeed => ({
  ...boutique(...args),
  type: 'warehouse',
  pickupCapable: false,
});

/** The demo's boutiques and warehouses, warehouses first in each zone. */
const SEEDS: readonly LocationSeed[] = [
  warehouse(
    'roissy-warehouse',
    'Roissy distribution centre',
    'FR',
    'Roissy-en-France',
    'eu',
    'Europe/Paris',
    49.0,
    2.52,
  ),
  warehouse(
    'venlo-warehouse',
    'Venlo distribution centre',
    'NL',
    'Venlo',
    'eu',
    'Europe/Amsterdam',
    51.37,
    6.17,
  ),
  boutique(
    'paris-saint-honore',
    'Paris Rue Saint-Honoré boutique',
    'FR',
    'Paris',
    'eu',
    'Europe/Paris',
    48.868,
    2.322,
  ),
  boutique(
    'paris-avenue-montaigne',
    'Paris Avenue Montaigne boutique',
    'FR',
    'Paris',
    'eu',
    'Europe/Paris',
    48.866,
    2.305,
  ),
  boutique(
    'london-new-bond-street',
    'London New Bond Street boutique',
    'GB',
    'London',
    'eu',
    'Europe/London',
    51.512,
    -0.145,
  ),
  boutique(
    'milan-via-montenapoleone',
    'Milan Via Montenapoleone boutique',
    'IT',
    'Milan',
    'eu',
    'Europe/Rome',
    45.468,
    9.195,
  ),
  boutique(
    'munich-maximilianstrasse',
    'Munich Maximilianstraße boutique',
    'DE',
    'Munich',
    'eu',
    'Europe/Berlin',
    48.139,
    11.582,
  ),
  boutique(
    'madrid-calle-serrano',
    'Madrid Calle de Serrano boutique',
    'ES',
    'Madrid',
    'eu',
    'Europe/Madrid',
    40.428,
    -3.687,
  ),
  boutique(
    'geneva-rue-du-rhone',
    'Geneva Rue du Rhône boutique',
    'CH',
    'Geneva',
    'eu',
    'Europe/Zurich',
    46.203,
    6.148,
  ),
  // A seasonal resort boutique: it sells pieces but has no counter for collecting online orders, and
  // ships an online order only when no other location of the zone can.
  boutique(
    'courchevel-1850',
    'Courchevel 1850 seasonal boutique',
    'FR',
    'Courchevel',
    'eu',
    'Europe/Paris',
    45.415,
    6.634,
    false,
    90,
  ),
  warehouse(
    'secaucus-warehouse',
    'Secaucus distribution centre',
    'US',
    'Secaucus',
    'us',
    'America/New_York',
    40.79,
    -74.06,
  ),
  warehouse(
    'reno-warehouse',
    'Reno distribution centre',
    'US',
    'Reno',
    'us',
    'America/Los_Angeles',
    39.53,
    -119.81,
  ),
  boutique(
    'new-york-madison-avenue',
    'New York Madison Avenue boutique',
    'US',
    'New York',
    'us',
    'America/New_York',
    40.77,
    -73.966,
  ),
  boutique(
    'beverly-hills-rodeo-drive',
    'Beverly Hills Rodeo Drive boutique',
    'US',
    'Beverly Hills',
    'us',
    'America/Los_Angeles',
    34.068,
    -118.401,
  ),
  boutique(
    'miami-design-district',
    'Miami Design District boutique',
    'US',
    'Miami',
    'us',
    'America/New_York',
    25.813,
    -80.193,
  ),
  boutique(
    'chicago-oak-street',
    'Chicago Oak Street boutique',
    'US',
    'Chicago',
    'us',
    'America/Chicago',
    41.9,
    -87.627,
  ),
  warehouse(
    'narita-warehouse',
    'Narita distribution centre',
    'JP',
    'Narita',
    'apac',
    'Asia/Tokyo',
    35.77,
    140.32,
  ),
  warehouse(
    'singapore-changi-warehouse',
    'Singapore Changi distribution centre',
    'SG',
    'Singapore',
    'apac',
    'Asia/Singapore',
    1.35,
    103.99,
  ),
  boutique('tokyo-ginza', 'Tokyo Ginza boutique', 'JP', 'Tokyo', 'apac', 'Asia/Tokyo', 35.671, 139.765),
  boutique(
    'tokyo-omotesando',
    'Tokyo Omotesando boutique',
    'JP',
    'Tokyo',
    'apac',
    'Asia/Tokyo',
    35.666,
    139.711,
  ),
  boutique(
    'osaka-shinsaibashi',
    'Osaka Shinsaibashi boutique',
    'JP',
    'Osaka',
    'apac',
    'Asia/Tokyo',
    34.674,
    135.501,
  ),
  boutique(
    'seoul-cheongdam',
    'Seoul Cheongdam boutique',
    'KR',
    'Seoul',
    'apac',
    'Asia/Seoul',
    37.525,
    127.048,
  ),
  boutique(
    'singapore-orchard-road',
    'Singapore Orchard Road boutique',
    'SG',
    'Singapore',
    'apac',
    'Asia/Singapore',
    1.304,
    103.832,
  ),
];

/** Approximate locations of AWS regions, enough to tell which region of a zone is nearest a city. */
const REGION_COORDINATES: Readonly<Record<string, readonly [number, number]>> = {
  'us-east-1': [38.9, -77.4],
  'us-east-2': [40.0, -83.0],
  'us-west-1': [37.4, -121.9],
  'us-west-2': [45.8, -119.7],
  'ca-central-1': [45.5, -73.6],
  'sa-east-1': [-23.5, -46.6],
  'eu-west-1': [53.3, -6.3],
  'eu-west-2': [51.5, -0.1],
  'eu-west-3': [48.9, 2.35],
  'eu-central-1': [50.1, 8.7],
  'eu-central-2': [47.4, 8.5],
  'eu-south-1': [45.5, 9.2],
  'eu-south-2': [41.6, -0.9],
  'eu-north-1': [59.3, 18.1],
  'ap-northeast-1': [35.7, 139.7],
  'ap-northeast-2': [37.6, 127.0],
  'ap-northeast-3': [34.7, 135.5],
  'ap-southeast-1': [1.35, 103.8],
  'ap-southeast-2': [-33.9, 151.2],
  'ap-east-1': [22.3, 114.2],
  'ap-south-1': [19.1, 72.9],
};

function distanceKm(
  [lat1, lon1]: readonly [number, number],
  [lat2, lon2]: readonly [number, number],
): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * The region of `regions` nearest a point. Regions whose location is unknown are only chosen when none is
 * known, and then the zone's first (primary) region is used.
 */
export function nearestRegion(point: readonly [number, number], regions: readonly string[]): string {
  let best: string | undefined;
  let bestKm = Number.POSITIVE_INFINITY;
  for (const region of regions) {
    const at = REGION_COORDINATES[region];
    if (!at) continue;
    const km = distanceKm(point, at);
    if (km < bestKm) {
      best = region;
      bestKm = km;
    }
  }
  const chosen = best ?? regions[0];
  if (!chosen) throw new RangeError('a zone needs at least one region');
  return chosen;
}

/** Zone configuration in the shape of `cdk.json`'s `zones`; only the regions are read. */
export type ZoneRegions = Readonly<Record<string, { readonly regions: readonly string[] }>>;

/** States of the North American locations: a pickup is taxed where the boutique is. */
const SUBDIVISIONS: Readonly<Record<string, string>> = {
  'secaucus-warehouse': 'NJ',
  'reno-warehouse': 'NV',
  'new-york-madison-avenue': 'NY',
  'beverly-hills-rodeo-drive': 'CA',
  'miami-design-district': 'FL',
  'chicago-oak-street': 'IL',
};

/**
 * The demo boutiques and warehouses, each assigned to the nearest region of its zone. Zones missing from
 * `zones` keep the regions `cdk.json` ships with.
 */
export function demoLocations(zones?: ZoneRegions): Location[] {
  return SEEDS.map((s) => {
    const regions = zones?.[s.zone]?.regions ?? DEFAULT_ZONE_REGIONS[s.zone];
    const subdivision = SUBDIVISIONS[s.locationId];
    return {
      ...(subdivision ? { subdivision } : {}),
      locationId: s.locationId,
      name: s.name,
      type: s.type,
      country: s.country,
      city: s.city,
      region: nearestRegion([s.lat, s.lon], regions),
      zone: s.zone,
      pickupCapable: s.pickupCapable,
      timezone: s.timezone,
      ...(s.priority === undefined ? {} : { priority: s.priority }),
    };
  });
}
