import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Sku, Slug } from '../contracts/catalog.ts';
import { ValidationError } from '../errors.ts';
import { Channel, Zone } from '../inventory/stock.ts';
import { seedHash } from './draw.ts';
import { admissionFor, shardCount } from './shards.ts';

/**
 * A drop's id: `drp_` and lower-case letters or digits. Lower case only, because the drop's fence key
 * ({@link dropFenceKey} in `lib/inventory/stock.ts`) folds case, and two ids that differ only in case
 * would share one fence.
 */
export const DropId = z
  .string()
  .regex(/^drp_[a-z0-9]{4,40}$/, 'a drop id is "drp_" and 4 to 40 lower-case letters or digits');
export type DropId = z.infer<typeof DropId>;

/** A new, unguessable drop id (128 random bits). */
export function newDropId(): string {
  return `drp_${randomBytes(16).toString('hex')}`;
}

/** A lower-case hex SHA-256 digest (entrant keys, seed hashes). */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex');

/** A draw's secret seed: 32 bytes in lower-case hex, published only after the draw. */
export const DrawSeed = z.string().regex(/^[0-9a-f]{64}$/, '32 bytes in lower-case hex');

/**
 * A customer's loyalty tier, from the access token claim `custom:tier`. Ordered from lowest to highest:
 * a higher tier never enters a drop later than a lower one (see {@link tierOpensAt}).
 */
export const CustomerTier = z.enum(['standard', 'silver', 'gold', 'platinum']);
export type CustomerTier = z.infer<typeof CustomerTier>;

const TIER_RANK: Readonly<Record<CustomerTier, number>> = { standard: 0, silver: 1, gold: 2, platinum: 3 };

/**
 * The tier a token claim names. A missing or unknown value is `standard`: a malformed claim must never
 * grant early access.
 */
export function customerTier(claim: unknown): CustomerTier {
  const parsed = CustomerTier.safeParse(claim);
  return parsed.success ? parsed.data : 'standard';
}

/** `first_come`: units go to the first claims that reach a shard. `draw`: entries in the window, winners drawn at close. */
export const DropMode = z.enum(['first_come', 'draw']);
export type DropMode = z.infer<typeof DropMode>;

/**
 * How a first-come entry is answered: `direct` claims a shard inside the request and answers won or lost;
 * `queue` records the entry as `queued` (with an outbox event) and answers 202, and an admitter claims in
 * arrival order. Chosen by {@link admissionFor}; draw drops are always `direct` (an entry is a
 * conditional put on its own item, nothing is hot).
 */
export const DropAdmission = z.enum(['direct', 'queue']);
export type DropAdmission = z.infer<typeof DropAdmission>;

/** At most this many items (SKU at a location) in one drop. */
export const MAX_DROP_ITEMS = 50;
/** Most units one item may put into a drop (the reservation line limit). */
export const MAX_DROP_ITEM_UNITS = 10_000;
/** Highest per-customer limit a drop may set. */
export const MAX_PER_CUSTOMER_LIMIT = 100;
/** Highest per-payment-method limit a drop may set (a boutique's corporate card, say). */
export const MAX_PER_PAYMENT_METHOD_LIMIT = 1_000;
/** Minutes a winner has to pay when the request names none. */
export const DEFAULT_PAY_WITHIN_MINUTES = 30;

const Instant = z.iso.datetime();
const ItemUnits = z.number().int().min(1).max(MAX_DROP_ITEM_UNITS);

/** When a drop opens to everyone and when it stops taking entries (`closesAt` itself is closed). */
export const DropWindow = z.strictObject({ opensAt: Instant, closesAt: Instant });
export type DropWindow = z.infer<typeof DropWindow>;

/** A tier that enters before the window opens. Higher tiers inherit it (see {@link tierOpensAt}). */
export const EarlyAccess = z.strictObject({ tier: CustomerTier, opensAt: Instant });
export type EarlyAccess = z.infer<typeof EarlyAccess>;

