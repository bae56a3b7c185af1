import { describe, expect, it } from 'vitest';
import {
  cutoffInstant,
  cutoffOf,
  dispatchDay,
  localDateTime,
  nextCutoff,
  type Origin,
  zonedInstant,
} from '../../../lib/delivery/cutoff.ts';
import { demoLocations } from '../../../lib/demo/locations.ts';

const origin = (locationId: string): Origin => {
  const l = demoLocations().find((x) => x.locationId === locationId);
  if (!l) throw new Error(`no location ${locationId}`);
  return { locationId: l.locationId, country: l.country, timezone: l.timezone };
};

const paris = origin('paris-saint-honore');
const roissy = origin('roissy-warehouse');
const secaucus = origin('secaucus-warehouse');
const reno = origin('reno-warehouse');
const narita = origin('narita-warehouse');
const at = (iso: string) => new Date(iso);

describe('cut-offs', () => {
  it('uses 14:00 for boutiques and the later evening collection for warehouses', () => {
    expect(cutoffOf(paris)).toBe('14:00');
    expect(cutoffOf(roissy)).toBe('16:00');
    expect(cutoffOf({ ...paris, cutoff: '11:30' })).toBe('11:30');
  });

  it('places the cut-off at 14:00 Paris time on both sides of the spring DST change', () => {
    // Friday 27 March 2026 is still CET (UTC+1); Monday 30 March is CEST (UTC+2).
    expect(cutoffInstant(paris, '2026-03-27').toISOString()).toBe('2026-03-27T13:00:00.000Z');
    expect(cutoffInstant(paris, '2026-03-30').toISOString()).toBe('2026-03-30T12:00:00.000Z');
  });

  it('places the cut-off at 14:00 Paris time on both sides of the autumn DST change', () => {
    expect(cutoffInstant(paris, '2026-10-23').toISOString()).toBe('2026-10-23T12:00:00.000Z');
    expect(cutoffInstant(paris, '2026-10-26').toISOString()).toBe('2026-10-26T13:00:00.000Z');
  });

  it('follows New York time at Secaucus when US DST starts', () => {
    expect(cutoffInstant(secaucus, '2026-03-06').toISOString()).toBe('2026-03-06T20:00:00.000Z');
    expect(cutoffInstant(secaucus, '2026-03-09').toISOString()).toBe('2026-03-09T19:00:00.000Z');
  });

  it('moves a time inside the spring-forward gap forward by the gap', () => {
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Paris').toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
  });
});

describe('dispatchDay', () => {
  it('ships the same day up to one minute before the cut-off, and the next business day from it', () => {
    // Monday 30 March 2026, the first weekday of summer time: 13:59 and 14:00 CEST.
    expect(dispatchDay(paris, at('2026-03-30T11:59:00Z'))).toBe('2026-03-30');
    expect(dispatchDay(paris, at('2026-03-30T12:00:00Z'))).toBe('2026-03-31');
    // 12:30 UTC is 14:30 CEST: too late, although with winter's offset it would read 13:30.
    expect(dispatchDay(paris, at('2026-03-30T12:30:00Z'))).toBe('2026-03-31');
  });

  it('keeps the local cut-off the week after the autumn change', () => {
    // Monday 26 October 2026, 13:30 CET: before the cut-off although it is 12:30 UTC.
    expect(dispatchDay(paris, at('2026-10-26T12:30:00Z'))).toBe('2026-10-26');
    expect(dispatchDay(paris, at('2026-10-26T13:00:00Z'))).toBe('2026-10-27');
  });

  it('ships Friday-evening and weekend orders on Monday', () => {
    expect(dispatchDay(roissy, at('2026-06-05T15:30:00Z'))).toBe('2026-06-08');
    expect(dispatchDay(roissy, at('2026-06-06T09:00:00Z'))).toBe('2026-06-08');
    expect(dispatchDay(roissy, at('2026-06-07T20:00:00Z'))).toBe('2026-06-08');
  });

  it('skips public holidays at the origin', () => {
    // Christmas Eve 2026 after the cut-off: Friday is Christmas, so Monday 28 December.
    expect(dispatchDay(paris, at('2026-12-24T14:30:00Z'))).toBe('2026-12-28');
    // Golden Week: Friday 1 May 2026 after 15:00 JST ships on Thursday 7 May.
    expect(dispatchDay(narita, at('2026-05-01T07:00:00Z'))).toBe('2026-05-07');
    // Thanksgiving 2026 at Secaucus.
    expect(dispatchDay(secaucus, at('2026-11-26T14:00:00Z'))).toBe('2026-11-27');
  });

  it('reads the local date, not the UTC one', () => {
    // 06:30 UTC on 2 June is 23:30 on Monday 1 June in Reno: after the cut-off, so Tuesday.
    expect(localDateTime(at('2026-06-02T06:30:00Z'), reno.timezone)).toEqual({
      date: '2026-06-01',
      minutes: 1410,
    });
    expect(dispatchDay(reno, at('2026-06-02T06:30:00Z'))).toBe('2026-06-02');
    // 05:59 UTC is 14:59 in Narita, just inside its 15:00 cut-off.
    expect(dispatchDay(narita, at('2026-06-01T05:59:00Z'))).toBe('2026-06-01');
    expect(dispatchDay(narita, at('2026-06-01T06:00:00Z'))).toBe('2026-06-02');
  });
});

describe('nextCutoff', () => {
  it('is today while the cut-off is ahead', () => {
    expect(nextCutoff(paris, at('2026-03-30T10:00:00Z'))).toEqual({
      at: at('2026-03-30T12:00:00Z'),
      dispatchOn: '2026-03-30',
    });
  });

  it('skips past the weekend and a holiday once today has passed', () => {
    // Saturday 4 April 2026; Easter Monday is a holiday in France.
    expect(nextCutoff(paris, at('2026-04-04T10:00:00Z'))).toEqual({
      at: at('2026-04-07T12:00:00Z'),
      dispatchOn: '2026-04-07',
    });
    expect(nextCutoff(paris, at('2026-03-30T12:00:00Z')).dispatchOn).toBe('2026-03-31');
  });
});
