import type { Drop, DropEntry } from '../../drops/drop.ts';
import type {
  AddEntryOutcome,
  BindOutcome,
  ClaimOutcome,
  DropStore,
  EnterAndClaimOutcome,
  EnterAndClaimRequest,
  HoldRelease,
  PaymentMethodClaim,
  PaymentMethodClaimRequest,
  ShardPart,
} from '../../drops/ports.ts';
import { DropHomeRegionsDifferError } from '../../drops/use-cases.ts';
import { type HomeRegionLookup, type HomeRegionStats, RegionalStores } from '../../inventory/home-region.ts';
import type { DomainEvent } from '../../platform/domain-event.ts';

export interface HomeRegionDropStoreProps {
  /** The region this code runs in; drops are read from its store, and its scheduler works its own drops. */
  readonly localRegion: string;
  /**
   * One store per region, each writing to that region's replica of the inventory table (and naming that
   * region on the outbox items it writes, so that region's relay publishes them).
   */
  readonly stores: Readonly<Record<string, DropStore>>;
  /**
   * The home region of a SKU's pool at a location, the same lookup as the stock store's; a drop's home is
   * the one its items' locations share.
   */
  readonly homeRegionOf: HomeRegionLookup;
}

/** Counts of a {@link HomeRegionDropStore}, for tests and metrics. */
export type HomeRegionDropStoreStats = HomeRegionStats;

/**
 * A drop store over the regional replicas of the inventory table that sends every write, and every read
 * that decides one, to the drop's home region: the region its items' locations share, which is also the
 * home of the pools its units are fenced on. Drops are served in every region, and last-writer-wins
 * replication would merge two regions' claims on one shard into one decrement and sell its units twice;
 * with one replica checking every `available >= q` and every `status = queued`, each unit and each entry
 * is decided once.
 *
 * Only {@link get} reads any replica, the local one first (the drop item changes rarely, and the entry
 * path keeps it in a short cache anyway); the scheduler's lists read the local replica too, but keep only
 * the drops homed here. Shard balances, entries, holds, the waitlist and the seed are read at home, where
 * they are decided: a lagging replica would show units already sold, or an entry as still queued.
 *
 * A drop's locations never change, so its home region is looked up once per drop and kept for the life of
 * the instance. A method that names a drop only by id reads the drop to find its home: from the local
 * replica, or, while replication has not brought a drop created elsewhere here yet, from the other
 * regions in turn. So a miss costs one read per region; an id that exists nowhere is answered as a store
 * answers an unknown drop (nothing found, nothing written).
 */
export class HomeRegionDropStore implements DropStore {
  readonly stats: HomeRegionDropStoreStats;
  private readonly regions: RegionalStores<DropStore>;
  /** Drop id → its home region, for the life of the instance; a failed lookup is forgotten. */
  private readonly homes = new Map<string, Promise<string>>();

  constructor(private readonly props: HomeRegionDropStoreProps) {
    this.regions = new RegionalStores(props.localRegion, props.stores);
    this.stats = this.regions.stats;
  }

  /** @throws DropHomeRegionsDifferError when the drop's locations do not share a home region */
  async create(drop: Drop, options: { readonly seed?: string }): Promise<{ created: boolean; drop: Drop }> {
    return (await this.writer(drop)).create(drop, options);
  }

  /** The local replica's copy, or another region's while replication has not brought it here yet. */
  get(dropId: string): Promise<Drop | undefined> {
    return this.regions.firstFound((store) => store.get(dropId));
  }

  async shardBalances(drop: Drop, sku: string): Promise<number[]> {
    return (await this.reader(drop)).shardBalances(drop, sku);
  }

  async addEntry(
    drop: Drop,
    entry: DropEntry,
    options?: { readonly requestKey?: string; readonly event?: DomainEvent },
  ): Promise<AddEntryOutcome> {
    return (await this.writer(drop)).addEntry(drop, entry, options);
  }

  async getEntry(dropId: string, entrantKey: string): Promise<DropEntry | undefined> {
    const home = await this.homeOfId(dropId);
    return home === undefined ? undefined : this.regions.at(home).getEntry(dropId, entrantKey);
  }

  async enterAndClaim(
    drop: Drop,
    entry: DropEntry,
    request: EnterAndClaimRequest,
  ): Promise<EnterAndClaimOutcome> {
    return (await this.writer(drop)).enterAndClaim(drop, entry, request);
  }