/**
 * A SKU at a location whose `units` are ring-fenced for the drop (`dropFenceKey(dropId)`). `shards`: the
 * stock items a first-come claim writes to (`DROPSHARD#<dropId>#<sku>` / `SHARD#<i>`, units split by
 * `splitUnits`); 0 for a draw drop, which keeps no shard items (the draw hands out units, the checkout
 * takes them from the fence).
 */
export const DropItem = z.strictObject({
  sku: Sku,
  locationId: Slug,
  units: ItemUnits,
  shards: z.number().int().min(0).max(1000),
});
export type DropItem = z.infer<typeof DropItem>;

/**
 * A drop as stored (inventory table, in the home region of its items' locations). It holds no personal
 * data. `seedHash` (draw drops) is published at creation; `seed` stays out of the item until the draw
 * has run, and `drawnAt` says when it ran. `soldOut` is set once every shard refused a claim; handlers
 * then answer new entries `lost` without writing.
 */
export const Drop = z
  .object({
    dropId: DropId,
    name: z.string().min(1).max(200),
    items: z.array(DropItem).min(1).max(MAX_DROP_ITEMS),
    window: DropWindow,
    channels: z.array(Channel).min(1),
    earlyAccess: z.array(EarlyAccess).default([]),
    eligibleTiers: z.array(CustomerTier).min(1).optional(),
    perCustomerLimit: z.number().int().min(1).max(MAX_PER_CUSTOMER_LIMIT),
    /** Absent on drops from before the limit: those count `perCustomerLimit` (see {@link paymentMethodLimitOf}). */
    perPaymentMethodLimit: z.number().int().min(1).max(MAX_PER_PAYMENT_METHOD_LIMIT).optional(),
    mode: DropMode,
    expectedArrivalsPerSecond: z.number().positive(),
    payWithinMinutes: z.number().int().min(1).max(1440),
    admission: DropAdmission,
    seedHash: Sha256Hex.optional(),
    seed: DrawSeed.optional(),
    drawnAt: Instant.optional(),
    soldOut: z.boolean().default(false),
    /** When the scheduler finished with the drop; its fence is kept empty from then on. */
    settledAt: Instant.optional(),
    createdAt: Instant,
    version: z.number().int().min(1),
  })
  .meta({ id: 'Drop' });
export type Drop = z.infer<typeof Drop>;

/**
 * Where an entry stands:
 * - `queued`: first-come under `queue` admission, waiting for the admitter;
 * - `entered`: draw drop, before the draw;
 * - `won`: holds units until `payBy`; `purchased`: a paid order took them;
 * - `lost`: first-come, nothing left; `waitlisted`: draw, not (yet) drawn; gets a released hold in rank
 *   order; `expired`: won, did not pay by `payBy`.
 */
export const DropEntryStatus = z.enum([
  'queued',
  'entered',
  'won',
  'purchased',
  'lost',
  'waitlisted',
  'expired',
]);
export type DropEntryStatus = z.infer<typeof DropEntryStatus>;

/**
 * One customer's entry in a drop, keyed by {@link entrantKey}, never by the customer's subject: the
 * inventory table is global and holds no personal data, so the entry keeps only the customer's
 * residency zone (where their checkout lives) and tier. `shard`: the shard a first-come claim took its
 * units from; `drawRank`: the entrant's place in the draw (1 = first drawn).
 */
export const DropEntry = z
  .object({
    entrantKey: Sha256Hex,
    dropId: DropId,
    sku: Sku,
    quantity: z.number().int().min(1).max(MAX_PER_CUSTOMER_LIMIT),
    zone: Zone,
    tier: CustomerTier,
    status: DropEntryStatus,
    arrivedAt: Instant,
    payBy: Instant.optional(),
    checkoutId: z.string().min(1).max(128).optional(),
    shard: z.number().int().min(0).optional(),
    drawRank: z.number().int().min(1).optional(),
  })
  .meta({ id: 'DropEntry' });
export type DropEntry = z.infer<typeof DropEntry>;

