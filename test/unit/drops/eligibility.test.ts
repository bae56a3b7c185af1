import { describe, expect, it } from 'vitest';
import { CreateDropRequest, type CustomerTier, type Drop, newDrop } from '../../../lib/drops/drop.ts';
import {
  assertMayEnter,
  DropClosedError,
  DropLimitExceededError,
  DropNotEligibleError,
  DropNotOpenError,
  DropSkuUnknownError,
  type EntryAttempt,
  entryDecision,
} from '../../../lib/drops/eligibility.ts';
import { DomainError } from '../../../lib/errors.ts';
import type { Channel } from '../../../lib/inventory/stock.ts';

const GOLD_OPENS = '2026-09-01T09:00:00.000Z';
const OPENS = '2026-09-01T10:00:00.000Z';
const CLOSES = '2026-09-01T12:00:00.000Z';
const SKU = 'BAG-KELLY-25';

const dropWith = (overrides: Record<string, unknown> = {}): Drop =>
  newDrop(
    CreateDropRequest.parse({
      name: 'Kelly 25 in Rouge',
      items: [{ sku: SKU, locationId: 'tokyo-ginza', units: 12 }],
      window: { opensAt: OPENS, closesAt: CLOSES },
      channels: ['web', 'app'],
      earlyAccess: [{ tier: 'gold', opensAt: GOLD_OPENS }],
      perCustomerLimit: 2,
      mode: 'first_come',
      expectedArrivalsPerSecond: 200,
      ...overrides,
    }),
    { dropId: 'drp_kelly25', now: new Date('2026-08-01T00:00:00.000Z') },
  );

const drop = dropWith();
const vipOnly = dropWith({ eligibleTiers: ['gold', 'platinum'] });

const attempt = (overrides: Partial<Omit<EntryAttempt, 'now'>> & { now?: string } = {}): EntryAttempt => ({
  sku: SKU,
  quantity: 1,
  tier: 'standard',
  channel: 'web',
  ...overrides,
  now: new Date(overrides.now ?? OPENS),
});

const outcome = (target: Drop, at: EntryAttempt) => {
  const decision = entryDecision(target, at);
  return decision.ok ? 'ok' : decision.error.code;
};

