import { describe, expect, it } from 'vitest';
import {
  type AddressLike,
  addressMatches,
  addressMentions,
  emailMatches,
  foldText,
  isDisposableEmail,
  maskEmail,
  normalizeAddress,
  normalizeEmail,
  normalizePostalCode,
} from '../../../lib/risk/normalize.ts';

const fr = (line1: string, extra: Partial<AddressLike> = {}): AddressLike => ({
  line1,
  city: 'Paris',
  postalCode: '75008',
  country: 'FR',
  ...extra,
});

describe('foldText', () => {
  it('strips accents and case, and spells out letters that do not decompose', () => {
    expect(foldText('Église Saint-Honoré')).toBe('eglise saint-honore');
    expect(foldText('Große Bleichen')).toBe('grosse bleichen');
    expect(foldText('Œuvre Ærø Łódź')).toBe('oeuvre aero lodz');
  });
});

describe('normalizeAddress', () => {
  it.each<[string, AddressLike, AddressLike]>([
    ['case, accents and whitespace', fr("  12   RUE de l'Église "), fr('12 rue de l eglise')],
    ['French elision with a typographic apostrophe', fr('3 Place d’Italie'), fr('3 place d italie')],
    ['"Rue" abbreviated', fr('12 R. de Rivoli'), fr('12 Rue de Rivoli')],
    ['"Boulevard" abbreviated', fr('8 Bd Haussmann'), fr('8 Boulevard Haussmann')],
    ['"Avenue" abbreviated', fr('5 Av. Montaigne'), fr('5 Avenue Montaigne')],
    ['"Faubourg" abbreviated', fr('24 Rue du Fbg Saint-Honoré'), fr('24 rue du faubourg saint honore')],
    ['"Sainte" abbreviated', fr('3 Rue Ste-Catherine'), fr('3 Rue Sainte Catherine')],
    [
      '"St" as street and as saint',
      { line1: '12 St James St', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      { line1: '12 Saint James Street', city: 'London', postalCode: 'sw1a1aa', country: 'GB' },
    ],
    [
      'a possessive apostrophe',
      { line1: "5 St Mark's Pl", city: 'New York', postalCode: '10003', country: 'US' },
      { line1: '5 Saint Marks Place', city: 'New York', postalCode: '10003', country: 'US' },
    ],
    [
      'unit designators and their position',
      { line1: '10 Main St., Apt 4', city: 'New York', postalCode: '10001', country: 'US' },
      { line1: 'Apartment 4, 10 MAIN STREET', city: 'New York', postalCode: '10001', country: 'US' },
    ],
    [
      '"#" and a unit on line 2',
      { line1: '10 Main St', line2: '#4', city: 'New York', postalCode: '10001-1234', country: 'US' },
      { line1: '10 Main Street', line2: 'Unit 4', city: 'New York', postalCode: '10001', country: 'US' },
    ],
    [
      '"Ste" as a suite before a number',
      { line1: '100 Main St Ste 400', city: 'Dover', postalCode: '19901', country: 'US' },
      { line1: '100 Main Street', line2: 'Suite 400', city: 'Dover', postalCode: '19901', country: 'US' },
    ],
    [
      'German "Straße" spellings',
      { line1: 'Haupt Str. 5', city: 'Hamburg', postalCode: '20354', country: 'DE' },
      { line1: 'Hauptstraße 5', city: 'Hamburg', postalCode: '20354', country: 'DE' },
    ],
    [
      'a house-number prefix',
      { line1: 'No. 10 Downing St', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' },
      { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A2AA', country: 'gb' },
    ],
  ])('treats spellings as one delivery point: %s', (_case, a, b) => {
    expect(normalizeAddress(a).fullKey).toBe(normalizeAddress(b).fullKey);
  });

  it('tells flats apart but keeps them in one building', () => {
    const flat4 = normalizeAddress({
      line1: '10 Main St',
      line2: 'Apt 4',
      postalCode: '10001',
      country: 'US',
    });
    const flat5 = normalizeAddress({
      line1: '10 Main St',
      line2: 'Apt 5',
      postalCode: '10001',
      country: 'US',
    });

    expect(flat4.fullKey).not.toBe(flat5.fullKey);
    expect(flat4.buildingKey).toBe(flat5.buildingKey);
  });

  it('tells the same street in another postal code or country apart', () => {
    const paris = normalizeAddress(fr('12 Rue de Rivoli'));

    expect(normalizeAddress(fr('12 Rue de Rivoli', { postalCode: '75004' })).buildingKey).not.toBe(
      paris.buildingKey,
    );
    expect(normalizeAddress(fr('12 Rue de Rivoli', { country: 'BE' })).buildingKey).not.toBe(
      paris.buildingKey,
    );
  });

  it('uses the city to tell buildings apart where there is no postal code', () => {
    const central = normalizeAddress({ line1: '1 Queen’s Road', city: 'Central', country: 'HK' });
    const kowloon = normalizeAddress({ line1: '1 Queen’s Road', city: 'Kowloon', country: 'HK' });

    expect(central.buildingKey).not.toBe(kowloon.buildingKey);
  });
});

describe('normalizePostalCode', () => {
  it('drops spaces and dashes, upper-cases, and cuts a US ZIP+4 to the ZIP', () => {
    expect(normalizePostalCode('sw1a 1aa', 'GB')).toBe('SW1A1AA');
    expect(normalizePostalCode('10001-1234', 'US')).toBe('10001');
    expect(normalizePostalCode('100-0001', 'JP')).toBe('1000001');
    expect(normalizePostalCode(undefined, 'HK')).toBe('');
  });
});

describe('addressMatches', () => {
  const entry = normalizeAddress({ line1: '10 Main Street', postalCode: '10001', country: 'US' });

  it('lets an entry without a unit cover the whole building', () => {
    const flat = normalizeAddress({
      line1: '10 MAIN ST',
      line2: 'Apt 9',
      postalCode: '10001',
      country: 'US',
    });

    expect(addressMatches(flat, entry)).toBe(true);
  });

  it('holds an entry with a unit to that unit', () => {
    const unitEntry = normalizeAddress({
      line1: '10 Main Street',
      line2: '#4',
      postalCode: '10001',
      country: 'US',
    });

    expect(
      addressMatches(
        normalizeAddress({ line1: '10 Main St Apt 4', postalCode: '10001', country: 'US' }),
        unitEntry,
      ),
    ).toBe(true);
    expect(
      addressMatches(
        normalizeAddress({ line1: '10 Main St Apt 5', postalCode: '10001', country: 'US' }),
        unitEntry,
      ),
    ).toBe(false);
  });

  it('does not match another street number', () => {
    expect(
      addressMatches(normalizeAddress({ line1: '11 Main St', postalCode: '10001', country: 'US' }), entry),
    ).toBe(false);
  });
});

describe('addressMentions', () => {
  it('finds a marker as whole words, whatever the case and punctuation', () => {
    const address = normalizeAddress({
      line1: '4500 Cargo Way',
      line2: 'Suite 12-345, c/o SHIPITO',
      country: 'US',
    });

    expect(addressMentions(address, 'shipito')).toBe(true);
    expect(addressMentions(address, 'Cargo Way')).toBe(true);
  });

  it('does not find a marker inside another word', () => {
    expect(addressMentions(normalizeAddress({ line1: '1 Shipitonia Road', country: 'US' }), 'shipito')).toBe(
      false,
    );
  });
});

describe('normalizeEmail', () => {
  it('folds case, a +tag, and the dots and domain alias Gmail ignores', () => {
    expect(normalizeEmail(' J.Doe+promo@GoogleMail.com ').address).toBe('jdoe@gmail.com');
  });

  it('keeps dots where the provider does not ignore them', () => {
    expect(normalizeEmail('J.Doe+drop@Example.FR').address).toBe('j.doe@example.fr');
  });
});

describe('emailMatches', () => {
  const email = normalizeEmail('Jane.Doe+x@mail.example.com');

  it('matches a full-address entry after normalization', () => {
    expect(emailMatches(email, 'jane.doe@mail.example.com')).toBe(true);
    expect(emailMatches(email, 'jane.doe+other@MAIL.example.com')).toBe(true);
    expect(emailMatches(email, 'john@mail.example.com')).toBe(false);
  });

  it('matches a domain entry on the domain and its subdomains only', () => {
    expect(emailMatches(email, 'example.com')).toBe(true);
    expect(emailMatches(email, '@mail.example.com')).toBe(true);
    expect(emailMatches(email, 'ample.com')).toBe(false);
    expect(emailMatches(email, 'other.example.com')).toBe(false);
  });
});

describe('isDisposableEmail', () => {
  it('recognizes built-in throwaway domains and their subdomains', () => {
    expect(isDisposableEmail(normalizeEmail('x@mailinator.com'))).toBe(true);
    expect(isDisposableEmail(normalizeEmail('x@eu.mailinator.com'))).toBe(true);
    expect(isDisposableEmail(normalizeEmail('x@gmail.com'))).toBe(false);
  });

  it('adds the policy’s own domains', () => {
    expect(isDisposableEmail(normalizeEmail('x@burner.example'), ['burner.example'])).toBe(true);
  });
});

describe('maskEmail', () => {
  it('shows the first letter of the mailbox and the domain only', () => {
    expect(maskEmail(normalizeEmail('claire.martin@example.fr'))).toBe('c•••@example.fr');
  });
});