/**
 * The key an entry is stored under: sha256 of `dropId + '\n' + sub`, in hex. One per customer and drop
 * (a second entry fails a conditional write); it cannot be turned back into the subject.
 */
export function entrantKey(dropId: string, sub: string): string {
  return createHash('sha256').update(`${dropId}\n${sub}`).digest('hex');
}

/** One entry as the draw sees it, and as it is published for verification (no personal data). */
export const DrawEntrant = z.strictObject({
  entrantKey: z.string().min(1).max(128),
  tier: CustomerTier,
  quantity: z.number().int().min(1).max(MAX_PER_CUSTOMER_LIMIT),
});
export type DrawEntrant = z.infer<typeof DrawEntrant>;

/** Draw weight per tier: an entrant of weight w holds w tickets (see `runDraw`). */
export const TierWeights = z.strictObject({
  standard: z.number().int().min(1).max(64),
  silver: z.number().int().min(1).max(64),
  gold: z.number().int().min(1).max(64),
  platinum: z.number().int().min(1).max(64),
});
export type TierWeights = z.infer<typeof TierWeights>;

/**
 * Everything needed to re-run one item's draw (`verifyDraw`): the committed hash, the revealed seed, the
 * units, the weights and the entry list, and the outcome to check, entrant keys in rank order.
 */
export const PublishedDraw = z
  .strictObject({
    dropId: DropId,
    sku: Sku,
    seedHash: Sha256Hex,
    seed: DrawSeed,
    units: z.number().int().min(0).max(MAX_DROP_ITEM_UNITS),
    tierWeights: TierWeights,
    entries: z.array(DrawEntrant),
    winners: z.array(z.string()),
    waitlist: z.array(z.string()).optional(),
  })
  .meta({ id: 'PublishedDraw' });
export type PublishedDraw = z.infer<typeof PublishedDraw>;

/** Body of `POST /v1/drops/{dropId}/entries`. */
export const DropEntryRequest = z
  .strictObject({
    sku: Sku,
    quantity: z.number().int().min(1).max(MAX_PER_CUSTOMER_LIMIT).default(1),
    channel: Channel.describe('The storefront channel the shopper enters through'),
  })
  .meta({ id: 'DropEntryRequest' });
export type DropEntryRequest = z.infer<typeof DropEntryRequest>;

const at = (instant: string): number => Date.parse(instant);

function duplicates<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const repeated = new Set<T>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated];
}

