import { ConflictError, NotFoundError } from '../errors.ts';

/**
 * Not enough available stock for some SKUs of a request. `details.skus` names every SKU that could not be
 * served (sorted, without duplicates) so a storefront can mark exactly those lines.
 */
export class OutOfStockError extends ConflictError {
  override readonly code = 'OUT_OF_STOCK';
  declare readonly details: { skus: string[] };

  constructor(skus: Iterable<string>, message?: string) {
    const names = [...new Set(skus)].sort();
    super(message ?? `Not enough stock for ${names.join(', ')}`, { skus: names });
  }

  /** The SKUs that could not be served. */
  get skus(): readonly string[] {
    return this.details.skus;
  }
}

/** The reservation id is taken by a reservation with other lines or another owner. */
export class ReservationConflictError extends ConflictError {
  override readonly code = 'RESERVATION_CONFLICT';
}

/**
 * A transaction kept losing to concurrent writers on the same pools after every retry. Nothing was
 * written; the caller may try again.
 */
export class StockContentionError extends ConflictError {
  override readonly code = 'STOCK_CONTENDED';
}

/** On hand cannot drop below the units already reserved for checkouts or allocated to orders. */
export class StockCommittedError extends ConflictError {
  override readonly code = 'STOCK_COMMITTED';
}

export class ReservationNotFoundError extends NotFoundError {}

export class TransferNotFoundError extends NotFoundError {}
