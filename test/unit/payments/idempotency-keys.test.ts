import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.ts';
import {
  idempotencyKeyFor,
  PAYMENT_OPERATIONS,
  type PaymentOperation,
} from '../../../lib/payments/idempotency-keys.ts';

describe('idempotencyKeyFor', () => {
  it('names the business operation and its subject', () => {
    expect(idempotencyKeyFor('checkout.pi-create', 'chk_01HZX')).toBe('checkout:chk_01HZX:pi-create');
    expect(idempotencyKeyFor('order.pi-create', 'ord-1')).toBe('order:ord-1:pi-create');
    expect(idempotencyKeyFor('order.capture', 'ord-1')).toBe('order:ord-1:capture');
    expect(idempotencyKeyFor('order.cancel', 'ord-1')).toBe('order:ord-1:cancel');
    expect(idempotencyKeyFor('order.refund', 'ord-1', 'ret-7')).toBe('order:ord-1:refund:ret-7');
    expect(idempotencyKeyFor('order.reauthorize', 'ord-1', 2)).toBe('order:ord-1:reauthorize:2');
  });

  it('is the same on every retry: nothing random, nothing per attempt', () => {
    expect(idempotencyKeyFor('order.capture', 'ord-1')).toBe(idempotencyKeyFor('order.capture', 'ord-1'));
  });

  it('gives distinct operations and subjects distinct keys', () => {
    const operations = Object.keys(PAYMENT_OPERATIONS) as PaymentOperation[];
    const id = fc.stringMatching(/^[A-Za-z0-9._~-]{1,40}$/);
    fc.assert(
      fc.property(
        fc.constantFrom(...operations),
        id,
        fc.constantFrom(...operations),
        id,
        (op1, id1, op2, id2) => {
          fc.pre(op1 !== op2 || id1 !== id2);
          expect(idempotencyKeyFor(op1, id1)).not.toBe(idempotencyKeyFor(op2, id2));
        },
      ),
    );
  });

  it('refuses ids that could make two keys collide or exceed 255 characters', () => {
    expect(() => idempotencyKeyFor('order.capture', 'a:b')).toThrow(ValidationError);
    expect(() => idempotencyKeyFor('order.capture', '')).toThrow(ValidationError);
    expect(() => idempotencyKeyFor('order.refund', 'ord-1', 'ret 1')).toThrow(ValidationError);
    expect(() => idempotencyKeyFor('order.capture', 'x'.repeat(250))).toThrow(ValidationError);
  });
});