/** Body of `POST /v1/admin/drops`. Strict at every depth; cross-field rules are checked here too. */
export const CreateDropRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    items: z
      .array(z.strictObject({ sku: Sku, locationId: Slug, units: ItemUnits }))
      .min(1)
      .max(MAX_DROP_ITEMS)
      .describe('Each SKU at most once; its units are ring-fenced at that location for the drop'),
    window: DropWindow,
    channels: z.array(Channel).min(1).max(Channel.options.length),
    earlyAccess: z.array(EarlyAccess).max(CustomerTier.options.length).default([]),
    eligibleTiers: z.array(CustomerTier).min(1).max(CustomerTier.options.length).optional(),
    perCustomerLimit: z.number().int().min(1).max(MAX_PER_CUSTOMER_LIMIT),
    perPaymentMethodLimit: z
      .number()
      .int()
      .min(1)
      .max(MAX_PER_PAYMENT_METHOD_LIMIT)
      .optional()
      .describe(
        'Units one payment method (a card, by its fingerprint) may pay for in this drop, whichever ' +
          'accounts use it; at least perCustomerLimit, which is also the default',
      ),
    mode: DropMode,
    expectedArrivalsPerSecond: z
      .number()
      .positive()
      .max(1_000_000)
      .describe('Peak entries per second expected; sizes the stock shards and chooses the admission'),
    payWithinMinutes: z.number().int().min(1).max(1440).default(DEFAULT_PAY_WITHIN_MINUTES),
  })
  .superRefine((body, ctx) => {
    const opensAt = at(body.window.opensAt);
    if (!(opensAt < at(body.window.closesAt))) {
      ctx.addIssue({ code: 'custom', path: ['window', 'closesAt'], message: 'must be after window.opensAt' });
    }
    if (body.perPaymentMethodLimit !== undefined && body.perPaymentMethodLimit < body.perCustomerLimit) {
      ctx.addIssue({
        code: 'custom',
        path: ['perPaymentMethodLimit'],
        message: 'must be at least perCustomerLimit: one customer pays with one payment method',
      });
    }
    for (const sku of duplicates(body.items.map((item) => item.sku))) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: `SKU ${sku} appears more than once` });
    }
    for (const channel of duplicates(body.channels)) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels'],
        message: `channel ${channel} appears more than once`,
      });
    }
    for (const tier of duplicates(body.eligibleTiers ?? [])) {
      ctx.addIssue({
        code: 'custom',
        path: ['eligibleTiers'],
        message: `tier ${tier} appears more than once`,
      });
    }
    for (const tier of duplicates(body.earlyAccess.map((early) => early.tier))) {
      ctx.addIssue({ code: 'custom', path: ['earlyAccess'], message: `tier ${tier} appears more than once` });
    }
    body.earlyAccess.forEach((early, i) => {
      if (!(at(early.opensAt) < opensAt)) {
        ctx.addIssue({
          code: 'custom',
          path: ['earlyAccess', i, 'opensAt'],
          message: 'early access must open before window.opensAt',
        });
      }
      if (early.tier === 'standard') {
        ctx.addIssue({
          code: 'custom',
          path: ['earlyAccess', i, 'tier'],
          message: 'standard is everyone: open the window earlier instead',
        });
      }
      if (body.eligibleTiers && !body.eligibleTiers.includes(early.tier)) {
        ctx.addIssue({
          code: 'custom',
          path: ['earlyAccess', i, 'tier'],
          message: `tier ${early.tier} is not in eligibleTiers`,
        });
      }
    });
  })
  .meta({ id: 'CreateDropRequest' });
export type CreateDropRequest = z.infer<typeof CreateDropRequest>;

/**
 * The drop a valid {@link CreateDropRequest} describes, version 1: shards sized per item
 * ({@link shardCount}), admission chosen ({@link admissionFor}) and, for a draw, the hash of its secret
 * seed committed. The caller keeps `seed` (from `newSeed()`) out of the drop item until the draw.
 * @throws ValidationError when the window has already closed, or a draw has no seed
 */
export function newDrop(
  request: CreateDropRequest,
  context: { readonly dropId: string; readonly now: Date; readonly seed?: string },
): Drop {
  if (at(request.window.closesAt) <= context.now.getTime()) {
    throw new ValidationError('The drop window has already closed', { closesAt: request.window.closesAt });
  }
  if (request.mode === 'draw' && context.seed === undefined) {
    throw new ValidationError('A draw drop needs a seed to commit to');
  }
  const items = request.items.map((item) => ({
    sku: item.sku,
    locationId: item.locationId,
    units: item.units,
    shards: request.mode === 'first_come' ? shardCount(request.expectedArrivalsPerSecond, item.units) : 0,
  }));
  const drop: Drop = {
    dropId: DropId.parse(context.dropId),
    name: request.name,
    items,
    window: { opensAt: request.window.opensAt, closesAt: request.window.closesAt },
    channels: [...request.channels],
    earlyAccess: request.earlyAccess.map((early) => ({ tier: early.tier, opensAt: early.opensAt })),
    ...(request.eligibleTiers ? { eligibleTiers: [...request.eligibleTiers] } : {}),
    perCustomerLimit: request.perCustomerLimit,
    perPaymentMethodLimit: request.perPaymentMethodLimit ?? request.perCustomerLimit,
    mode: request.mode,
    expectedArrivalsPerSecond: request.expectedArrivalsPerSecond,
    payWithinMinutes: request.payWithinMinutes,
    admission: 'direct',
    ...(request.mode === 'draw' && context.seed !== undefined ? { seedHash: seedHash(context.seed) } : {}),
    soldOut: false,
    createdAt: context.now.toISOString(),
    version: 1,
  };
  drop.admission = admissionFor(drop);
  return drop;
}

