import type { DomainEvent } from '../platform/domain-event.ts';
import type { Drop, DropEntry, DropEntryStatus } from './drop.ts';
import type {
  AddEntryOutcome,
  BindOutcome,
  ClaimOutcome,
  DropStore,
  DropStoreStats,
  EnterAndClaimOutcome,
  EnterAndClaimRequest,
  HoldRelease,
  PaymentMethodClaim,
  PaymentMethodClaimRequest,
  ShardPart,
} from './ports.ts';
import { splitUnits } from './shards.ts';

const byArrival = (a: DropEntry, b: DropEntry) =>
  a.arrivedAt < b.arrivedAt ? -1 : a.arrivedAt > b.arrivedAt ? 1 : a.entrantKey < b.entrantKey ? -1 : 1;

/**
 * A {@link DropStore} in memory, for unit tests and tools. Each method reads and writes without awaiting
 * in between, so it is as atomic as the DynamoDB store's single transaction.
 */
export class InMemoryDropStore implements DropStore {
  readonly stats: DropStoreStats = { attempts: 0, conditionFailures: 0, conflictRetries: 0, writes: 0 };
  /** Events written with entries and reveals, in write order (the outbox). */
  readonly events: DomainEvent[] = [];
  private readonly drops = new Map<string, { drop: Drop; seed?: string; active: boolean }>();
  private readonly shards = new Map<string, number[]>();
  private readonly entries = new Map<string, { entry: DropEntry; requestKey?: string }>();
  /** Per drop and payment method: units counted, and each entrant's units. */
  private readonly methods = new Map<string, { used: number; entrants: Map<string, number> }>();

  async create(drop: Drop, options: { readonly seed?: string }): Promise<{ created: boolean; drop: Drop }> {
    this.stats.attempts++;
    const stored = this.drops.get(drop.dropId);
    if (stored) {
      this.stats.conditionFailures++;
      return { created: false, drop: structuredClone(stored.drop) };
    }
    this.drops.set(drop.dropId, {
      drop: structuredClone(drop),
      ...(options.seed ? { seed: options.seed } : {}),
      active: true,
    });
    for (const item of drop.items) {
      if (item.shards > 0)
        this.shards.set(shardKey(drop.dropId, item.sku), splitUnits(item.units, item.shards));
    }
    this.stats.writes++;
    return { created: true, drop: structuredClone(drop) };
  }

  async get(dropId: string): Promise<Drop | undefined> {
    const stored = this.drops.get(dropId)?.drop;
    return stored ? structuredClone(stored) : undefined;
  }

  async shardBalances(drop: Drop, sku: string): Promise<number[]> {
    return [...(this.shards.get(shardKey(drop.dropId, sku)) ?? [])];
  }

  async addEntry(
    _drop: Drop,
    entry: DropEntry,
    options: { readonly requestKey?: string; readonly event?: DomainEvent } = {},
  ): Promise<AddEntryOutcome> {
    this.stats.attempts++;
    const key = entryKey(entry.dropId, entry.entrantKey);
    const existing = this.entries.get(key);
    if (existing) {
      this.stats.conditionFailures++;
      return {
        added: false,
        existing: structuredClone(existing.entry),
        sameRequest: options.requestKey !== undefined && existing.requestKey === options.requestKey,
      };
    }
    this.entries.set(key, {
      entry: structuredClone(entry),
      ...(options.requestKey ? { requestKey: options.requestKey } : {}),
    });
    if (options.event) this.events.push(options.event);
    this.stats.writes++;
    return { added: true, entry: structuredClone(entry) };
  }

  async getEntry(dropId: string, entrantKey: string): Promise<DropEntry | undefined> {
    const stored = this.entries.get(entryKey(dropId, entrantKey));
    return stored ? structuredClone(stored.entry) : undefined;
  }

  async enterAndClaim(
    drop: Drop,
    entry: DropEntry,
    request: EnterAndClaimRequest,
  ): Promise<EnterAndClaimOutcome> {
    this.stats.attempts++;
    const key = entryKey(entry.dropId, entry.entrantKey);
    const existing = this.entries.get(key);
    if (existing) {
      this.stats.conditionFailures++;
      return {
        kind: 'exists',
        existing: structuredClone(existing.entry),
        sameRequest: request.requestKey !== undefined && existing.requestKey === request.requestKey,
      };
    }
    const balances = this.shards.get(shardKey(drop.dropId, entry.sku)) ?? [];
    if ((balances[request.shard] ?? 0) < entry.quantity) {
      this.stats.conditionFailures++;
      return { kind: 'short' };
    }
    balances[request.shard] = (balances[request.shard] ?? 0) - entry.quantity;
    const won: DropEntry = { ...entry, status: 'won', payBy: request.payBy, shard: request.shard };
    this.entries.set(key, {
      entry: structuredClone(won),
      ...(request.requestKey ? { requestKey: request.requestKey } : {}),
    });
    this.stats.writes++;
    return { kind: 'won', entry: structuredClone(won) };
  }

