import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seedHash } from '../../../lib/drops/draw.ts';
import {
  CreateDropRequest,
  customerTier,
  Drop,
  DropEntry,
  DropEntryRequest,
  DropView,
  dropState,
  dropView,
  entrantKey,
  MAX_DROP_ITEMS,
  newDrop,
  newDropId,
  payByFor,
  paymentMethodKey,
  paymentMethodLimitOf,
  remainingBand,
  tierOpensAt,
} from '../../../lib/drops/drop.ts';
import { ValidationError } from '../../../lib/errors.ts';
import { dropFenceKey, FenceKey } from '../../../lib/inventory/stock.ts';

const OPENS = '2026-09-01T10:00:00.000Z';
const CLOSES = '2026-09-01T12:00:00.000Z';
const GOLD_OPENS = '2026-09-01T09:00:00.000Z';
const SEED = 'ab'.repeat(32);

const body = (overrides: Record<string, unknown> = {}) => ({
  name: 'Tourbillon Nocturne',
  items: [
    { sku: 'WATCH-NOCT-01', locationId: 'paris-rue-de-la-paix', units: 300 },
    { sku: 'WATCH-NOCT-02', locationId: 'paris-rue-de-la-paix', units: 5 },
  ],
  window: { opensAt: OPENS, closesAt: CLOSES },
  channels: ['web', 'app'],
  earlyAccess: [{ tier: 'gold', opensAt: GOLD_OPENS }],
  perCustomerLimit: 1,
  mode: 'first_come',
  expectedArrivalsPerSecond: 1_000,
  ...overrides,
});

