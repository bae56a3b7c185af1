import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Money } from '../../lib/money/currency.ts';
import {
  IdempotencyKeyReusedError,
  PaymentAmountError,
  PaymentIntentNotFoundError,
  PaymentIntentStateError,
} from '../../lib/payments/errors.ts';
import { idempotencyKeyFor } from '../../lib/payments/idempotency-keys.ts';
import type { CreatePaymentIntentInput, PaymentGateway } from '../../lib/payments/payment-gateway.ts';
import { PaymentIntentView, RefundView } from '../../lib/payments/payment-intent.ts';

/** A gateway under test and the shopper's side of Stripe, which the port deliberately lacks. */
export interface PaymentGatewayHarness {
  readonly gateway: PaymentGateway;
  /** Confirms as Stripe.js would with a test PaymentMethod; a decline is not an error here. */
  confirm(paymentIntentId: string, paymentMethod: string): Promise<void>;
  /** The clock the gateway reads, in ms since the epoch. */
  now(): number;
  close(): Promise<void>;
}

const EUR = (amount: number): Money => ({ amount, currency: 'EUR' });
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The behaviour every PaymentGateway owes the checkout and order flows, asserted identically against the
 * local gateway and the Stripe adapter (against a fake Stripe API).
 */
export function describePaymentGatewayContract(
  name: string,
  setup: () => Promise<PaymentGatewayHarness>,
): void {
  describe(`PaymentGateway contract: ${name}`, () => {
    let harness: PaymentGatewayHarness;
    let gateway: PaymentGateway;

    beforeEach(async () => {
      harness = await setup();
      gateway = harness.gateway;
    });
    afterEach(async () => {
      await harness.close();
    });

    const create = (overrides: Partial<CreatePaymentIntentInput> = {}) => {
      const checkoutId = `chk-${randomUUID()}`;
      return gateway.createPaymentIntent({
        amount: EUR(245_000),
        captureMethod: 'automatic',
        metadata: { checkoutId },
        idempotencyKey: idempotencyKeyFor('checkout.pi-create', checkoutId),
        ...overrides,
      });
    };
    const authorized = async (amount = EUR(245_000)) => {
      const intent = await create({ amount, captureMethod: 'manual' });
      await harness.confirm(intent.id, 'pm_card_visa');
      return intent;
    };
    const paid = async () => {
      const intent = await create();
      await harness.confirm(intent.id, 'pm_card_visa');
      return intent;
    };
    const key = () => `test:${randomUUID()}`;

    describe('creating', () => {
      it('creates an intent awaiting a payment method, with amount, metadata and client secret', async () => {
        const intent = await gateway.createPaymentIntent({
          amount: EUR(245_000),
          captureMethod: 'manual',
          metadata: { checkoutId: 'chk-1', orderId: 'ord-1', market: 'FR' },
          idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-1'),
        });

        expect(PaymentIntentView.parse(intent)).toEqual(intent);
        expect(intent).toMatchObject({
          status: 'requires_payment_method',
          amount: EUR(245_000),
          amountCapturable: EUR(0),
          amountReceived: EUR(0),
          amountRefunded: EUR(0),
          captureMethod: 'manual',
          metadata: { checkoutId: 'chk-1', orderId: 'ord-1', market: 'FR' },
        });
        expect(intent.id).toMatch(/^pi_/);
        expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_`));
      });

      it('keeps amounts in minor units for a two-decimal and a zero-decimal currency', async () => {
        const euros = await create({ amount: { amount: 245_050, currency: 'EUR' } });
        const yen = await create({ amount: { amount: 368_000, currency: 'JPY' } });

        expect((await gateway.retrieve(euros.id)).amount).toEqual({ amount: 245_050, currency: 'EUR' });
        expect((await gateway.retrieve(yen.id)).amount).toEqual({ amount: 368_000, currency: 'JPY' });
      });

      it('refuses a three-decimal amount whose last digit is not 0 before calling the provider', async () => {
        await expect(create({ amount: { amount: 12_345, currency: 'KWD' } })).rejects.toBeInstanceOf(
          PaymentAmountError,
        );
        const kwd = await create({ amount: { amount: 12_340, currency: 'KWD' } });
        expect(kwd.amount).toEqual({ amount: 12_340, currency: 'KWD' });
      });

      it('returns the same intent when the same create is retried with the same key', async () => {
        const input = {
          amount: EUR(245_000),
          captureMethod: 'automatic' as const,
          metadata: { checkoutId: 'chk-retry' },
          idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-retry'),
        };

        const first = await gateway.createPaymentIntent(input);
        const retried = await gateway.createPaymentIntent(input);

        expect(retried.id).toBe(first.id);
        expect(retried.clientSecret).toBe(first.clientSecret);
      });

      it('rejects the same key with a different amount as an idempotency error', async () => {
        const idempotencyKey = idempotencyKeyFor('checkout.pi-create', 'chk-changed');
        await gateway.createPaymentIntent({
          amount: EUR(245_000),
          captureMethod: 'automatic',
          metadata: { checkoutId: 'chk-changed' },
          idempotencyKey,
        });

        await expect(
          gateway.createPaymentIntent({
            amount: EUR(245_100),
            captureMethod: 'automatic',
            metadata: { checkoutId: 'chk-changed' },
            idempotencyKey,
          }),
        ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      });
    });

    describe('retrieving', () => {
      it('reads an intent as it now stands', async () => {
        const intent = await create();
        await harness.confirm(intent.id, 'pm_card_visa');

        const current = await gateway.retrieve(intent.id);

        expect(current).toMatchObject({ id: intent.id, status: 'succeeded', amountReceived: EUR(245_000) });
        expect(current.paymentFingerprint).toEqual(expect.any(String));
        expect(current.riskLevel).toBe('normal');
      });

      it('reports an unknown intent as not found', async () => {
        await expect(gateway.retrieve('pi_doesnotexist0000000000')).rejects.toBeInstanceOf(
          PaymentIntentNotFoundError,
        );
      });

      it('shows a declined card as awaiting another payment method, with the decline', async () => {
        const intent = await create();
        await harness.confirm(intent.id, 'pm_card_chargeDeclined');

        expect(await gateway.retrieve(intent.id)).toMatchObject({
          status: 'requires_payment_method',
          lastPaymentError: { type: 'card_error', code: 'card_declined', declineCode: 'generic_decline' },
        });
      });
    });

    describe('capturing', () => {
      it('holds a manual-capture payment until captured, with a capture deadline 7 days out', async () => {
        const intent = await authorized();

        const held = await gateway.retrieve(intent.id);

        expect(held).toMatchObject({ status: 'requires_capture', amountCapturable: EUR(245_000) });
        const deadline = Date.parse(held.captureBefore ?? '');
        expect(deadline).toBeGreaterThan(harness.now() + 7 * DAY_MS - 60_000);
        expect(deadline).toBeLessThanOrEqual(harness.now() + 7 * DAY_MS);
      });

      it('captures the whole hold', async () => {
        const intent = await authorized();

        const captured = await gateway.capture(intent.id, { idempotencyKey: key() });

        expect(captured).toMatchObject({
          status: 'succeeded',
          amountReceived: EUR(245_000),
          amountCapturable: EUR(0),
          amountRefunded: EUR(0),
        });
      });

      it('captures part of the hold and releases the rest', async () => {
        const intent = await authorized();

        const captured = await gateway.capture(intent.id, {
          amountToCapture: EUR(200_000),
          idempotencyKey: key(),
        });

        expect(captured).toMatchObject({
          status: 'succeeded',
          amountReceived: EUR(200_000),
          amountRefunded: EUR(0),
        });
      });

      it('replays a retried capture and refuses a second capture under a new key', async () => {
        const intent = await authorized();
        const captureKey = idempotencyKeyFor('order.capture', `ord-${randomUUID()}`);

        const first = await gateway.capture(intent.id, { idempotencyKey: captureKey });
        const retried = await gateway.capture(intent.id, { idempotencyKey: captureKey });

        expect(retried).toEqual(first);
        await expect(gateway.capture(intent.id, { idempotencyKey: key() })).rejects.toBeInstanceOf(
          PaymentIntentStateError,
        );
      });

      it('refuses to capture more than the hold', async () => {
        const intent = await authorized();

        await expect(
          gateway.capture(intent.id, { amountToCapture: EUR(245_010), idempotencyKey: key() }),
        ).rejects.toBeInstanceOf(PaymentAmountError);
      });

      it('refuses a capture amount in another currency', async () => {
        const intent = await authorized();

        await expect(
          gateway.capture(intent.id, {
            amountToCapture: { amount: 1000, currency: 'JPY' },
            idempotencyKey: key(),
          }),
        ).rejects.toBeInstanceOf(PaymentAmountError);
      });

      it('refuses to capture an intent that is not held', async () => {
        const intent = await create();

        await expect(gateway.capture(intent.id, { idempotencyKey: key() })).rejects.toBeInstanceOf(
          PaymentIntentStateError,
        );
      });
    });

    describe('cancelling', () => {
      it('cancels a hold and releases it', async () => {
        const intent = await authorized();

        const canceled = await gateway.cancel(intent.id, {
          reason: 'requested_by_customer',
          idempotencyKey: key(),
        });

        expect(canceled).toMatchObject({
          status: 'canceled',
          cancellationReason: 'requested_by_customer',
          amountCapturable: EUR(0),
          amountReceived: EUR(0),
        });
      });

      it('cancels an intent that was never confirmed', async () => {
        const intent = await create();

        expect(await gateway.cancel(intent.id, { reason: 'abandoned', idempotencyKey: key() })).toMatchObject(
          {
            status: 'canceled',
          },
        );
      });

      it('refuses to cancel a payment that succeeded', async () => {
        const intent = await paid();

        await expect(
          gateway.cancel(intent.id, { reason: 'duplicate', idempotencyKey: key() }),
        ).rejects.toBeInstanceOf(PaymentIntentStateError);
      });
    });

    describe('refunding', () => {
      it('refunds in parts up to what was captured', async () => {
        const intent = await paid();

        const first = await gateway.refund(intent.id, { amount: EUR(45_000), idempotencyKey: key() });
        const rest = await gateway.refund(intent.id, { idempotencyKey: key() });

        expect(RefundView.parse(first)).toEqual(first);
        expect(first).toMatchObject({ status: 'succeeded', amount: EUR(45_000) });
        expect(first.paymentIntent.amountRefunded).toEqual(EUR(45_000));
        expect(rest.amount).toEqual(EUR(200_000));
        expect(rest.paymentIntent).toMatchObject({ status: 'succeeded', amountRefunded: EUR(245_000) });
      });

      it('refunds only what a partial capture took', async () => {
        const intent = await authorized();
        await gateway.capture(intent.id, { amountToCapture: EUR(100_000), idempotencyKey: key() });

        const refund = await gateway.refund(intent.id, { idempotencyKey: key() });

        expect(refund.amount).toEqual(EUR(100_000));
        expect(refund.paymentIntent.amountRefunded).toEqual(EUR(100_000));
      });

      it('refuses to refund more than is left', async () => {
        const intent = await paid();
        await gateway.refund(intent.id, { amount: EUR(200_000), idempotencyKey: key() });

        await expect(
          gateway.refund(intent.id, { amount: EUR(45_010), idempotencyKey: key() }),
        ).rejects.toBeInstanceOf(PaymentAmountError);
      });

      it('refuses to refund a hold that was never captured', async () => {
        const intent = await authorized();

        await expect(gateway.refund(intent.id, { idempotencyKey: key() })).rejects.toBeInstanceOf(
          PaymentIntentStateError,
        );
      });

      it('replays a retried refund instead of refunding twice', async () => {
        const intent = await paid();
        const refundKey = idempotencyKeyFor('order.refund', `ord-${randomUUID()}`, 'ret-1');

        const first = await gateway.refund(intent.id, { amount: EUR(10_000), idempotencyKey: refundKey });
        const retried = await gateway.refund(intent.id, { amount: EUR(10_000), idempotencyKey: refundKey });

        expect(retried.id).toBe(first.id);
        expect((await gateway.retrieve(intent.id)).amountRefunded).toEqual(EUR(10_000));
      });
    });
  });
}