  async claim(
    drop: Drop,
    entry: DropEntry,
    request: { readonly shards: readonly number[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    for (const shard of request.shards) {
      const outcome = this.take(drop, entry, [{ shard, units: entry.quantity }], request.payBy);
      if (outcome.kind !== 'refused') return outcome;
    }
    return { kind: 'refused' };
  }

  async claimParts(
    drop: Drop,
    entry: DropEntry,
    request: { readonly parts: readonly ShardPart[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    return this.take(drop, entry, request.parts, request.payBy);
  }

  async markLost(_drop: Drop, entry: DropEntry): Promise<DropEntry | undefined> {
    this.transition(entry, ['queued'], { status: 'lost' });
    return this.getEntry(entry.dropId, entry.entrantKey);
  }

  async setSoldOut(dropId: string, soldOut: boolean): Promise<void> {
    const stored = this.drops.get(dropId);
    if (!stored || stored.drop.soldOut === soldOut) return;
    stored.drop = { ...stored.drop, soldOut, version: stored.drop.version + 1 };
    this.stats.writes++;
  }

  async listEntries(drop: Drop): Promise<DropEntry[]> {
    return this.entriesOf(drop.dropId).sort(byArrival);
  }

  async queuedEntries(drop: Drop, upTo: string, limit: number): Promise<DropEntry[]> {
    return this.entriesOf(drop.dropId)
      .filter((entry) => entry.status === 'queued' && entry.arrivedAt <= upTo)
      .sort(byArrival)
      .slice(0, limit);
  }

  async seedOf(dropId: string): Promise<string | undefined> {
    return this.drops.get(dropId)?.seed;
  }

  async recordDraw(
    _drop: Drop,
    entry: DropEntry,
    outcome:
      | { readonly status: 'won'; readonly drawRank: number; readonly payBy: string }
      | { readonly status: 'waitlisted'; readonly drawRank: number },
  ): Promise<boolean> {
    return this.transition(entry, ['entered'], { ...outcome });
  }

  async revealDraw(drop: Drop, seed: string, drawnAt: Date, event: DomainEvent): Promise<boolean> {
    this.stats.attempts++;
    const stored = this.drops.get(drop.dropId);
    if (!stored || stored.drop.drawnAt !== undefined) {
      this.stats.conditionFailures++;
      return false;
    }
    stored.drop = { ...stored.drop, seed, drawnAt: drawnAt.toISOString(), version: stored.drop.version + 1 };
    this.events.push(event);
    this.stats.writes++;
    return true;
  }

  async dueHolds(drop: Drop, before: Date, limit: number): Promise<DropEntry[]> {
    const at = before.toISOString();
    return this.entriesOf(drop.dropId)
      .filter((entry) => entry.status === 'won' && entry.payBy !== undefined && entry.payBy < at)
      .sort((a, b) => ((a.payBy ?? '') < (b.payBy ?? '') ? -1 : 1))
      .slice(0, limit);
  }

  async waitlist(drop: Drop, sku: string, limit: number): Promise<DropEntry[]> {
    return this.entriesOf(drop.dropId)
      .filter((entry) => entry.status === 'waitlisted' && entry.sku === sku)
      .sort((a, b) => (a.drawRank ?? 0) - (b.drawRank ?? 0))
      .slice(0, limit);
  }

  async expireHold(drop: Drop, entry: DropEntry, release: HoldRelease): Promise<boolean> {
    this.stats.attempts++;
    const stored = this.entries.get(entryKey(drop.dropId, entry.entrantKey))?.entry;
    const promoted =
      release.kind === 'waitlist'
        ? release.promote.map((p) => this.entries.get(entryKey(drop.dropId, p.entrantKey))?.entry)
        : [];
    if (
      stored?.status !== 'won' ||
      stored.payBy !== entry.payBy ||
      promoted.some((p) => p?.status !== 'waitlisted')
    ) {
      this.stats.conditionFailures++;
      return false;
    }
    this.put({ ...stored, status: 'expired' });
    if (release.kind === 'shard') {
      const balances = this.shards.get(shardKey(drop.dropId, entry.sku));
      if (balances) balances[release.shard] = (balances[release.shard] ?? 0) + entry.quantity;
      const dropRecord = this.drops.get(drop.dropId);
      if (dropRecord?.drop.soldOut) dropRecord.drop = { ...dropRecord.drop, soldOut: false };
    } else {
      for (const p of promoted) if (p) this.put({ ...p, status: 'won', payBy: release.payBy });
    }
    this.stats.writes++;
    return true;
  }

  async bindCheckout(drop: Drop, entrantKey: string, checkoutId: string, now: Date): Promise<BindOutcome> {
    this.stats.attempts++;
    const stored = this.entries.get(entryKey(drop.dropId, entrantKey))?.entry;
    if (
      stored?.status === 'won' &&
      (stored.checkoutId === undefined || stored.checkoutId === checkoutId) &&
      stored.payBy !== undefined &&
      stored.payBy > now.toISOString()
    ) {
      this.put({ ...stored, checkoutId });
      this.stats.writes++;
      return { bound: true, entry: structuredClone({ ...stored, checkoutId }) };
    }
    this.stats.conditionFailures++;
    return { bound: false, entry: stored ? structuredClone(stored) : undefined };
  }

  async unbindCheckout(drop: Drop, entrantKey: string, checkoutId: string): Promise<DropEntry | undefined> {
    this.stats.attempts++;
    const stored = this.entries.get(entryKey(drop.dropId, entrantKey))?.entry;
    if (stored?.status === 'won' && stored.checkoutId === checkoutId) {
      const { checkoutId: _bound, ...free } = stored;
      this.put(free);
      this.stats.writes++;
    } else this.stats.conditionFailures++;
    return this.getEntry(drop.dropId, entrantKey);
  }

  async claimPaymentMethod(drop: Drop, claim: PaymentMethodClaimRequest): Promise<PaymentMethodClaim> {
    this.stats.attempts++;
    const key = `${drop.dropId}#${claim.methodKey}`;
    const method = this.methods.get(key) ?? { used: 0, entrants: new Map<string, number>() };
    if (method.entrants.has(claim.entrantKey)) {
      this.stats.conditionFailures++;
      return { allowed: true, used: method.used };
    }
    if (method.used + claim.units > claim.limit) {
      this.stats.conditionFailures++;
      return { allowed: false, used: method.used };
    }
    method.used += claim.units;
    method.entrants.set(claim.entrantKey, claim.units);
    this.methods.set(key, method);
    this.stats.writes++;
    return { allowed: true, used: method.used };
  }

  async markPurchased(drop: Drop, entrantKey: string): Promise<DropEntry | undefined> {
    const stored = this.entries.get(entryKey(drop.dropId, entrantKey))?.entry;
    if (stored) this.transition(stored, ['won', 'expired'], { status: 'purchased' });
    return this.getEntry(drop.dropId, entrantKey);
  }

  async activeDrops(): Promise<Drop[]> {
    return [...this.drops.values()].filter((d) => d.active).map((d) => structuredClone(d.drop));
  }

  async settle(dropId: string, at: Date): Promise<void> {
    const stored = this.drops.get(dropId);
    if (!stored?.active) return;
    stored.active = false;
    stored.drop = { ...stored.drop, settledAt: at.toISOString() };
  }

  async settledDrops(since: Date): Promise<Drop[]> {
    const from = since.toISOString();
    return [...this.drops.values()]
      .filter((d) => d.drop.settledAt !== undefined && d.drop.settledAt >= from)
      .map((d) => structuredClone(d.drop));
  }

  /** Test hook: changes an entry as a concurrent writer would. */
  overwriteEntry(entry: DropEntry): void {
    this.put(entry);
  }

  private take(drop: Drop, entry: DropEntry, parts: readonly ShardPart[], payBy: string): ClaimOutcome {
    this.stats.attempts++;
    const stored = this.entries.get(entryKey(drop.dropId, entry.entrantKey))?.entry;
    if (stored?.status !== 'queued') {
      this.stats.conditionFailures++;
      return { kind: 'decided', entry: stored ? structuredClone(stored) : undefined };
    }
    const balances = this.shards.get(shardKey(drop.dropId, entry.sku)) ?? [];
    if (parts.some((part) => (balances[part.shard] ?? 0) < part.units)) {
      this.stats.conditionFailures++;
      return { kind: 'refused' };
    }
    for (const part of parts) balances[part.shard] = (balances[part.shard] ?? 0) - part.units;
    const won: DropEntry = { ...stored, status: 'won', payBy, shard: parts[0]?.shard ?? 0 };
    this.put(won);
    this.stats.writes++;
    return { kind: 'won', entry: structuredClone(won) };
  }

  private transition(
    entry: DropEntry,
    from: readonly DropEntryStatus[],
    change: Partial<DropEntry>,
  ): boolean {
    this.stats.attempts++;
    const stored = this.entries.get(entryKey(entry.dropId, entry.entrantKey))?.entry;
    if (!stored || !from.includes(stored.status)) {
      this.stats.conditionFailures++;
      return false;
    }
    this.put({ ...stored, ...change });
    this.stats.writes++;
    return true;
  }

  private put(entry: DropEntry): void {
    const key = entryKey(entry.dropId, entry.entrantKey);
    const stored = this.entries.get(key);
    this.entries.set(key, { ...stored, entry: structuredClone(entry) });
  }

  private entriesOf(dropId: string): DropEntry[] {
    return [...this.entries.values()]
      .filter(({ entry }) => entry.dropId === dropId)
      .map(({ entry }) => structuredClone(entry));
  }
}

function shardKey(dropId: string, sku: string): string {
  return `${dropId}\u0000${sku}`;
}

function entryKey(dropId: string, entrantKey: string): string {
  return `${dropId}\u0000${entrantKey}`;
}
