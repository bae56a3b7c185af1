import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LocationDirectory } from '../commerce/ports.ts';
import { Sku, Slug } from '../contracts/catalog.ts';
import type { Location } from '../demo/locations.ts';
import { NotFoundError } from '../errors.ts';
import type { Clock } from '../platform/domain-event.ts';
import type { Channel, StockActor, StockPool, Transfer } from './stock.ts';
import type { LedgerPage, Movement, StockStore } from './stock-store.ts';

/** Staff write it on every movement, and auditors read it on the ledger. */
const Reason = z.string().trim().min(1).max(200);

/** Far above any real count, low enough that a typo of a few extra digits is refused. */
const MAX_UNITS = 1_000_000;

/**
 * A stock take (`onHand`, the count found) or a signed change (`adjustBy`, with why). Receipts and
 * returns bring units in; an `adjustment` corrects either way.
 */
export const SetStockRequest = z
  .union([
    z.strictObject({
      onHand: z.number().int().min(0).max(MAX_UNITS).describe('The count found on the shelf'),
      reason: Reason.optional().describe('Written on the ledger; `stock take` when omitted'),
    }),
    z
      .strictObject({
        adjustBy: z
          .number()
          .int()
          .min(-MAX_UNITS)
          .max(MAX_UNITS)
          .refine((n) => n !== 0, 'adjustBy must not be zero')
          .describe('Units to add (positive) or remove (negative)'),
        reason: Reason,
        type: z.enum(['receipt', 'adjustment', 'return']).default('adjustment'),
      })
      .refine((body) => body.type === 'adjustment' || body.adjustBy > 0, {
        message: 'receipts and returns bring units in: adjustBy must be positive',
        path: ['adjustBy'],
      }),
  ])
  .meta({ id: 'SetStockRequest' });
export type SetStockRequest = z.infer<typeof SetStockRequest>;

/** A channel's allocation on one pool. */
export const SetFenceRequest = z
  .strictObject({
    units: z.number().int().min(0).max(MAX_UNITS).describe('Units ring-fenced for the channel'),
    overflow: z
      .boolean()
      .describe('Whether the channel may sell from the shared remainder once its fence is empty'),
    reason: Reason.optional().describe('Written on the ledger; `channel allocation` when omitted'),
  })
  .meta({ id: 'SetFenceRequest' });
export type SetFenceRequest = z.infer<typeof SetFenceRequest>;

export const TransferRequest = z
  .strictObject({
    sku: Sku,
    fromLocationId: Slug,
    toLocationId: Slug,
    quantity: z.number().int().min(1).max(10_000),
    reason: Reason,
  })
  .refine((body) => body.fromLocationId !== body.toLocationId, {
    message: 'a transfer moves stock between two different locations',
    path: ['toLocationId'],
  })
  .meta({ id: 'StockTransferRequest' });
export type TransferRequest = z.infer<typeof TransferRequest>;

/** What the staff stock operations need. */
export interface StockAdminDeps {
  readonly stock: StockStore;
  readonly locations: LocationDirectory;
  readonly clock: Clock;
}

/** The staff member acting: their subject goes on every ledger entry they cause. */
export const staffActor = (sub: string): StockActor => ({ kind: 'staff', id: sub });

/**
 * The transfer an `Idempotency-Key` names: the same caller's retry of a dispatch finds the transfer
 * its first attempt made instead of moving the stock twice, even after a crash between the two.
 */
export function transferIdFor(idempotency: { readonly scope: string; readonly key: string }): string {
  const digest = createHash('sha256').update(`${idempotency.scope}\n${idempotency.key}`).digest('hex');
  return `trf_${digest.slice(0, 32)}`;
}

/** @throws NotFoundError for a location the directory does not know */
async function locationOf(deps: StockAdminDeps, locationId: string): Promise<Location> {
  const location = await deps.locations.get(locationId);
  if (!location) throw new NotFoundError(`No location ${locationId}`, { locationId });
  return location;
}

function movement(deps: StockAdminDeps, actor: StockActor, reason: string, reference?: string): Movement {
  return { actor, reason, ...(reference ? { reference } : {}), now: deps.clock.now() };
}

/**
 * Sets a pool's count after a stock take, or changes it by a receipt, return or correction, creating
 * the pool on first receipt. The change lands on the shared remainder; fences, reservations and
 * allocations keep their units.
 * @throws NotFoundError for an unknown location
 * @throws StockCommittedError when the count would leave fewer units than are committed
 */
