import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  businessDays,
  CalendarDate,
  carrierDays,
  easterSunday,
  HOLIDAY_COUNTRIES,
  holidayOn,
  isBusinessDay,
  nextWorkingDay,
  publicHolidays,
  weekday,
  workingDaysBetween,
} from '../../../lib/delivery/calendar.ts';

const dates = (country: string, year: number) => publicHolidays(country, year).map((h) => h.date);

describe('easterSunday', () => {
  it('matches published Easter dates', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });
});

describe('public holidays', () => {
  it('closes France on Christmas Day 2026', () => {
    expect(isBusinessDay('2026-12-25', 'FR')).toBe(false);
    expect(holidayOn('2026-12-25', 'FR')?.name).toBe('Christmas Day');
    expect(isBusinessDay('2026-12-24', 'FR')).toBe(true);
  });

  it('puts Easter Monday 2026 on 6 April in France, Germany and the UK', () => {
    for (const country of ['FR', 'DE', 'GB']) {
      expect(holidayOn('2026-04-06', country)?.name).toBe('Easter Monday');
      expect(isBusinessDay('2026-04-06', country)).toBe(false);
    }
  });

  it('closes Germany and the UK on Good Friday but not France', () => {
    expect(isBusinessDay('2026-04-03', 'DE')).toBe(false);
    expect(isBusinessDay('2026-04-03', 'GB')).toBe(false);
    expect(isBusinessDay('2026-04-03', 'FR')).toBe(true);
  });

  it('moves the Easter-based holidays with Easter', () => {
    expect(holidayOn('2027-05-06', 'FR')?.name).toBe('Ascension Day');
    expect(holidayOn('2027-05-17', 'DE')?.name).toBe('Whit Monday');
    expect(holidayOn('2027-03-29', 'CH')?.name).toBe('Easter Monday');
  });

  it('closes the US on Thanksgiving 2026 (26 November) and the Friday before a Saturday 4 July', () => {
    expect(isBusinessDay('2026-11-26', 'US')).toBe(false);
    expect(holidayOn('2026-11-26', 'US')?.name).toBe('Thanksgiving Day');
    expect(holidayOn('2026-07-03', 'US')).toMatchObject({ name: 'Independence Day', substitute: true });
    expect(holidayOn('2027-07-05', 'US')).toMatchObject({ name: 'Independence Day', substitute: true });
  });

  it('observes New Year 2028, a Saturday, on Friday 31 December 2027', () => {
    expect(holidayOn('2027-12-31', 'US')).toMatchObject({ name: "New Year's Day", substitute: true });
    expect(isBusinessDay('2027-12-31', 'US')).toBe(false);
  });

  it('keeps US civic holidays as business days: carriers and warehouses work through them', () => {
    expect(holidayOn('2026-10-12', 'US')).toMatchObject({ name: 'Columbus Day', kind: 'civic' });
    expect(isBusinessDay('2026-10-12', 'US')).toBe(true);
    expect(carrierDays('US', { saturday: false }).isWorkingDay('2026-01-19')).toBe(true);
  });

  it('gives the UK substitute bank holidays when Christmas falls on a weekend', () => {
    expect(holidayOn('2026-12-28', 'GB')).toMatchObject({ name: 'Boxing Day', substitute: true });
    expect(holidayOn('2027-12-27', 'GB')).toMatchObject({ name: 'Christmas Day', substitute: true });
    expect(holidayOn('2027-12-28', 'GB')).toMatchObject({ name: 'Boxing Day', substitute: true });
    expect(dates('GB', 2026)).toEqual(expect.arrayContaining(['2026-05-04', '2026-05-25', '2026-08-31']));
  });

  it("closes Japan through Golden Week 2026, with 6 May in lieu of Sunday's Constitution Day", () => {
    for (const date of ['2026-04-29', '2026-05-04', '2026-05-05', '2026-05-06']) {
      expect(isBusinessDay(date, 'JP')).toBe(false);
    }
    expect(holidayOn('2026-05-06', 'JP')).toMatchObject({ substitute: true });
    expect(isBusinessDay('2026-05-07', 'JP')).toBe(true);
    expect(isBusinessDay('2026-04-30', 'JP')).toBe(true);
  });

  it("makes 22 September 2026 a Japanese citizens' holiday between two holidays", () => {
    expect(holidayOn('2026-09-21', 'JP')?.name).toBe('Respect for the Aged Day');
    expect(holidayOn('2026-09-22', 'JP')?.name).toBe("Citizens' Holiday");
    expect(holidayOn('2026-09-23', 'JP')?.name).toBe('Autumnal Equinox Day');
    expect(holidayOn('2027-03-22', 'JP')).toMatchObject({ name: 'Vernal Equinox Day', substitute: true });
  });

  it('gives Korea substitute days for weekend holidays and Seollal over a Sunday', () => {
    expect(holidayOn('2026-03-02', 'KR')).toMatchObject({
      name: 'Independence Movement Day',
      substitute: true,
    });
    expect(holidayOn('2026-08-17', 'KR')).toMatchObject({ name: 'Liberation Day', substitute: true });
    expect(holidayOn('2027-02-08', 'KR')).toMatchObject({ name: 'Seollal', substitute: true });
    // Chuseok 2026 ends on a Saturday, which earns no substitute.
    expect(isBusinessDay('2026-09-28', 'KR')).toBe(true);
    // Memorial Day never earns one.
    expect(isBusinessDay('2027-06-07', 'KR')).toBe(true);
  });

  it('gives Singapore the Monday after a Sunday holiday', () => {
    expect(holidayOn('2026-08-10', 'SG')).toMatchObject({ name: 'National Day', substitute: true });
    expect(holidayOn('2026-11-09', 'SG')).toMatchObject({ name: 'Deepavali', substitute: true });
    expect(isBusinessDay('2026-02-17', 'SG')).toBe(false);
  });

  it('has the national holidays of Italy, Spain, Switzerland and the Netherlands', () => {
    expect(holidayOn('2026-06-02', 'IT')?.name).toBe('Republic Day');
    expect(holidayOn('2027-10-04', 'IT')?.name).toBe('St Francis of Assisi');
    expect(holidayOn('2026-10-12', 'ES')?.name).toBe('National Day');
    expect(holidayOn('2026-08-01', 'CH')?.name).toBe('Swiss National Day');
    expect(holidayOn('2026-04-27', 'NL')?.name).toBe("King's Day");
  });

  it('lists every holiday inside its year, sorted, with valid dates', () => {
    for (const country of HOLIDAY_COUNTRIES) {
      for (const year of [2026, 2027]) {
        const list = dates(country, year);
        expect(list.length).toBeGreaterThanOrEqual(7);
        expect([...list].sort()).toEqual(list);
        for (const date of list) {
          expect(CalendarDate.safeParse(date).success).toBe(true);
          expect(date.startsWith(`${year}-`)).toBe(true);
        }
      }
    }
  });

  it('knows weekends only for a country without a table', () => {
    expect(publicHolidays('BR', 2026)).toEqual([]);
    expect(isBusinessDay('2026-12-25', 'BR')).toBe(true);
    expect(isBusinessDay('2026-12-26', 'BR')).toBe(false);
  });
});

