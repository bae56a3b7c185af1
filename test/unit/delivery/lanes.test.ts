import { describe, expect, it } from 'vitest';
import {
  carrierFor,
  corridorKey,
  deliversOnSaturday,
  destinationTimeZone,
  laneKey,
  laneOf,
  normalizePostalCode,
  postalArea,
  tradeZone,
} from '../../../lib/delivery/lanes.ts';
import { ValidationError } from '../../../lib/errors.ts';

const roissy = { locationId: 'roissy-warehouse', country: 'FR', timezone: 'Europe/Paris' };

describe('postal areas', () => {
  it('takes the sorting region by each country’s rule', () => {
    expect(postalArea('FR', '75008')).toBe('75');
    expect(postalArea('DE', '80539')).toBe('80');
    expect(postalArea('US', '90210-1234')).toBe('902');
    expect(postalArea('JP', '150-0001')).toBe('150');
    expect(postalArea('GB', 'SW1X 7XL')).toBe('SW');
    expect(postalArea('GB', 'M1 1AE')).toBe('M');
    expect(postalArea('NL', '1017 ab')).toBe('10');
    expect(postalArea('CH', '1204')).toBe('12');
    expect(postalArea('SG', '238801')).toBe('23');
    expect(postalArea('BE', '1000')).toBe('100');
  });

  it('rejects a code that is not one of the country with a ValidationError naming an example', () => {
    expect(() => normalizePostalCode('FR', '7500')).toThrow(ValidationError);
    expect(() => postalArea('US', 'SW1A 1AA')).toThrow(/not a postal code of US \(for example 10022\)/);
    expect(() => postalArea('GB', '75008')).toThrow(ValidationError);
  });
});

describe('lanes', () => {
  it('names a lane by origin, destination area, carrier and service, and its corridor without the area', () => {
    const lane = laneOf(roissy, { country: 'FR', postalCode: '75008' }, 'standard');
    expect(lane).toEqual({
      originLocationId: 'roissy-warehouse',
      originCountry: 'FR',
      destinationCountry: 'FR',
      postalArea: '75',
      carrier: 'dhl',
      service: 'standard',
    });
    expect(laneKey(lane)).toBe('roissy-warehouse>FR-75:dhl:standard');
    expect(corridorKey(lane)).toBe('roissy-warehouse>FR:dhl:standard');
    expect(laneKey(laneOf(roissy, { country: 'FR', postalCode: '75001' }, 'standard', 'ups'))).toBe(
      'roissy-warehouse>FR-75:ups:standard',
    );
  });

  it('tells domestic, same customs union and cross-border apart', () => {
    expect(tradeZone('FR', 'FR')).toBe('domestic');
    expect(tradeZone('NL', 'DE')).toBe('regional');
    expect(tradeZone('FR', 'GB')).toBe('international');
    expect(tradeZone('NL', 'CH')).toBe('international');
  });

  it('books the house couriers for white glove and an integrator across a customs border', () => {
    expect(carrierFor('FR', 'FR', 'white_glove')).toBe('house');
    expect(carrierFor('FR', 'GB', 'express')).toBe('dhl');
    expect(carrierFor('US', 'US', 'express')).toBe('fedex');
    expect(carrierFor('JP', 'JP', 'standard')).toBe('yamato');
  });

  it('delivers on Saturdays where the service does', () => {
    expect(deliversOnSaturday('US', 'express')).toBe(true);
    expect(deliversOnSaturday('FR', 'express')).toBe(false);
    expect(deliversOnSaturday('FR', 'white_glove')).toBe(true);
  });

  it('gives dates in the destination’s time zone', () => {
    expect(destinationTimeZone({ country: 'US', postalCode: '90210' })).toBe('America/Los_Angeles');
    expect(destinationTimeZone({ country: 'US', postalCode: '10022' })).toBe('America/New_York');
    expect(destinationTimeZone({ country: 'US', postalCode: '60611' })).toBe('America/Chicago');
    expect(destinationTimeZone({ country: 'ES', postalCode: '35001' })).toBe('Atlantic/Canary');
    expect(destinationTimeZone({ country: 'JP', postalCode: '150-0001' })).toBe('Asia/Tokyo');
  });
});
