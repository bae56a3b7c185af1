import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIER_WEIGHTS,
  drawTicket,
  newSeed,
  promoteFromWaitlist,
  runDraw,
  seedHash,
  verifyDraw,
} from '../../../lib/drops/draw.ts';
import {
  type CustomerTier,
  type DrawEntrant,
  entrantKey,
  type PublishedDraw,
} from '../../../lib/drops/drop.ts';

/** A reproducible seed per test case: the draw is deterministic, so the tests are too. */
const seedOf = (n: number): string => createHash('sha256').update(`test-seed-${n}`).digest('hex');

const entrant = (i: number, tier: CustomerTier = 'standard', quantity = 1): DrawEntrant => ({
  entrantKey: entrantKey('drp_test', `customer-${i}`),
  tier,
  quantity,
});

const crowd = (tiers: Partial<Record<CustomerTier, number>>): DrawEntrant[] => {
  const entries: DrawEntrant[] = [];
  for (const [tier, count] of Object.entries(tiers)) {
    for (let i = 0; i < (count ?? 0); i++) entries.push(entrant(entries.length, tier as CustomerTier));
  }
  return entries;
};

const keys = (entries: readonly { entrantKey: string }[]) => entries.map((entry) => entry.entrantKey);

const publish = (seed: string, entries: DrawEntrant[], units: number): PublishedDraw => {
  const result = runDraw({ seed, entries, units });
  return {
    dropId: 'drp_test',
    sku: 'WATCH-001',
    seedHash: seedHash(seed),
    seed,
    units,
    tierWeights: result.tierWeights,
    entries,
    winners: keys(result.winners),
    waitlist: keys(result.waitlist),
  };
};

const tiers = fc.constantFrom<CustomerTier>('standard', 'silver', 'gold', 'platinum');
const entrants = fc.uniqueArray(
  fc.record({
    entrantKey: fc.string({ minLength: 1, maxLength: 16 }),
    tier: tiers,
    quantity: fc.integer({ min: 1, max: 4 }),
  }),
  { selector: (entry) => entry.entrantKey, maxLength: 40 },
);
const permuted = entrants.chain((entries) =>
  fc.tuple(fc.constant(entries), fc.shuffledSubarray(entries, { minLength: entries.length })),
);
const seeds = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('hex'));