  async claim(
    drop: Drop,
    entry: DropEntry,
    request: { readonly shards: readonly number[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    return (await this.writer(drop)).claim(drop, entry, request);
  }

  async claimParts(
    drop: Drop,
    entry: DropEntry,
    request: { readonly parts: readonly ShardPart[]; readonly payBy: string; readonly now: Date },
  ): Promise<ClaimOutcome> {
    return (await this.writer(drop)).claimParts(drop, entry, request);
  }

  async markLost(drop: Drop, entry: DropEntry, now: Date): Promise<DropEntry | undefined> {
    return (await this.writer(drop)).markLost(drop, entry, now);
  }

  async setSoldOut(dropId: string, soldOut: boolean): Promise<void> {
    const home = await this.homeOfId(dropId);
    if (home !== undefined) await this.regions.writer(home).setSoldOut(dropId, soldOut);
  }

  async listEntries(drop: Drop): Promise<DropEntry[]> {
    return (await this.reader(drop)).listEntries(drop);
  }

  async queuedEntries(drop: Drop, upTo: string, limit: number): Promise<DropEntry[]> {
    return (await this.reader(drop)).queuedEntries(drop, upTo, limit);
  }

  async seedOf(dropId: string): Promise<string | undefined> {
    const home = await this.homeOfId(dropId);
    return home === undefined ? undefined : this.regions.at(home).seedOf(dropId);
  }

  async recordDraw(
    drop: Drop,
    entry: DropEntry,
    outcome:
      | { readonly status: 'won'; readonly drawRank: number; readonly payBy: string }
      | { readonly status: 'waitlisted'; readonly drawRank: number },
  ): Promise<boolean> {
    return (await this.writer(drop)).recordDraw(drop, entry, outcome);
  }

  async revealDraw(drop: Drop, seed: string, drawnAt: Date, event: DomainEvent): Promise<boolean> {
    return (await this.writer(drop)).revealDraw(drop, seed, drawnAt, event);
  }

  async dueHolds(drop: Drop, before: Date, limit: number): Promise<DropEntry[]> {
    return (await this.reader(drop)).dueHolds(drop, before, limit);
  }

  async waitlist(drop: Drop, sku: string, limit: number): Promise<DropEntry[]> {
    return (await this.reader(drop)).waitlist(drop, sku, limit);
  }

  async expireHold(drop: Drop, entry: DropEntry, release: HoldRelease, now: Date): Promise<boolean> {
    return (await this.writer(drop)).expireHold(drop, entry, release, now);
  }

  async bindCheckout(drop: Drop, entrantKey: string, checkoutId: string, now: Date): Promise<BindOutcome> {
    return (await this.writer(drop)).bindCheckout(drop, entrantKey, checkoutId, now);
  }

  async unbindCheckout(drop: Drop, entrantKey: string, checkoutId: string): Promise<DropEntry | undefined> {
    return (await this.writer(drop)).unbindCheckout(drop, entrantKey, checkoutId);
  }

  async markPurchased(drop: Drop, entrantKey: string, now: Date): Promise<DropEntry | undefined> {
    return (await this.writer(drop)).markPurchased(drop, entrantKey, now);
  }

  async claimPaymentMethod(drop: Drop, claim: PaymentMethodClaimRequest): Promise<PaymentMethodClaim> {
    return (await this.writer(drop)).claimPaymentMethod(drop, claim);
  }

  /**
   * The active drops whose home is this region, read from this region's replica (their home one). Each
   * region's scheduler thus works only its own drops: no two schedulers race to draw, expire or settle
   * the same drop, and none sends its writes across regions. A drop whose home cannot be told (its
   * location lookup failed) is kept in the list, so the scheduler reports the failure for that drop
   * rather than dropping it silently; its writes fail on the same lookup before anything is written.
   */
  async activeDrops(): Promise<Drop[]> {
    return this.homedHere(await this.regions.local.activeDrops());
  }

  async settle(dropId: string, at: Date): Promise<void> {
    const home = await this.homeOfId(dropId);
    if (home !== undefined) await this.regions.writer(home).settle(dropId, at);
  }

  /**
   * The settled drops whose home is this region, as {@link activeDrops} chooses them: each region's
   * scheduler sweeps the fences of its own finished drops only.
   */
  async settledDrops(since: Date): Promise<Drop[]> {
    return this.homedHere(await this.regions.local.settledDrops(since));
  }

  /** The drops homed in this region, and those whose home could not be told (see {@link activeDrops}). */
  private async homedHere(drops: readonly Drop[]): Promise<Drop[]> {
    const homes = await Promise.allSettled(drops.map((drop) => this.homeOf(drop)));
    return drops.filter((_, i) => {
      const home = homes[i];
      return home?.status === 'rejected' || home?.value === this.props.localRegion;
    });
  }

  /** The home region's store, for a read that must see the home region's decisions. */
  private async reader(drop: Drop): Promise<DropStore> {
    return this.regions.at(await this.homeOf(drop));
  }

  /** The home region's store, counting the write it is about to receive. */
  private async writer(drop: Drop): Promise<DropStore> {
    return this.regions.writer(await this.homeOf(drop));
  }

  /** The drop's home region, looked up once per drop and shared by concurrent callers. */
  private homeOf(drop: Drop): Promise<string> {
    const known = this.homes.get(drop.dropId);
    if (known) return known;
    const home = this.lookUpHome(drop);
    this.homes.set(drop.dropId, home);
    home.catch(() => {
      if (this.homes.get(drop.dropId) === home) this.homes.delete(drop.dropId);
    });
    return home;
  }

  /** The home region of a drop known only by id; undefined when no region has the drop. */
  private async homeOfId(dropId: string): Promise<string | undefined> {
    const known = this.homes.get(dropId);
    if (known) return known;
    const drop = await this.get(dropId);
    return drop ? this.homeOf(drop) : undefined;
  }

  /** @throws DropHomeRegionsDifferError when the drop's items have different home regions */
  private async lookUpHome(drop: Drop): Promise<string> {
    const homes = await Promise.all(
      drop.items.map(async (item) => ({
        pool: `${item.sku}@${item.locationId}`,
        region: await this.props.homeRegionOf(item.sku, item.locationId),
      })),
    );
    const regions = [...new Set(homes.map((h) => h.region))].sort();
    const [only] = regions;
    if (only === undefined || regions.length > 1) {
      throw new DropHomeRegionsDifferError(
        `Drop ${drop.dropId} takes stock from pools of different home regions (${regions.join(', ')}), ` +
          'so its shards and entries have no single region to be written in',
        { dropId: drop.dropId, pools: Object.fromEntries(homes.map((h) => [h.pool, h.region])) },
      );
    }
    return only;
  }
}