describe('working calendars', () => {
  it('delivers on Saturdays only for services that do', () => {
    expect(weekday('2026-06-06')).toBe(6);
    expect(carrierDays('US', { saturday: true }).isWorkingDay('2026-06-06')).toBe(true);
    expect(carrierDays('US', { saturday: false }).isWorkingDay('2026-06-06')).toBe(false);
    expect(carrierDays('US', { saturday: true }).isWorkingDay('2026-06-07')).toBe(false);
    // 4 July 2026 is a Saturday: no Saturday delivery that day.
    expect(carrierDays('US', { saturday: true }).isWorkingDay('2026-07-04')).toBe(false);
  });

  it('skips weekends and holidays when counting', () => {
    const fr = businessDays('FR');
    // Thursday 24 December 2026 + 1 business day: Friday is Christmas, so Monday 28.
    expect(addWorkingDays('2026-12-24', 1, fr)).toBe('2026-12-28');
    expect(nextWorkingDay('2026-12-31', fr)).toBe('2027-01-04');
    expect(workingDaysBetween('2026-12-24', '2026-12-31', fr)).toBe(4);
    expect(addWorkingDays('2026-12-26', 0, fr)).toBe('2026-12-28');
  });

  const dateIn2026And2027 = fc.integer({ min: 0, max: 729 }).map((offset) => addDays('2026-01-01', offset));

  it('counts back exactly the working days it added', () => {
    fc.assert(
      fc.property(
        dateIn2026And2027,
        fc.integer({ min: 1, max: 15 }),
        fc.constantFrom(...HOLIDAY_COUNTRIES),
        fc.boolean(),
        (date, n, country, saturday) => {
          const calendar = carrierDays(country, { saturday });
          const later = addWorkingDays(date, n, calendar);
          expect(calendar.isWorkingDay(later)).toBe(true);
          expect(later > date).toBe(true);
          expect(workingDaysBetween(date, later, calendar)).toBe(n);
        },
      ),
    );
  });
});