describe('newSeed and seedHash', () => {
  it('makes 32 random bytes in hex, different every time', () => {
    const a = newSeed();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newSeed()).not.toBe(a);
  });

  it('commits to the seed with sha256 of its bytes', () => {
    expect(seedHash('0'.repeat(64))).toBe('66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
    const seed = newSeed();
    expect(seedHash(seed)).toBe(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'));
  });

  it('rejects seeds that are not 32 bytes of lower-case hex', () => {
    for (const seed of ['', 'ab', '0'.repeat(63), '0'.repeat(65), 'A'.repeat(64), 'g'.repeat(64)]) {
      expect(() => seedHash(seed)).toThrow(RangeError);
    }
  });
});

describe('runDraw', () => {
  it('draws the same winners from the same seed whatever the order of the entries', () => {
    fc.assert(
      fc.property(seeds, permuted, fc.integer({ min: 0, max: 60 }), (seed, [entries, shuffled], units) => {
        const a = runDraw({ seed, entries, units });
        const b = runDraw({ seed, entries: shuffled, units });
        expect(b.ranked).toEqual(a.ranked);
      }),
      { numRuns: 200 },
    );
  });

  it('hands out no more units than there are, and waitlists only those who no longer fit', () => {
    fc.assert(
      fc.property(seeds, entrants, fc.integer({ min: 0, max: 60 }), (seed, entries, units) => {
        const result = runDraw({ seed, entries, units });
        const awarded = result.winners.reduce((sum, winner) => sum + winner.quantity, 0);
        expect(awarded).toBe(result.unitsAwarded);
        expect(awarded).toBeLessThanOrEqual(units);
        // Every entrant is ranked once, 1..n, and is either a winner or on the waitlist.
        expect(result.ranked.map((entry) => entry.rank)).toEqual(entries.map((_, i) => i + 1));
        expect(result.winners.length + result.waitlist.length).toBe(entries.length);
        expect(new Set(keys(result.ranked))).toEqual(new Set(keys(entries)));
        // Greedy in rank order: a waitlisted entrant asked for more than was left when their turn came.
        let left = units;
        for (const entry of result.ranked) {
          if (entry.outcome === 'won') left -= entry.quantity;
          else expect(entry.quantity).toBeGreaterThan(left);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives an entrant the same ticket whoever else enters', () => {
    fc.assert(
      fc.property(seeds, entrants, (seed, entries) => {
        const result = runDraw({ seed, entries, units: 0 });
        for (const ranked of result.ranked) {
          expect(ranked.ticket).toBe(drawTicket(seed, ranked.entrantKey, DEFAULT_TIER_WEIGHTS[ranked.tier]));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('serves the next entrant who fits when a larger request does not', () => {
    const seed = seedOf(1);
    const entries = crowd({ standard: 6 });
    const order = keys(runDraw({ seed, entries, units: 6 }).ranked);
    const greedy = entries.map((entry) =>
      entry.entrantKey === order[0] ? { ...entry, quantity: 3 } : entry,
    );
    const result = runDraw({ seed, entries: greedy, units: 2 });
    expect(keys(result.winners)).toEqual([order[1], order[2]]);
    expect(result.waitlist[0]).toMatchObject({
      entrantKey: order[0],
      rank: 1,
      quantity: 3,
      outcome: 'waitlisted',
    });
    expect(result.unitsAwarded).toBe(2);
  });

  it('draws different winners from different seeds', () => {
    const entries = crowd({ standard: 60, gold: 40 });
    const winnerSets = new Set<string>();
    for (let n = 0; n < 50; n++)
      winnerSets.add(
        keys(runDraw({ seed: seedOf(n), entries, units: 10 }).winners)
          .sort()
          .join(),
      );
    expect(winnerSets.size).toBe(50);
  });

  it('ranks a gold entrant first four times in five against a standard one', () => {
    const entries = [entrant(0, 'standard'), entrant(1, 'gold')];
    const runs = 4_000;
    let gold = 0;
    for (let n = 0; n < runs; n++)
      if (runDraw({ seed: seedOf(n), entries, units: 1 }).winners[0]?.tier === 'gold') gold++;
    // Binomial(4000, 0.8): standard deviation 25, so ±100 is four of them.
    expect(gold).toBeGreaterThan(3_100);
    expect(gold).toBeLessThan(3_300);
  });

  it('lets gold clients win about four times as often as standard ones', () => {
    const entries = crowd({ standard: 100, gold: 100 });
    const wins: Record<string, number> = { standard: 0, gold: 0 };
    for (let n = 0; n < 400; n++) {
      for (const winner of runDraw({ seed: seedOf(n), entries, units: 5 }).winners) {
        wins[winner.tier] = (wins[winner.tier] ?? 0) + 1;
      }
    }
    // 2,000 units over 400 draws: about 1,600 to gold and 400 to standard.
    expect((wins.gold ?? 0) + (wins.standard ?? 0)).toBe(2_000);
    const ratio = (wins.gold ?? 0) / (wins.standard ?? 1);
    expect(ratio).toBeGreaterThan(3.4);
    expect(ratio).toBeLessThan(4.6);
  });

  it('follows custom weights and fills in the rest from the defaults', () => {
    const entries = [entrant(0, 'standard'), entrant(1, 'platinum')];
    const result = runDraw({ seed: seedOf(3), entries, units: 1, tierWeights: { platinum: 1, standard: 1 } });
    expect(result.tierWeights).toEqual({ standard: 1, silver: 2, gold: 4, platinum: 1 });
    let platinum = 0;
    for (let n = 0; n < 1_000; n++) {
      const winner = runDraw({ seed: seedOf(n), entries, units: 1, tierWeights: { platinum: 1 } }).winners[0];
      if (winner?.tier === 'platinum') platinum++;
    }
    // Equal weights: a fair coin (standard deviation about 16).
    expect(platinum).toBeGreaterThan(420);
    expect(platinum).toBeLessThan(580);
  });

  it('makes tickets anyone can recompute: HMAC-SHA256 keyed with the seed bytes', () => {
    const seed = seedOf(9);
    const key = entrantKey('drp_test', 'someone');
    const tickets = [0, 1, 2, 3].map((j) =>
      createHmac('sha256', Buffer.from(seed, 'hex')).update(`${key}\n${j}`).digest('hex'),
    );
    expect(drawTicket(seed, key, 1)).toBe(tickets[0]);
    expect(drawTicket(seed, key, 4)).toBe([...tickets].sort().at(-1));
  });

  it('holds the best of its tickets: more weight never lowers an entrant’s key', () => {
    const seed = seedOf(4);
    const key = entrantKey('drp_test', 'someone');
    for (let w = 2; w <= 8; w++) expect(drawTicket(seed, key, w) >= drawTicket(seed, key, w - 1)).toBe(true);
  });

  it('draws nobody from no entries and wins nobody with no units', () => {
    expect(runDraw({ seed: seedOf(5), entries: [], units: 10 })).toMatchObject({
      ranked: [],
      unitsAwarded: 0,
    });
    const result = runDraw({ seed: seedOf(5), entries: crowd({ gold: 3 }), units: 0 });
    expect(result.winners).toEqual([]);
    expect(result.waitlist).toHaveLength(3);
  });

  it('rejects repeated entrants, bad quantities, units and weights', () => {
    const seed = seedOf(6);
    const one = entrant(0);
    expect(() => runDraw({ seed, entries: [one, one], units: 1 })).toThrow(/more than once/);
    expect(() => runDraw({ seed, entries: [{ ...one, quantity: 0 }], units: 1 })).toThrow(RangeError);
    expect(() => runDraw({ seed, entries: [one], units: -1 })).toThrow(RangeError);
    expect(() => runDraw({ seed, entries: [one], units: 1.5 })).toThrow(RangeError);
    expect(() => runDraw({ seed, entries: [one], units: 1, tierWeights: { gold: 0 } })).toThrow(RangeError);
    expect(() => runDraw({ seed, entries: [one], units: 1, tierWeights: { gold: 65 } })).toThrow(RangeError);
    expect(() => runDraw({ seed, entries: [one], units: 1, tierWeights: { gold: 1.5 } })).toThrow(RangeError);
    expect(() => runDraw({ seed: 'nope', entries: [one], units: 1 })).toThrow(RangeError);
  });
});

describe('promoteFromWaitlist', () => {
  it('passes released units down the waitlist in rank order, skipping those who do not fit', () => {
    const waitlist = [
      { id: 'a', quantity: 2 },
      { id: 'b', quantity: 1 },
      { id: 'c', quantity: 1 },
      { id: 'd', quantity: 1 },
    ];
    expect(promoteFromWaitlist(waitlist, 1).map((entry) => entry.id)).toEqual(['b']);
    expect(promoteFromWaitlist(waitlist, 2).map((entry) => entry.id)).toEqual(['a']);
    expect(promoteFromWaitlist(waitlist, 4).map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(promoteFromWaitlist(waitlist, 0)).toEqual([]);
  });
});

describe('verifyDraw', () => {
  const seed = seedOf(7);
  const entries = [...crowd({ standard: 20, silver: 5, gold: 5, platinum: 2 })];
  const published = publish(seed, entries, 8);

  it('accepts a draw re-run from its revealed seed', () => {
    expect(verifyDraw(published)).toEqual({ valid: true, problems: [] });
  });

  it('accepts any honest draw', () => {
    fc.assert(
      fc.property(seeds, entrants, fc.integer({ min: 0, max: 40 }), (anySeed, anyEntries, units) => {
        expect(verifyDraw(publish(anySeed, anyEntries, units)).valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a seed that is not the committed one', () => {
    const other = seedOf(8);
    const result = verifyDraw({ ...published, seed: other });
    expect(result.valid).toBe(false);
    expect(result.problems).toContain('sha256(seed) does not match seedHash');
  });

  it('rejects winners the seed does not produce', () => {
    const swapped = [...published.winners];
    [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
    expect(verifyDraw({ ...published, winners: swapped }).problems).toEqual([
      'the winners differ from a re-run of the draw',
    ]);
    const loser = published.waitlist?.[0] as string;
    expect(verifyDraw({ ...published, winners: [...published.winners.slice(1), loser] }).valid).toBe(false);
  });

  it('rejects an entry list with a winner left out', () => {
    const pruned = entries.filter((entry) => entry.entrantKey !== published.winners[0]);
    expect(verifyDraw({ ...published, entries: pruned }).valid).toBe(false);
  });

  it('rejects a tampered waitlist', () => {
    expect(verifyDraw({ ...published, waitlist: [...(published.waitlist ?? [])].reverse() }).valid).toBe(
      false,
    );
  });

  it('answers a malformed publication as invalid instead of throwing', () => {
    const result = verifyDraw({ ...published, seed: 'not-hex' });
    expect(result.valid).toBe(false);
    expect(result.problems.length).toBeGreaterThan(0);
  });
});
