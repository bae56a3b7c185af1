import { ValidationError } from '../../errors.ts';
import { ReservationNotFoundError, TransferNotFoundError } from '../../inventory/errors.ts';
import { type HomeRegionLookup, type HomeRegionStats, RegionalStores } from '../../inventory/home-region.ts';
import {
  type Reservation,
  type ReservationLine,
  reservationLines,
  type StockPool,
  type Transfer,
} from '../../inventory/stock.ts';
import type {
  AdjustRequest,
  FenceRequest,
  LedgerPage,
  Movement,
  ReleaseOptions,
  ReserveRequest,
  SetOnHandOptions,
  StockStore,
  TransferRequest,
} from '../../inventory/stock-store.ts';

export interface HomeRegionStockStoreProps {
  /** The region this code runs in; reads go to its store. */
  readonly localRegion: string;
  /** One store per region, each writing to that region's replica of the inventory table. */
  readonly stores: Readonly<Record<string, StockStore>>;
  /** The home region of a pool; see `homeRegionLookup` in `lib/inventory/home-region.ts`. */
  readonly homeRegionOf: HomeRegionLookup;
}

/** Counts of a {@link HomeRegionStockStore}, for tests and metrics. */
export type HomeRegionStockStoreStats = HomeRegionStats;

/**
 * A stock store over the regional replicas of a global table that sends every write to the home
 * region of the pools it touches, so the `available >= q` conditions are all checked by one replica
 * and last-writer-wins replication never merges two sales of the same piece. Reads (pools, expired
 * holds, reservations, transfers) use the local replica and may lag behind the home region; a pool's
 * ledger is read at home, where its latest entries are written.
 *
 * A transfer is two writes in two places: its dispatch at the source's home region, its receipt at the
 * destination's, so neither step ever needs a write across regions.
 *
 * A reservation is one transaction, so all its pools must share a home region. The planner keeps a
 * reservation inside one residency zone, and a zone's locations that feed one reservation are expected
 * to share their region; a reservation that still spans home regions is rejected rather than split,
 * since a split would lose the all-or-nothing guarantee.
 */
export class HomeRegionStockStore implements StockStore {
  readonly stats: HomeRegionStockStoreStats;
  private readonly regions: RegionalStores<StockStore>;

  constructor(private readonly props: HomeRegionStockStoreProps) {
    this.regions = new RegionalStores(props.localRegion, props.stores);
    this.stats = this.regions.stats;
  }

  pools(skus: readonly string[]): Promise<StockPool[]> {
    return this.regions.local.pools(skus);
  }

  async setOnHand(
    sku: string,
    locationId: string,
    zone: string,
    onHand: number,
    options?: SetOnHandOptions,
  ): Promise<StockPool> {
    const store = this.regions.writer(await this.props.homeRegionOf(sku, locationId));
    return store.setOnHand(sku, locationId, zone, onHand, options);
  }

  async adjust(request: AdjustRequest): Promise<StockPool> {
    return this.regions
      .writer(await this.props.homeRegionOf(request.sku, request.locationId))
      .adjust(request);
  }

  async setFence(request: FenceRequest): Promise<StockPool> {
    return this.regions
      .writer(await this.props.homeRegionOf(request.sku, request.locationId))
      .setFence(request);
  }

  async dispatchTransfer(request: TransferRequest): Promise<Transfer> {
    const home = await this.props.homeRegionOf(request.sku, request.fromLocationId);
    return this.regions.writer(home).dispatchTransfer(request);
  }

  async receiveTransfer(transferId: string, movement: Movement): Promise<Transfer> {
    const transfer = await this.getTransfer(transferId);
    if (!transfer) throw new TransferNotFoundError(`Transfer ${transferId} does not exist`, { transferId });
    const home = await this.props.homeRegionOf(transfer.sku, transfer.toLocationId);
    return this.regions.writer(home).receiveTransfer(transferId, movement);
  }

  /** The local replica's copy, or another region's while replication has not brought it here yet. */
  async getTransfer(transferId: string): Promise<Transfer | undefined> {
    return this.regions.firstFound((store) => store.getTransfer(transferId));
  }

  async fulfil(
    reservationId: string,
    movement: Movement,
    locationIds?: readonly string[],
  ): Promise<Reservation> {
    const store = this.regions.writer(await this.homeOfReservation(reservationId));
    return store.fulfil(reservationId, movement, locationIds);
  }

  async ledger(
    sku: string,
    locationId: string,
    options?: { after?: string; limit?: number },
  ): Promise<LedgerPage> {
    const store = this.regions.at(await this.props.homeRegionOf(sku, locationId));
    return store.ledger(sku, locationId, options);
  }

  async reserve(request: ReserveRequest): Promise<Reservation> {
    const home = await this.homeOfLines(reservationLines(request.lines));
    return this.regions.writer(home).reserve(request);
  }

  /** The local replica's copy, or another region's while replication has not brought it here yet. */
  async get(reservationId: string): Promise<Reservation | undefined> {
    return this.regions.firstFound((store) => store.get(reservationId));
  }

  async allocate(reservationId: string, now: Date): Promise<Reservation> {
    const store = this.regions.writer(await this.homeOfReservation(reservationId));
    return store.allocate(reservationId, now);
  }

  async release(
    reservationId: string,
    reason: string,
    now: Date,
    options?: ReleaseOptions,
  ): Promise<boolean> {
    const store = this.regions.writer(await this.homeOfReservation(reservationId));
    return store.release(reservationId, reason, now, options);
  }

  expiredHolds(now: Date, limit: number): Promise<Reservation[]> {
    return this.regions.local.expiredHolds(now, limit);
  }

  /** A reservation's lines never change, so any replica's copy names the right pools. */
  private async homeOfReservation(reservationId: string): Promise<string> {
    const reservation = await this.get(reservationId);
    if (!reservation) throw new ReservationNotFoundError(`Reservation ${reservationId} does not exist`);
    return this.homeOfLines(reservation.lines);
  }

  /** @throws ValidationError naming the pools and their regions when they do not share one */
  private async homeOfLines(lines: readonly ReservationLine[]): Promise<string> {
    const homes = await Promise.all(
      lines.map(async (line) => ({
        pool: `${line.sku}@${line.locationId}`,
        region: await this.props.homeRegionOf(line.sku, line.locationId),
      })),
    );
    const regions = [...new Set(homes.map((h) => h.region))].sort();
    const [only] = regions;
    if (only === undefined || regions.length > 1) {
      throw new ValidationError(
        `A reservation must take stock from pools of one home region; these span ${regions.join(', ')}: ` +
          homes.map((h) => `${h.pool} (${h.region})`).join(', '),
        { pools: Object.fromEntries(homes.map((h) => [h.pool, h.region])) },
      );
    }
    return only;
  }
}