describe('entryDecision', () => {
  describe('the window, at its exact instants', () => {
    it.each([
      ['standard', '2026-09-01T09:59:59.999Z', 'DROP_NOT_OPEN'],
      ['standard', OPENS, 'ok'],
      ['standard', '2026-09-01T11:59:59.999Z', 'ok'],
      ['standard', CLOSES, 'DROP_CLOSED'],
      ['standard', '2026-09-02T00:00:00.000Z', 'DROP_CLOSED'],
      ['silver', GOLD_OPENS, 'DROP_NOT_OPEN'],
      ['silver', OPENS, 'ok'],
      ['gold', '2026-09-01T08:59:59.999Z', 'DROP_NOT_OPEN'],
      ['gold', GOLD_OPENS, 'ok'],
      ['gold', '2026-09-01T11:59:59.999Z', 'ok'],
      ['gold', CLOSES, 'DROP_CLOSED'],
      ['platinum', '2026-09-01T08:59:59.999Z', 'DROP_NOT_OPEN'],
      ['platinum', GOLD_OPENS, 'ok'],
    ] as [CustomerTier, string, string][])('a %s client at %s: %s', (tier, now, expected) => {
      expect(outcome(drop, attempt({ tier, now }))).toBe(expected);
    });
  });

  it('tells a caller who is early when their tier opens', () => {
    const cases: [CustomerTier, string][] = [
      ['standard', OPENS],
      ['silver', OPENS],
      ['gold', GOLD_OPENS],
      ['platinum', GOLD_OPENS],
    ];
    for (const [tier, opensAt] of cases) {
      const decision = entryDecision(drop, attempt({ tier, now: '2026-09-01T08:00:00.000Z' }));
      expect(decision.ok).toBe(false);
      if (decision.ok) continue;
      expect(decision.error).toBeInstanceOf(DropNotOpenError);
      expect(decision.error.status).toBe(409);
      expect(decision.error.details).toEqual({ dropId: 'drp_kelly25', opensAt });
    }
  });

  it('answers the instant the caller’s tier opened', () => {
    expect(entryDecision(drop, attempt({ tier: 'gold', now: OPENS }))).toEqual({
      ok: true,
      opensAt: GOLD_OPENS,
    });
  });

  describe('the limit per customer', () => {
    it.each([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'DROP_LIMIT_EXCEEDED'],
      [0, 'VALIDATION_FAILED'],
      [1.5, 'VALIDATION_FAILED'],
    ])('%d units: %s', (quantity, expected) => {
      expect(outcome(drop, attempt({ quantity }))).toBe(expected);
    });
  });

  describe('tiers and channels', () => {
    it.each([
      ['standard', 'web', 'DROP_NOT_ELIGIBLE'],
      ['silver', 'web', 'DROP_NOT_ELIGIBLE'],
      ['gold', 'web', 'ok'],
      ['platinum', 'app', 'ok'],
      ['gold', 'boutique', 'DROP_NOT_ELIGIBLE'],
      ['gold', 'instagram', 'DROP_NOT_ELIGIBLE'],
    ] as [CustomerTier, Channel, string][])('a %s client on %s: %s', (tier, channel, expected) => {
      expect(outcome(vipOnly, attempt({ tier, channel }))).toBe(expected);
    });

    it('says whether the tier or the channel is the reason', () => {
      const byTier = entryDecision(vipOnly, attempt({ tier: 'standard' }));
      const byChannel = entryDecision(drop, attempt({ channel: 'wechat' }));
      expect(byTier.ok || byTier.error).toBeInstanceOf(DropNotEligibleError);
      expect(byTier.ok || byTier.error.details).toEqual({ dropId: 'drp_kelly25', reason: 'tier' });
      expect(byChannel.ok || byChannel.error.details).toEqual({ dropId: 'drp_kelly25', reason: 'channel' });
      expect(byChannel.ok || byChannel.error.status).toBe(403);
    });
  });

  it('refuses a SKU the drop does not sell', () => {
    const decision = entryDecision(drop, attempt({ sku: 'BAG-BIRKIN-30' }));
    expect(decision.ok || decision.error).toBeInstanceOf(DropSkuUnknownError);
    expect(decision.ok || decision.error.status).toBe(422);
  });

  it.each([
    ['an unknown SKU before a limit', { sku: 'BAG-BIRKIN-30', quantity: 9 }, 'DROP_SKU_UNKNOWN'],
    ['a limit before ineligibility', { quantity: 9, channel: 'boutique' as Channel }, 'DROP_LIMIT_EXCEEDED'],
    [
      'ineligibility before a closed window',
      { channel: 'boutique' as Channel, now: CLOSES },
      'DROP_NOT_ELIGIBLE',
    ],
    [
      'ineligibility before an unopened window',
      { channel: 'boutique' as Channel, now: GOLD_OPENS },
      'DROP_NOT_ELIGIBLE',
    ],
    ['a limit before an unopened window', { quantity: 3, now: GOLD_OPENS }, 'DROP_LIMIT_EXCEEDED'],
  ])('reports %s', (_what, overrides, expected) => {
    expect(outcome(drop, attempt(overrides))).toBe(expected);
  });
});

describe('assertMayEnter', () => {
  it('throws the typed error the HTTP middleware maps', () => {
    const cases: [EntryAttempt, new (...args: never[]) => DomainError, string, number][] = [
      [attempt({ now: GOLD_OPENS }), DropNotOpenError, 'DROP_NOT_OPEN', 409],
      [attempt({ now: CLOSES }), DropClosedError, 'DROP_CLOSED', 409],
      [attempt({ channel: 'tiktok' }), DropNotEligibleError, 'DROP_NOT_ELIGIBLE', 403],
      [attempt({ quantity: 5 }), DropLimitExceededError, 'DROP_LIMIT_EXCEEDED', 422],
      [attempt({ sku: 'BAG-BIRKIN-30' }), DropSkuUnknownError, 'DROP_SKU_UNKNOWN', 422],
    ];
    for (const [at, type, code, status] of cases) {
      let thrown: unknown;
      try {
        assertMayEnter(drop, at);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(type);
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ code, status });
    }
    expect(() => assertMayEnter(drop, attempt())).not.toThrow();
  });
});
