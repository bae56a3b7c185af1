import { VersionConflictError } from '../errors.ts';
import type { StockStore } from '../inventory/stock-store.ts';
import { PaymentIntentStateError } from '../payments/errors.ts';
import { idempotencyKeyFor } from '../payments/idempotency-keys.ts';
import type { PaymentGateway } from '../payments/payment-gateway.ts';
import type { Clock } from '../platform/domain-event.ts';
import { abandonedEvent } from './apply-payment-event.ts';
import type { CommerceRepository } from './commerce-repository.ts';

export interface SweepDeps {
  readonly commerce: CommerceRepository;
  readonly stock: StockStore;
  readonly payments: PaymentGateway;
  readonly clock: Clock;
}

/** What one sweep did. */
export interface SweepReport {
  readonly expired: number;
  readonly released: number;
  readonly abandoned: number;
}

const PAGE = 100;
const CONCURRENCY = 8;

/**
 * Releases stock holds whose `holdUntil` has passed (the scheduled sweeper; DynamoDB TTL can take days,
 * far too slow for scarce stock). Per hold, in an order that a crash at any point leaves resumable:
 * 1. the checkout, if still waiting for payment, becomes `abandoned` (CheckoutAbandoned, once);
 * 2. its PaymentIntent is cancelled (key `checkout:{id}:pi-cancel`), so a late confirmation cannot
 *    charge; if the payment already succeeded, the cancel is refused and the payment webhook either
 *    allocates the stock (still held) or refunds;
 * 3. the hold is released only if it is still held: an allocation that won the race is never undone.
 */
export async function sweepExpiredHolds(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  let expired = 0;
  let released = 0;
  let abandoned = 0;
  for (let pass = 0; pass < 20; pass++) {
    const holds = await deps.stock.expiredHolds(now, PAGE);
    if (holds.length === 0) break;
    expired += holds.length;
    let next = 0;
    const worker = async () => {
      while (next < holds.length) {
        const hold = holds[next++]!;
        if (await abandonCheckout(deps, hold.owner.checkoutId, now)) abandoned++;
        if (await deps.stock.release(hold.reservationId, 'hold_expired', now, { ifExpired: true }))
          released++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, holds.length) }, worker));
    if (holds.length < PAGE) break;
  }
  return { expired, released, abandoned };
}

async function abandonCheckout(deps: SweepDeps, checkoutId: string, now: Date): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const checkout = await deps.commerce.getCheckout(checkoutId);
    // A crash before the checkout was stored leaves a hold with no checkout: nothing to abandon.
    if (!checkout) return false;
    let changed = false;
    if (checkout.status === 'awaiting_payment' || checkout.status === 'payment_failed') {
      try {
        await deps.commerce.saveCheckout(
          {
            ...checkout,
            status: 'abandoned',
            abandonedReason: 'hold_expired',
            reservation: checkout.reservation ? { ...checkout.reservation, released: true } : null,
            updatedAt: now.toISOString(),
            version: checkout.version + 1,
          },
          checkout.version,
          [abandonedEvent(checkout, 'hold_expired', now)],
        );
        changed = true;
      } catch (error) {
        if (error instanceof VersionConflictError) continue;
        throw error;
      }
    }
    if (checkout.payment && (changed || checkout.status === 'abandoned')) {
      try {
        await deps.payments.cancel(checkout.payment.paymentIntentId, {
          reason: 'abandoned',
          idempotencyKey: idempotencyKeyFor('checkout.pi-cancel', checkoutId),
        });
      } catch (error) {
        if (!(error instanceof PaymentIntentStateError)) throw error;
      }
    }
    return changed;
  }
  return false;
}