export async function setStock(
  deps: StockAdminDeps,
  actor: StockActor,
  pool: { readonly sku: string; readonly locationId: string },
  request: SetStockRequest,
): Promise<StockPool> {
  const location = await locationOf(deps, pool.locationId);
  const target = {
    sku: pool.sku,
    locationId: pool.locationId,
    zone: location.zone,
    locationType: location.type,
  };
  if ('onHand' in request) {
    return deps.stock.adjust({
      ...target,
      ...movement(deps, actor, request.reason ?? 'stock take'),
      type: 'adjustment',
      onHand: request.onHand,
    });
  }
  return deps.stock.adjust({
    ...target,
    ...movement(deps, actor, request.reason),
    type: request.type,
    by: request.adjustBy,
  });
}

/**
 * Sizes a channel's allocation on an existing pool, moving the difference between the fence and the
 * shared remainder. Drop fences are the drop's to manage and cannot be named here.
 * @throws NotFoundError for an unknown location, or a location that holds no stock of the SKU
 * @throws StockCommittedError when the remainder lacks the units, or the fence's units are in use
 */
export async function setChannelFence(
  deps: StockAdminDeps,
  actor: StockActor,
  pool: { readonly sku: string; readonly locationId: string; readonly channel: Channel },
  request: SetFenceRequest,
): Promise<StockPool> {
  await locationOf(deps, pool.locationId);
  const existing = (await deps.stock.pools([pool.sku])).find((p) => p.locationId === pool.locationId);
  if (!existing) {
    throw new NotFoundError(`${pool.locationId} holds no stock of ${pool.sku}`, {
      sku: pool.sku,
      locationId: pool.locationId,
    });
  }
  return deps.stock.setFence({
    sku: pool.sku,
    locationId: pool.locationId,
    key: pool.channel,
    units: request.units,
    overflow: request.overflow,
    ...movement(deps, actor, request.reason ?? 'channel allocation'),
  });
}

/**
 * Takes units off the source's shared remainder into transit, under the transfer id the caller's
 * `Idempotency-Key` derives.
 * @throws NotFoundError for an unknown source or destination
 * @throws OutOfStockError when the source's shared remainder lacks the units
 */
export async function dispatchTransfer(
  deps: StockAdminDeps,
  actor: StockActor,
  idempotency: { readonly scope: string; readonly key: string },
  request: TransferRequest,
): Promise<Transfer> {
  await locationOf(deps, request.fromLocationId);
  await locationOf(deps, request.toLocationId);
  const transferId = transferIdFor(idempotency);
  return deps.stock.dispatchTransfer({
    transferId,
    sku: request.sku,
    fromLocationId: request.fromLocationId,
    toLocationId: request.toLocationId,
    quantity: request.quantity,
    ...movement(deps, actor, request.reason, transferId),
  });
}

/**
 * Books an in-transit transfer's units in at its destination. Receiving it again answers the transfer
 * as received.
 * @throws NotFoundError for an unknown transfer
 */
export async function receiveTransfer(
  deps: StockAdminDeps,
  actor: StockActor,
  transferId: string,
): Promise<Transfer> {
  const transfer = await deps.stock.getTransfer(transferId);
  if (!transfer) throw new NotFoundError(`No transfer ${transferId}`, { transferId });
  if (transfer.status === 'in_transit') await openDestination(deps, actor, transfer);
  return deps.stock.receiveTransfer(transferId, movement(deps, actor, transfer.reason, transferId));
}

/**
 * A store that creates the destination pool on receipt only knows the source's zone, and planning
 * sells a pool to shoppers of its zone. Across zones the destination pool is therefore opened first,
 * empty and in its own zone (a change of zero units changes nothing on a pool that already exists).
 */
async function openDestination(deps: StockAdminDeps, actor: StockActor, transfer: Transfer): Promise<void> {
  const [from, to] = await Promise.all([
    deps.locations.get(transfer.fromLocationId),
    deps.locations.get(transfer.toLocationId),
  ]);
  if (!to || from?.zone === to.zone) return;
  const pools = await deps.stock.pools([transfer.sku]);
  if (pools.some((p) => p.locationId === to.locationId)) return;
  await deps.stock.adjust({
    sku: transfer.sku,
    locationId: to.locationId,
    zone: to.zone,
    locationType: to.type,
    type: 'receipt',
    by: 0,
    ...movement(deps, actor, 'transfer destination opened', transfer.transferId),
  });
}

/**
 * A page of a pool's ledger, oldest first.
 * @throws NotFoundError for an unknown location
 */
export async function stockLedger(
  deps: StockAdminDeps,
  pool: { readonly sku: string; readonly locationId: string },
  page: { readonly after?: string; readonly limit: number },
): Promise<LedgerPage> {
  await locationOf(deps, pool.locationId);
  return deps.stock.ledger(pool.sku, pool.locationId, {
    limit: page.limit,
    ...(page.after ? { after: page.after } : {}),
  });
}