/** The item of a drop that sells a SKU, if any. */
export function dropItem(drop: Pick<Drop, 'items'>, sku: string): DropItem | undefined {
  return drop.items.find((item) => item.sku === sku);
}

/**
 * When a tier may enter: the earliest early access of that tier or any lower one (a platinum client is
 * never let in after gold), else the window's `opensAt`.
 */
export function tierOpensAt(drop: Pick<Drop, 'window' | 'earlyAccess'>, tier: CustomerTier): string {
  let opensAt = drop.window.opensAt;
  for (const early of drop.earlyAccess) {
    if (TIER_RANK[early.tier] <= TIER_RANK[tier] && at(early.opensAt) < at(opensAt)) opensAt = early.opensAt;
  }
  return opensAt;
}

/** Why a caller may not enter a drop at any time: their tier, or the channel they came through. */
export const IneligibilityReason = z.enum(['tier', 'channel']);
export type IneligibilityReason = z.infer<typeof IneligibilityReason>;

/** Whether a tier on a channel may ever enter the drop (time aside), and if not, why. */
export function ineligibility(
  drop: Pick<Drop, 'eligibleTiers' | 'channels'>,
  caller: { readonly tier: CustomerTier; readonly channel: Channel },
): IneligibilityReason | undefined {
  if (drop.eligibleTiers && !drop.eligibleTiers.includes(caller.tier)) return 'tier';
  if (!drop.channels.includes(caller.channel)) return 'channel';
  return undefined;
}

/**
 * Stock left, in coarse bands: exact counts would tell bots and resellers how hard to push, and
 * sharded counts are only approximate anyway.
 */
export const RemainingBand = z.enum(['plenty', 'limited', 'few', 'sold_out']);
export type RemainingBand = z.infer<typeof RemainingBand>;

/**
 * The band for `remaining` of `total` units: `sold_out` at 0; `few` at 3 or fewer, or at most a tenth
 * left; `limited` at most half left; otherwise `plenty`.
 */
export function remainingBand(remaining: number, total: number): RemainingBand {
  if (remaining <= 0) return 'sold_out';
  if (remaining <= 3 || remaining * 10 <= total) return 'few';
  if (remaining * 2 <= total) return 'limited';
  return 'plenty';
}

/**
 * A drop as the public sees it: `scheduled` (nobody may enter yet), `early_access` (some tiers may),
 * `open`, `closed` (window over), `drawn` (draw drops, winners chosen, seed revealed), `sold_out`.
 */
export const DropState = z.enum(['scheduled', 'early_access', 'open', 'closed', 'drawn', 'sold_out']);
export type DropState = z.infer<typeof DropState>;

/**
 * The state of a drop at `now`. `remaining`: units left per SKU, when known; a first-come drop whose
 * every item has none left is sold out even before its flag is set.
 */
export function dropState(drop: Drop, now: Date, remaining?: Readonly<Record<string, number>>): DropState {
  const t = now.getTime();
  if (drop.mode === 'draw' && drop.drawnAt !== undefined) return 'drawn';
  if (
    drop.mode === 'first_come' &&
    (drop.soldOut || (remaining !== undefined && drop.items.every((item) => (remaining[item.sku] ?? 1) <= 0)))
  ) {
    return 'sold_out';
  }
  if (t >= at(drop.window.closesAt)) return 'closed';
  if (t >= at(drop.window.opensAt)) return 'open';
  const earliest = Math.min(...drop.earlyAccess.map((early) => at(early.opensAt)));
  return t >= earliest ? 'early_access' : 'scheduled';
}

/** The caller's standing in a drop: whether they may enter (now or later) and when their tier opens. */
export const DropEligibility = z.strictObject({
  eligible: z.boolean(),
  reason: IneligibilityReason.optional(),
  opensAt: Instant.describe('When the caller’s tier may enter'),
});
export type DropEligibility = z.infer<typeof DropEligibility>;