const issues = (input: unknown): string[] => {
  const parsed = CreateDropRequest.safeParse(input);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

const request = (overrides: Record<string, unknown> = {}) => CreateDropRequest.parse(body(overrides));
const created = (overrides: Record<string, unknown> = {}, seed?: string) =>
  newDrop(request(overrides), {
    dropId: 'drp_nocturne',
    now: new Date('2026-08-01T00:00:00.000Z'),
    ...(seed ? { seed } : {}),
  });

describe('CreateDropRequest', () => {
  it('accepts a drop and fills in the defaults', () => {
    const parsed = request({ earlyAccess: undefined });
    expect(parsed.payWithinMinutes).toBe(30);
    expect(parsed.earlyAccess).toEqual([]);
  });

  it.each([
    ['the top level', { extra: 1 }],
    ['an item', { items: [{ sku: 'WATCH-NOCT-01', locationId: 'paris', units: 1, price: 1 }] }],
    ['the window', { window: { opensAt: OPENS, closesAt: CLOSES, timezone: 'CET' } }],
    ['an early access', { earlyAccess: [{ tier: 'gold', opensAt: GOLD_OPENS, note: 'vip' }] }],
  ])('rejects unknown keys in %s', (_where, overrides) => {
    expect(issues(body(overrides)).join('\n')).toMatch(/unrecognized/i);
  });

  it.each([
    [
      'a window that closes when it opens',
      { window: { opensAt: OPENS, closesAt: OPENS } },
      'window.closesAt',
    ],
    [
      'a window that closes before it opens',
      { window: { opensAt: CLOSES, closesAt: OPENS } },
      'window.closesAt',
    ],
    [
      'early access at the opening',
      { earlyAccess: [{ tier: 'gold', opensAt: OPENS }] },
      'earlyAccess.0.opensAt',
    ],
    [
      'early access after the opening',
      { earlyAccess: [{ tier: 'gold', opensAt: CLOSES }] },
      'earlyAccess.0.opensAt',
    ],
    [
      'early access for standard',
      { earlyAccess: [{ tier: 'standard', opensAt: GOLD_OPENS }] },
      'earlyAccess.0.tier',
    ],
    [
      'early access for an ineligible tier',
      { eligibleTiers: ['platinum'], earlyAccess: [{ tier: 'gold', opensAt: GOLD_OPENS }] },
      'earlyAccess.0.tier',
    ],
    [
      'two early accesses for one tier',
      {
        earlyAccess: [
          { tier: 'gold', opensAt: GOLD_OPENS },
          { tier: 'gold', opensAt: GOLD_OPENS },
        ],
      },
      'earlyAccess',
    ],
    ['a limit of zero', { perCustomerLimit: 0 }, 'perCustomerLimit'],
    ['a fractional limit', { perCustomerLimit: 1.5 }, 'perCustomerLimit'],
    ['no items', { items: [] }, 'items'],
    [
      'too many items',
      {
        items: Array.from({ length: MAX_DROP_ITEMS + 1 }, (_, i) => ({
          sku: `SKU-${String(i).padStart(3, '0')}`,
          locationId: 'paris',
          units: 1,
        })),
      },
      'items',
    ],
    ['zero units', { items: [{ sku: 'WATCH-NOCT-01', locationId: 'paris', units: 0 }] }, 'items.0.units'],
    [
      'a SKU listed twice',
      {
        items: [
          { sku: 'WATCH-NOCT-01', locationId: 'paris', units: 1 },
          { sku: 'WATCH-NOCT-01', locationId: 'milan', units: 1 },
        ],
      },
      'items',
    ],
    ['no channels', { channels: [] }, 'channels'],
    ['an unknown channel', { channels: ['fax'] }, 'channels.0'],
    ['a channel listed twice', { channels: ['web', 'web'] }, 'channels'],
    ['an unknown tier', { eligibleTiers: ['diamond'] }, 'eligibleTiers.0'],
    ['an unknown mode', { mode: 'auction' }, 'mode'],
    ['no expected rate', { expectedArrivalsPerSecond: 0 }, 'expectedArrivalsPerSecond'],
    [
      'a local time without offset',
      { window: { opensAt: '2026-09-01T10:00:00', closesAt: CLOSES } },
      'window.opensAt',
    ],
  ])('rejects %s', (_what, overrides, path) => {
    const found = issues(body(overrides));
    expect(found.some((issue) => issue.startsWith(`${path}:`))).toBe(true);
  });
});

describe('newDrop', () => {
  it('sizes shards per item and chooses the admission for a first-come drop', () => {
    const drop = created();
    expect(drop.items).toEqual([
      { sku: 'WATCH-NOCT-01', locationId: 'paris-rue-de-la-paix', units: 300, shards: 3 },
      { sku: 'WATCH-NOCT-02', locationId: 'paris-rue-de-la-paix', units: 5, shards: 3 },
    ]);
    expect(drop).toMatchObject({ admission: 'direct', soldOut: false, version: 1, payWithinMinutes: 30 });
    expect(drop.seedHash).toBeUndefined();
    expect(Drop.parse(drop)).toEqual(drop);
  });

  it('queues a burst its smallest item cannot serve', () => {
    expect(created({ expectedArrivalsPerSecond: 5_000 }).admission).toBe('queue');
  });

  it('commits to the seed of a draw, keeps the seed itself out and needs no shards', () => {
    const drop = created({ mode: 'draw', expectedArrivalsPerSecond: 50_000 }, SEED);
    expect(drop.seedHash).toBe(seedHash(SEED));
    expect(drop.seed).toBeUndefined();
    expect(drop.admission).toBe('direct');
    expect(drop.items.every((item) => item.shards === 0)).toBe(true);
  });

  it('refuses a draw without a seed and a window that has closed', () => {
    expect(() => created({ mode: 'draw' })).toThrow(ValidationError);
    expect(() => newDrop(request(), { dropId: 'drp_nocturne', now: new Date(CLOSES) })).toThrow(
      ValidationError,
    );
  });

  it('refuses a malformed drop id', () => {
    expect(() => newDrop(request(), { dropId: 'DRP_UPPER', now: new Date(0) })).toThrow();
  });

  it('limits a payment method to the per-customer limit unless the request allows it more', () => {
    expect(created({ perCustomerLimit: 2 }).perPaymentMethodLimit).toBe(2);
    expect(created({ perCustomerLimit: 2, perPaymentMethodLimit: 6 }).perPaymentMethodLimit).toBe(6);
    expect(issues(body({ perCustomerLimit: 2, perPaymentMethodLimit: 1 }))).toEqual([
      'perPaymentMethodLimit: must be at least perCustomerLimit: one customer pays with one payment method',
    ]);
    // A drop stored before the limit existed counts its per-customer limit.
    const { perPaymentMethodLimit: _absent, ...older } = created({ perCustomerLimit: 3 });
    expect(paymentMethodLimitOf(Drop.parse(older))).toBe(3);
  });
});

describe('paymentMethodKey', () => {
  it('is sha256 of drop id and fingerprint: no fingerprint stored, unrelated across drops', () => {
    const key = paymentMethodKey('drp_nocturne', 'Xt5EWLLDS7FJjR1c');
    expect(key).toBe(createHash('sha256').update('drp_nocturne\nXt5EWLLDS7FJjR1c').digest('hex'));
    expect(key).not.toContain('Xt5EWLLDS7FJjR1c');
    expect(paymentMethodKey('drp_other', 'Xt5EWLLDS7FJjR1c')).not.toBe(key);
  });
});

describe('newDropId', () => {
  it('makes ids whose fence key is a valid, unique attribute name', () => {
    const a = newDropId();
    expect(a).toMatch(/^drp_[0-9a-f]{32}$/);
    expect(newDropId()).not.toBe(a);
    expect(FenceKey.safeParse(dropFenceKey(a)).success).toBe(true);
  });
});

describe('entrantKey', () => {
  it('is sha256 of drop id and subject, one line each, and differs per drop', () => {
    const key = entrantKey('drp_nocturne', 'user-123');
    expect(key).toBe(createHash('sha256').update('drp_nocturne\nuser-123').digest('hex'));
    expect(key).not.toContain('user-123');
    expect(entrantKey('drp_other', 'user-123')).not.toBe(key);
  });
});

describe('customerTier', () => {
  it.each([
    ['gold', 'gold'],
    ['platinum', 'platinum'],
    [undefined, 'standard'],
    ['', 'standard'],
    ['GOLD', 'standard'],
    ['diamond', 'standard'],
    [42, 'standard'],
  ])('reads %j as %s', (claim, tier) => {
    expect(customerTier(claim)).toBe(tier);
  });
});

describe('remainingBand', () => {
  it.each([
    [0, 300, 'sold_out'],
    [-2, 300, 'sold_out'],
    [1, 1, 'few'],
    [3, 300, 'few'],
    [30, 300, 'few'],
    [31, 300, 'limited'],
    [150, 300, 'limited'],
    [151, 300, 'plenty'],
    [300, 300, 'plenty'],
    [4, 5, 'plenty'],
    [4, 8, 'limited'],
  ])('calls %d of %d left %s', (remaining, total, band) => {
    expect(remainingBand(remaining, total)).toBe(band);
  });
});

describe('tierOpensAt', () => {
  const drop = created({
    earlyAccess: [
      { tier: 'gold', opensAt: GOLD_OPENS },
      { tier: 'silver', opensAt: '2026-09-01T09:30:00.000Z' },
    ],
  });

  it.each([
    ['standard', OPENS],
    ['silver', '2026-09-01T09:30:00.000Z'],
    ['gold', GOLD_OPENS],
    ['platinum', GOLD_OPENS],
  ] as const)('opens for %s at %s; a higher tier is never let in later than a lower one', (tier, opensAt) => {
    expect(tierOpensAt(drop, tier)).toBe(opensAt);
  });
});

describe('dropState', () => {
  const drop = created();

  it.each([
    ['2026-09-01T08:59:59.999Z', 'scheduled'],
    [GOLD_OPENS, 'early_access'],
    ['2026-09-01T09:59:59.999Z', 'early_access'],
    [OPENS, 'open'],
    ['2026-09-01T11:59:59.999Z', 'open'],
    [CLOSES, 'closed'],
  ])('at %s is %s', (now, state) => {
    expect(dropState(drop, new Date(now))).toBe(state);
  });

  it('is sold out once flagged, or once no item has units left', () => {
    expect(dropState({ ...drop, soldOut: true }, new Date(OPENS))).toBe('sold_out');
    expect(dropState(drop, new Date(OPENS), { 'WATCH-NOCT-01': 0, 'WATCH-NOCT-02': 0 })).toBe('sold_out');
    expect(dropState(drop, new Date(OPENS), { 'WATCH-NOCT-01': 0 })).toBe('open');
  });

  it('is drawn once a draw has run', () => {
    const draw = created({ mode: 'draw' }, SEED);
    expect(dropState(draw, new Date(CLOSES))).toBe('closed');
    expect(dropState({ ...draw, seed: SEED, drawnAt: CLOSES }, new Date(CLOSES))).toBe('drawn');
  });
});

describe('dropView', () => {
  const drop = created({ eligibleTiers: ['silver', 'gold', 'platinum'] });

  it('shows stock in bands, never in counts', () => {
    const view = dropView(drop, {
      now: new Date(OPENS),
      remaining: { 'WATCH-NOCT-01': 17, 'WATCH-NOCT-02': 5 },
    });
    expect(view.items).toEqual([
      { sku: 'WATCH-NOCT-01', remaining: 'few' },
      { sku: 'WATCH-NOCT-02', remaining: 'plenty' },
    ]);
    expect(JSON.stringify(view)).not.toMatch(/\b(17|300)\b/);
    expect(view).not.toHaveProperty('items.0.units');
    expect(view.state).toBe('open');
    expect(DropView.parse(view)).toEqual(view);
  });

  it('reports every item sold out once the drop is flagged', () => {
    const view = dropView({ ...drop, soldOut: true }, { now: new Date(OPENS) });
    expect(view.items.map((item) => item.remaining)).toEqual(['sold_out', 'sold_out']);
    expect(view.state).toBe('sold_out');
  });

  it('tells a signed-in caller whether and when they may enter', () => {
    const now = new Date(GOLD_OPENS);
    expect(dropView(drop, { now, caller: { tier: 'gold', channel: 'web' } }).eligibility).toEqual({
      eligible: true,
      opensAt: GOLD_OPENS,
    });
    expect(dropView(drop, { now, caller: { tier: 'standard', channel: 'web' } }).eligibility).toEqual({
      eligible: false,
      reason: 'tier',
      opensAt: OPENS,
    });
    expect(dropView(drop, { now, caller: { tier: 'gold', channel: 'boutique' } }).eligibility).toMatchObject({
      eligible: false,
      reason: 'channel',
    });
    expect(dropView(drop, { now })).not.toHaveProperty('eligibility');
  });

  it('publishes the seed hash at once and the seed only after the draw', () => {
    const draw = created({ mode: 'draw' }, SEED);
    const before = dropView({ ...draw, seed: SEED }, { now: new Date(OPENS) });
    expect(before.seedHash).toBe(seedHash(SEED));
    expect(before).not.toHaveProperty('seed');
    const after = dropView({ ...draw, seed: SEED, drawnAt: CLOSES }, { now: new Date(CLOSES) });
    expect(after).toMatchObject({ state: 'drawn', seed: SEED, seedHash: seedHash(SEED), drawnAt: CLOSES });
  });
});

describe('DropEntry and DropEntryRequest', () => {
  it('stores an entry without personal data', () => {
    const entry = DropEntry.parse({
      entrantKey: entrantKey('drp_nocturne', 'user-123'),
      dropId: 'drp_nocturne',
      sku: 'WATCH-NOCT-01',
      quantity: 1,
      zone: 'eu',
      tier: 'gold',
      status: 'won',
      arrivedAt: OPENS,
      payBy: payByFor(created(), new Date(OPENS)),
      shard: 2,
    });
    expect(entry.payBy).toBe('2026-09-01T10:30:00.000Z');
  });

  it('takes one unit by default and rejects unknown keys', () => {
    expect(DropEntryRequest.parse({ sku: 'WATCH-NOCT-01', channel: 'app' })).toEqual({
      sku: 'WATCH-NOCT-01',
      quantity: 1,
      channel: 'app',
    });
    expect(
      DropEntryRequest.safeParse({ sku: 'WATCH-NOCT-01', channel: 'app', tier: 'platinum' }).success,
    ).toBe(false);
    expect(DropEntryRequest.safeParse({ sku: 'WATCH-NOCT-01', channel: 'app', quantity: 0 }).success).toBe(
      false,
    );
  });
});
