import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  derivedZoneId,
  newZoneId,
  orderIdOf,
  orderNumberOf,
  parseZoneId,
} from '../../../lib/commerce/ids.ts';
import { applyPaymentState, milestonesFor, type Order } from '../../../lib/commerce/order.ts';
import type { PaymentStateSnapshot } from '../../../lib/payments/payment-state.ts';

const NOW = new Date('2026-11-22T10:00:00Z');

function order(captureMethod: 'automatic' | 'manual', decision: 'approve' | 'review' = 'approve'): Order {
  return {
    orderId: 'ord_eu_0000000000000000000000000A',
    orderNumber: 'V-0000-0000-0000',
    zone: 'eu',
    checkoutId: 'chk_eu_0000000000000000000000000A',
    customerId: 'c1',
    email: 'a@example.com',
    market: 'FR',
    status: 'pending_payment',
    lines: [],
    totals: {} as Order['totals'],
    delivery: { method: 'standard' },
    allocation: { reservationId: 'r', lines: [], released: false },
    payment: {
      paymentIntentId: 'pi_1',
      captureMethod,
      amount: { amount: 100, currency: 'EUR' },
      state: { state: 'processing', occurredAt: '2026-11-22T09:00:00.000Z' },
    },
    risk: { decision, score: 0, reasons: [], policyVersion: 'v', evaluatedAt: '2026-11-22T09:00:00.000Z' },
    milestones: [],
    history: [],
    createdAt: '2026-11-22T09:00:00.000Z',
    updatedAt: '2026-11-22T09:00:00.000Z',
    version: 1,
  };
}

const at = (s: number) => new Date(Date.parse('2026-11-22T09:00:00Z') + s * 1000).toISOString();
const SEQUENCE: PaymentStateSnapshot[] = [
  { state: 'requires_capture', occurredAt: at(1) },
  { state: 'succeeded', occurredAt: at(2) },
  { state: 'partially_refunded', occurredAt: at(3), amountRefunded: 40 },
  { state: 'refunded', occurredAt: at(4), amountRefunded: 100 },
];

function run(start: Order, events: readonly PaymentStateSnapshot[]) {
  let current = start;
  const emitted: string[] = [];
  let releases = 0;
  for (const event of events) {
    const t = applyPaymentState(current, event, NOW);
    if (!t) continue;
    current = t.order;
    emitted.push(...t.newMilestones);
    if (t.releaseStock) releases++;
  }
  return { order: current, emitted, releases };
}

describe('order payment state', () => {
  it('ends every ordering and duplication of a 4-event sequence in the in-order state, with each milestone once', () => {
    const reference = run(order('manual'), SEQUENCE);
    expect(reference.order.status).toBe('refunded');
    expect(reference.emitted).toEqual(['authorized', 'captured', 'refunded']);
    fc.assert(
      fc.property(
        fc.shuffledSubarray([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], { minLength: 12, maxLength: 12 }),
        (indexes) => {
          const result = run(
            order('manual'),
            indexes.map((i) => SEQUENCE[i]!),
          );
          expect(result.order.status).toBe(reference.order.status);
          expect(result.order.payment.state).toEqual(reference.order.payment.state);
          expect([...result.emitted].sort()).toEqual([...reference.emitted].sort());
          expect(result.releases).toBe(1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds a reviewed order in under_review until a decision, then authorized', () => {
    const held = applyPaymentState(order('manual', 'review'), SEQUENCE[0]!, NOW)!;
    expect(held.order.status).toBe('under_review');
    const approved = applyPaymentState(
      { ...held.order, review: { decision: 'approve', by: 's', at: at(5) } },
      { state: 'succeeded', occurredAt: at(6) },
      NOW,
    )!;
    expect(approved.order.status).toBe('paid');
  });

  it('cancels a held authorization once and asks for its stock back', () => {
    const held = applyPaymentState(order('manual'), SEQUENCE[0]!, NOW)!.order;
    const cancelled = applyPaymentState(held, { state: 'canceled', occurredAt: at(9) }, NOW)!;
    expect(cancelled.order.status).toBe('cancelled');
    expect(cancelled.newMilestones).toEqual(['cancelled']);
    expect(cancelled.releaseStock).toBe(true);
    expect(
      applyPaymentState(cancelled.order, { state: 'succeeded', occurredAt: at(10) }, NOW),
    ).toBeUndefined();
  });

  it('gives automatic captures no authorization milestone', () => {
    expect(milestonesFor('succeeded', 'automatic')).toEqual(['captured']);
    expect(milestonesFor('succeeded', 'manual')).toEqual(['authorized', 'captured']);
  });
});

describe('zone ids', () => {
  it('carry their zone and derive one order per checkout', () => {
    const checkoutId = derivedZoneId('chk', 'eu', 'scope\nkey');
    expect(derivedZoneId('chk', 'eu', 'scope\nkey')).toBe(checkoutId);
    expect(parseZoneId(checkoutId)).toMatchObject({ kind: 'chk', zone: 'eu' });
    expect(parseZoneId(orderIdOf(checkoutId))).toMatchObject({ kind: 'ord', zone: 'eu' });
    expect(parseZoneId(newZoneId('crt', 'apac'))).toMatchObject({ kind: 'crt', zone: 'apac' });
    expect(parseZoneId('chk_eu_../../etc')).toBeUndefined();
  });

  it('formats order numbers for reading aloud', () => {
    const number = orderNumberOf('ord_eu_0000000000000000000000000A');
    expect(number).toMatch(/^V-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(orderNumberOf('ord_eu_0000000000000000000000000A', 1)).not.toBe(number);
  });
});
