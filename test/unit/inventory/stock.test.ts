import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../lib/errors.ts';
import { OutOfStockError } from '../../../lib/inventory/errors.ts';
import {
  poolViolations,
  reservationLines,
  StockPool,
  sameLines,
  sumLines,
} from '../../../lib/inventory/stock.ts';
import { errorResponse } from '../../../lib/runtime/http/error-envelope.ts';

const line = (sku: string, locationId: string, quantity: number) => ({ sku, locationId, quantity });

describe('reservation lines', () => {
  it('sums lines of the same pool and orders them by SKU, then location', () => {
    expect(
      sumLines([
        line('RING-1', 'venlo-warehouse', 1),
        line('BAG-1', 'roissy-warehouse', 2),
        line('RING-1', 'roissy-warehouse', 1),
        line('RING-1', 'venlo-warehouse', 2),
      ]),
    ).toEqual([
      line('BAG-1', 'roissy-warehouse', 2),
      line('RING-1', 'roissy-warehouse', 1),
      line('RING-1', 'venlo-warehouse', 3),
    ]);
  });

  it('compares lines by what they take, not how they were written', () => {
    const a = [line('RING-1', 'roissy-warehouse', 1), line('RING-1', 'roissy-warehouse', 1)];
    expect(sameLines(a, [line('RING-1', 'roissy-warehouse', 2)])).toBe(true);
    expect(sameLines(a, [line('RING-1', 'roissy-warehouse', 3)])).toBe(false);
    expect(sameLines(a, [line('RING-1', 'venlo-warehouse', 2)])).toBe(false);
  });

  it('accepts 99 pools and rejects the 100th, counting pools after summing', () => {
    const pools = (n: number) => Array.from({ length: n }, (_, i) => line(`SKU-${i}`, 'roissy-warehouse', 1));
    expect(reservationLines([...pools(99), ...pools(99)])).toHaveLength(99);
    const error = (() => {
      try {
        return reservationLines(pools(100));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual({ pools: 100, max: 99 });
    expect(() => reservationLines([line('lower-case', 'roissy-warehouse', 1)])).toThrow(ValidationError);
  });
});

describe('StockPool', () => {
  const pool = {
    sku: 'RING-1',
    locationId: 'roissy-warehouse',
    zone: 'eu',
    onHand: 5,
    reserved: 2,
    allocated: 1,
    available: 2,
  };

  it('reports broken conservation and negative counters', () => {
    expect(poolViolations(pool)).toEqual([]);
    expect(poolViolations({ ...pool, available: 3 })).toEqual([
      'onHand 5 != available 3 + reserved 2 + allocated 1',
    ]);
    expect(poolViolations({ ...pool, available: -1, onHand: 2 })).toEqual(['available is negative (-1)']);
  });

  it('reads stored items leniently, so later attributes (ledger, channels) do not break old readers', () => {
    expect(StockPool.parse({ ...pool, pk: 'POOL#RING-1', sk: 'LOC#roissy-warehouse', channels: {} })).toEqual(
      pool,
    );
  });
});

describe('OutOfStockError', () => {
  it('is a 409 conflict naming each short SKU once, in order, in the error envelope', () => {
    const error = new OutOfStockError(['RING-2', 'RING-1', 'RING-2']);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.skus).toEqual(['RING-1', 'RING-2']);
    const response = errorResponse(error, 'req-1');
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'OUT_OF_STOCK',
        message: 'Not enough stock for RING-1, RING-2',
        requestId: 'req-1',
        details: { skus: ['RING-1', 'RING-2'] },
      },
    });
  });
});
