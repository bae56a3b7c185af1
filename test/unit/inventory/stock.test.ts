import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../lib/errors.ts';
import { OutOfStockError } from '../../../lib/inventory/errors.ts';
import {
  adjustmentChange,
  applyDelta,
  deltaFits,
  LedgerEntry,
  ledgerEntry,
  ledgerEntryId,
  ledgerLimit,
  ledgerPosition,
  lineDelta,
  MAX_RESERVATION_POOLS,
  noDelta,
  type PoolDelta,
  poolCounters,
  poolViolations,
  replayLedger,
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

  it('accepts 49 pools and rejects the 50th, counting pools after summing', () => {
    const pools = (n: number) => Array.from({ length: n }, (_, i) => line(`SKU-${i}`, 'roissy-warehouse', 1));
    expect(reservationLines([...pools(49), ...pools(49)])).toHaveLength(49);
    const error = (() => {
      try {
        return reservationLines(pools(50));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details).toEqual({ pools: 50, max: 49 });
    expect(MAX_RESERVATION_POOLS).toBe(49);
    expect(() => reservationLines([line('lower-case', 'roissy-warehouse', 1)])).toThrow(ValidationError);
  });

  it('adds up the fenced parts of lines of one pool, and refuses two fences for one pool', () => {
    const fenced = (quantity: number, key: string, units: number) => ({
      ...line('RING-1', 'roissy-warehouse', quantity),
      fence: { key, units },
    });
    expect(sumLines([fenced(2, 'clienteling', 1), line('RING-1', 'roissy-warehouse', 1)])).toEqual([
      fenced(3, 'clienteling', 1),
    ]);
    expect(sumLines([fenced(2, 'clienteling', 1), fenced(1, 'clienteling', 1)])).toEqual([
      fenced(3, 'clienteling', 2),
    ]);
    expect(() => sumLines([fenced(1, 'web', 1), fenced(1, 'app', 1)])).toThrow(ValidationError);
    expect(sameLines([fenced(2, 'web', 1)], [fenced(2, 'web', 1)])).toBe(true);
    expect(sameLines([fenced(2, 'web', 1)], [fenced(2, 'web', 2)])).toBe(false);
    expect(sameLines([fenced(2, 'web', 1)], [line('RING-1', 'roissy-warehouse', 2)])).toBe(false);
    expect(
      sameLines(
        [{ ...line('RING-1', 'roissy-warehouse', 2), fulfilledAt: '2026-03-01T10:00:00.000Z' }],
        [line('RING-1', 'roissy-warehouse', 2)],
      ),
    ).toBe(true);
  });

  it('refuses a fenced part larger than its line, and fulfilled lines in a new reservation', () => {
    expect(() =>
      reservationLines([{ ...line('RING-1', 'roissy-warehouse', 1), fence: { key: 'web', units: 2 } }]),
    ).toThrow(ValidationError);
    expect(() =>
      reservationLines([{ ...line('RING-1', 'roissy-warehouse', 1), fence: { key: 'Web', units: 1 } }]),
    ).toThrow(ValidationError);
    expect(() =>
      reservationLines([
        { ...line('RING-1', 'roissy-warehouse', 1), fulfilledAt: '2026-03-01T10:00:00.000Z' },
      ]),
    ).toThrow(ValidationError);
  });
});

describe('line movements', () => {
  const fenced = { ...line('RING-1', 'roissy-warehouse', 3), fence: { key: 'clienteling', units: 2 } };
  const plain = line('RING-1', 'roissy-warehouse', 2);
  const delta = (d: Partial<PoolDelta>): PoolDelta => ({ ...noDelta(), ...d });

  it('takes a line from its fence and the shared remainder, and gives each part back there', () => {
    expect(lineDelta(fenced, 'pool', 'reserved')).toEqual(
      delta({ available: -1, reserved: 3, fences: { clienteling: -2 } }),
    );
    expect(lineDelta(fenced, 'reserved', 'pool')).toEqual(
      delta({ available: 1, reserved: -3, fences: { clienteling: 2 } }),
    );
    expect(lineDelta(fenced, 'pool', 'allocated')).toEqual(
      delta({ available: -1, allocated: 3, fences: { clienteling: -2 } }),
    );
    expect(lineDelta(plain, 'pool', 'reserved')).toEqual(delta({ available: -2, reserved: 2 }));
  });

  it('moves paid units into allocated and shipped ones off on hand, leaving fences alone', () => {
    expect(lineDelta(fenced, 'reserved', 'allocated')).toEqual(delta({ reserved: -3, allocated: 3 }));
    expect(lineDelta(fenced, 'allocated', 'shipped')).toEqual(delta({ allocated: -3, onHand: -3 }));
    expect(lineDelta(fenced, 'allocated', 'pool')).toEqual(
      delta({ allocated: -3, available: 1, fences: { clienteling: 2 } }),
    );
  });

  it('applies a delta only where every counter and fence it lowers has the units', () => {
    const pool: StockPool = {
      ...basePool(),
      onHand: 5,
      available: 1,
      reserved: 0,
      allocated: 0,
      fences: { clienteling: { units: 4, overflow: true } },
    };
    const take = lineDelta(fenced, 'pool', 'reserved');
    expect(deltaFits(pool, take)).toBe(true);
    expect(deltaFits(pool, lineDelta({ ...fenced, quantity: 4 }, 'pool', 'reserved'))).toBe(false);
    expect(
      deltaFits(pool, lineDelta({ ...fenced, fence: { key: 'web', units: 2 } }, 'pool', 'reserved')),
    ).toBe(false);
    expect(deltaFits(undefined, take)).toBe(false);
    applyDelta(pool, take);
    expect(pool).toMatchObject({
      onHand: 5,
      available: 0,
      reserved: 3,
      fences: { clienteling: { units: 2 } },
    });
    expect(poolViolations(pool)).toEqual([]);
  });
});

describe('the ledger', () => {
  const context = {
    actor: { kind: 'staff' as const, id: 'staff-1' },
    reason: 'delivery',
    reference: 'po-1',
    now: new Date('2026-03-01T10:00:00.000Z'),
  };
  const pool = { sku: 'RING-1', locationId: 'roissy-warehouse' };

  it('builds entries with unique readable ids, positioned by time then id', () => {
    const a = ledgerEntry(pool, 'receipt', { ...noDelta(), onHand: 2, available: 2 }, context);
    const b = ledgerEntry(pool, 'receipt', { ...noDelta(), onHand: 2, available: 2 }, context);
    expect(a.entryId).toMatch(/^receipt:po-1:[0-9a-f]{16}$/);
    expect(a.entryId).not.toBe(b.entryId);
    expect(ledgerPosition(a)).toBe(`2026-03-01T10:00:00.000Z#${a.entryId}`);
    expect(LedgerEntry.parse(a)).toEqual(a);
    expect(ledgerEntryId('release', undefined)).toMatch(/^release:-:/);
    expect(() => ledgerEntry(pool, 'receipt', noDelta(), { ...context, reason: '' })).toThrow(
      ValidationError,
    );
    expect(() => ledgerEntry({ ...pool, sku: 'bad' }, 'receipt', noDelta(), context)).toThrow(
      ValidationError,
    );
  });

  it('replays entries from nothing into the counters, in any order, leaving out empty fences', () => {
    const entries = [
      ledgerEntry(pool, 'receipt', { ...noDelta(), onHand: 10, available: 10 }, context),
      ledgerEntry(pool, 'fence', { ...noDelta(), available: -4, fences: { web: 4 } }, context),
      ledgerEntry(
        pool,
        'reservation',
        { ...noDelta(), available: -1, reserved: 3, fences: { web: -2 } },
        context,
      ),
      ledgerEntry(pool, 'fence', { ...noDelta(), available: 1, fences: { app: 1, web: -2 } }, context),
      ledgerEntry(pool, 'fence', { ...noDelta(), available: 1, fences: { app: -1 } }, context),
    ];
    const counters = { onHand: 10, available: 7, reserved: 3, allocated: 0, fences: {} };
    expect(replayLedger(entries)).toEqual(counters);
    expect(replayLedger([...entries].reverse())).toEqual(counters);
    expect(replayLedger([])).toEqual({ onHand: 0, available: 0, reserved: 0, allocated: 0, fences: {} });
    expect(
      poolCounters({
        ...basePool(),
        ...counters,
        fences: { web: { units: 0, overflow: true }, app: { units: 2, overflow: false } },
      }),
    ).toEqual({ ...counters, fences: { app: 2 } });
  });

  it('works out the change of a stock take or a signed adjustment, and refuses anything else', () => {
    expect(adjustmentChange({ onHand: 7 }, 4)).toBe(3);
    expect(adjustmentChange({ by: -2 }, 4)).toBe(-2);
    for (const bad of [{}, { onHand: 1, by: 1 }, { onHand: -1 }, { onHand: 1.5 }, { by: 0.5 }]) {
      expect(() => adjustmentChange(bad, 0), JSON.stringify(bad)).toThrow(ValidationError);
    }
    expect(() => ledgerLimit(0)).toThrow(ValidationError);
    expect(() => ledgerLimit(1_001)).toThrow(ValidationError);
    expect(ledgerLimit(undefined)).toBe(100);
  });
});

function basePool(): StockPool {
  return {
    sku: 'RING-1',
    locationId: 'roissy-warehouse',
    zone: 'eu',
    onHand: 5,
    reserved: 2,
    allocated: 1,
    available: 2,
    fences: {},
  };
}

describe('StockPool', () => {
  const pool = basePool();

  it('reports broken conservation and negative counters, fences included', () => {
    expect(poolViolations(pool)).toEqual([]);
    expect(poolViolations({ ...pool, available: 3 })).toEqual([
      'onHand 5 != available 3 + fenced 0 + reserved 2 + allocated 1',
    ]);
    expect(poolViolations({ ...pool, available: -1, onHand: 2 })).toEqual(['available is negative (-1)']);
    expect(poolViolations({ ...pool, available: 1, fences: { web: { units: 1, overflow: true } } })).toEqual(
      [],
    );
    expect(poolViolations({ ...pool, available: 3, fences: { web: { units: -1, overflow: true } } })).toEqual(
      ['fence web is negative (-1)'],
    );
  });

  it('reads stored items leniently, with no fences when the item has none', () => {
    const { fences: _, ...stored } = pool;
    expect(
      StockPool.parse({ ...stored, pk: 'POOL#RING-1', sk: 'LOC#roissy-warehouse', channels: {} }),
    ).toEqual(pool);
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