/** `GET /v1/drops/{dropId}`: what anyone may know about a drop. Never exact stock counts. */
export const DropView = z
  .strictObject({
    dropId: DropId,
    name: z.string(),
    state: DropState,
    mode: DropMode,
    window: DropWindow,
    earlyAccess: z.array(EarlyAccess),
    eligibleTiers: z.array(CustomerTier).optional(),
    channels: z.array(Channel),
    perCustomerLimit: z.number().int(),
    perPaymentMethodLimit: z
      .number()
      .int()
      .describe('Units one payment method may pay for in this drop, across all accounts'),
    payWithinMinutes: z.number().int(),
    items: z.array(z.strictObject({ sku: Sku, remaining: RemainingBand })),
    eligibility: DropEligibility.optional().describe('Present when the caller is signed in'),
    seedHash: Sha256Hex.optional().describe('sha256 of the draw seed, committed before the draw'),
    seed: DrawSeed.optional().describe('The draw seed, revealed once the draw has run'),
    drawnAt: Instant.optional(),
  })
  .meta({ id: 'DropView' });
export type DropView = z.infer<typeof DropView>;

/**
 * The public view of a drop at `now`. `remaining`: units left per SKU (sum of its shards, or its fence);
 * a SKU missing from it counts as untouched. `caller`: the signed-in shopper's tier and channel.
 */
export function dropView(
  drop: Drop,
  context: {
    readonly now: Date;
    readonly remaining?: Readonly<Record<string, number>>;
    readonly caller?: { readonly tier: CustomerTier; readonly channel: Channel };
  },
): DropView {
  const left = (item: DropItem): number =>
    drop.soldOut && drop.mode === 'first_come' ? 0 : (context.remaining?.[item.sku] ?? item.units);
  const reason = context.caller ? ineligibility(drop, context.caller) : undefined;
  return {
    dropId: drop.dropId,
    name: drop.name,
    state: dropState(drop, context.now, context.remaining),
    mode: drop.mode,
    window: { ...drop.window },
    earlyAccess: drop.earlyAccess.map((early) => ({ ...early })),
    ...(drop.eligibleTiers ? { eligibleTiers: [...drop.eligibleTiers] } : {}),
    channels: [...drop.channels],
    perCustomerLimit: drop.perCustomerLimit,
    perPaymentMethodLimit: paymentMethodLimitOf(drop),
    payWithinMinutes: drop.payWithinMinutes,
    items: drop.items.map((item) => ({ sku: item.sku, remaining: remainingBand(left(item), item.units) })),
    ...(context.caller
      ? {
          eligibility: {
            eligible: reason === undefined,
            ...(reason ? { reason } : {}),
            opensAt: tierOpensAt(drop, context.caller.tier),
          },
        }
      : {}),
    ...(drop.seedHash ? { seedHash: drop.seedHash } : {}),
    ...(drop.seed && drop.drawnAt ? { seed: drop.seed, drawnAt: drop.drawnAt } : {}),
  };
}

/** Units one payment method may pay for in a drop, across every account that uses it. */
export function paymentMethodLimitOf(drop: Pick<Drop, 'perCustomerLimit' | 'perPaymentMethodLimit'>): number {
  return drop.perPaymentMethodLimit ?? drop.perCustomerLimit;
}

/**
 * The key a payment method is counted under in a drop: sha256 of `dropId + '\n' + fingerprint`, so the
 * inventory table never holds a card's fingerprint, and one card's counts in two drops are unrelated.
 */
export function paymentMethodKey(dropId: string, fingerprint: string): string {
  return createHash('sha256').update(`${dropId}\n${fingerprint}`).digest('hex');
}

/** When a winner must have paid: `payWithinMinutes` after they won. */
export function payByFor(drop: Pick<Drop, 'payWithinMinutes'>, wonAt: Date): string {
  return new Date(wonAt.getTime() + drop.payWithinMinutes * 60_000).toISOString();
}
