import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lazyStripeClient } from '../../lib/adapters/stripe/stripe-client.ts';
import { StripePaymentGateway } from '../../lib/adapters/stripe/stripe-payment-gateway.ts';
import {
  IdempotencyKeyInUseError,
  PaymentAmountError,
  PaymentIntentNotFoundError,
  PaymentProviderError,
} from '../../lib/payments/errors.ts';
import { idempotencyKeyFor } from '../../lib/payments/idempotency-keys.ts';
import { FixedClock } from '../support/fakes.ts';
import { describePaymentGatewayContract } from './payment-gateway.contract.ts';
import { FAKE_SECRET_KEY, type FakeStripe, startFakeStripe } from './payment-gateway-fake-stripe.ts';

function clientFor(fake: FakeStripe, secretKey = async () => FAKE_SECRET_KEY, maxNetworkRetries = 2) {
  return lazyStripeClient({
    secretKey,
    host: fake.host,
    port: fake.port,
    protocol: 'http',
    maxNetworkRetries,
  });
}

async function confirmAsShopper(stripe: Stripe, id: string, paymentMethod: string): Promise<void> {
  try {
    await stripe.paymentIntents.confirm(id, { payment_method: paymentMethod });
  } catch (error) {
    // A decline answers 402 after the intent changed; Stripe.js reports it the same way.
    if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
  }
}

describePaymentGatewayContract('StripePaymentGateway against a fake Stripe API', async () => {
  const clock = new FixedClock();
  const fake = await startFakeStripe({ clock });
  const client = clientFor(fake);
  return {
    gateway: new StripePaymentGateway({ client }),
    confirm: async (id, paymentMethod) => confirmAsShopper(await client(), id, paymentMethod),
    now: () => clock.now().getTime(),
    close: () => fake.close(),
  };
});

describe('StripePaymentGateway at its HTTP boundary', () => {
  let fake: FakeStripe;
  let gateway: StripePaymentGateway;
  const posts = () => fake.requests.filter((r) => r.method === 'POST');

  beforeEach(async () => {
    fake = await startFakeStripe({ clock: new FixedClock() });
    gateway = new StripePaymentGateway({ client: clientFor(fake) });
  });
  afterEach(async () => {
    await fake.close();
  });

  const createHeld = (require3ds = false) =>
    gateway.createPaymentIntent({
      amount: { amount: 1_250_000, currency: 'EUR' },
      captureMethod: 'manual',
      require3ds,
      metadata: { checkoutId: 'chk-9', orderId: 'ord-9' },
      idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-9'),
    });

  it('creates a manual-capture intent with form-encoded amount, lower-case currency, metadata and 3DS', async () => {
    await createHeld(true);

    const [request] = posts();
    expect(request?.path).toBe('/v1/payment_intents');
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.form).toEqual({
      amount: '1250000',
      currency: 'eur',
      capture_method: 'manual',
      metadata: { checkoutId: 'chk-9', orderId: 'ord-9' },
      payment_method_options: { card: { request_three_d_secure: 'any' } },
      expand: ['latest_charge'],
    });
    expect(request?.rawBody).toContain('metadata[checkoutId]=chk-9');
  });

  it('sends automatic capture as automatic_async and a zero-decimal amount unchanged', async () => {
    await gateway.createPaymentIntent({
      amount: { amount: 368_000, currency: 'JPY' },
      captureMethod: 'automatic',
      metadata: { checkoutId: 'chk-jp' },
      idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-jp'),
    });

    expect(posts()[0]?.form).toMatchObject({
      amount: '368000',
      currency: 'jpy',
      capture_method: 'automatic_async',
    });
    expect(posts()[0]?.form).not.toHaveProperty('payment_method_options');
  });

  it('names every mutating request by its business operation in the Idempotency-Key header', async () => {
    const intent = await createHeld();
    await confirmAsShopper(await clientFor(fake)(), intent.id, 'pm_card_visa');
    fake.requests.length = 0;

    await gateway.capture(intent.id, {
      amountToCapture: { amount: 1_000_000, currency: 'EUR' },
      idempotencyKey: idempotencyKeyFor('order.capture', 'ord-9'),
    });
    await gateway.refund(intent.id, {
      amount: { amount: 50_000, currency: 'EUR' },
      reason: 'requested_by_customer',
      idempotencyKey: idempotencyKeyFor('order.refund', 'ord-9', 'ret-1'),
    });

    const [capture, refund] = posts();
    expect(capture?.path).toBe(`/v1/payment_intents/${intent.id}/capture`);
    expect(capture?.headers['idempotency-key']).toBe('order:ord-9:capture');
    expect(capture?.form).toEqual({ amount_to_capture: '1000000', expand: ['latest_charge'] });
    expect(refund?.path).toBe('/v1/refunds');
    expect(refund?.headers['idempotency-key']).toBe('order:ord-9:refund:ret-1');
    expect(refund?.form).toEqual({
      payment_intent: intent.id,
      amount: '50000',
      reason: 'requested_by_customer',
      expand: ['payment_intent', 'payment_intent.latest_charge'],
    });
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${FAKE_SECRET_KEY}`)).toBe(true);
    expect(fake.requests.every((r) => typeof r.headers['stripe-version'] === 'string')).toBe(true);
  });

  it('cancels with the reason and the operation key, and reads the latest charge on retrieve', async () => {
    const intent = await createHeld();
    fake.requests.length = 0;

    await gateway.cancel(intent.id, {
      reason: 'fraudulent',
      idempotencyKey: idempotencyKeyFor('order.cancel', 'ord-9'),
    });
    await gateway.retrieve(intent.id);

    const [cancel, retrieve] = fake.requests;
    expect(cancel?.path).toBe(`/v1/payment_intents/${intent.id}/cancel`);
    expect(cancel?.form).toEqual({ cancellation_reason: 'fraudulent', expand: ['latest_charge'] });
    expect(cancel?.headers['idempotency-key']).toBe('order:ord-9:cancel');
    expect(retrieve).toMatchObject({ method: 'GET', path: `/v1/payment_intents/${intent.id}` });
    expect(retrieve?.query).toEqual({ expand: ['latest_charge'] });
  });

  it('maps the response: capture deadline from the expanded charge, fingerprint, risk, Money amounts', async () => {
    const intent = await createHeld(true);
    await confirmAsShopper(await clientFor(fake)(), intent.id, 'pm_card_mastercard');
    expect(await gateway.retrieve(intent.id)).toMatchObject({
      status: 'requires_action',
      nextActionType: 'use_stripe_sdk',
    });
    fake.simulator.completeAction(intent.id, 'success');

    const held = await gateway.retrieve(intent.id);

    const charge = fake.simulator.retrievePaymentIntent(intent.id, { expand: ['latest_charge'] })
      .latest_charge as {
      payment_method_details: { card: { capture_before: number; fingerprint: string } };
    };
    expect(held).toMatchObject({
      status: 'requires_capture',
      amount: { amount: 1_250_000, currency: 'EUR' },
      amountCapturable: { amount: 1_250_000, currency: 'EUR' },
      captureMethod: 'manual',
      captureBefore: new Date(charge.payment_method_details.card.capture_before * 1000).toISOString(),
      paymentFingerprint: charge.payment_method_details.card.fingerprint,
      riskLevel: 'normal',
    });
  });

  it('keeps the same key when the SDK retries a request that failed after it ran, so no second intent exists', async () => {
    fake.inject({ status: 500, when: 'after' });

    const intent = await createHeld();

    const creates = posts().filter((r) => r.path === '/v1/payment_intents');
    expect(creates).toHaveLength(2);
    expect(creates.map((r) => r.headers['idempotency-key'])).toEqual([
      'checkout:chk-9:pi-create',
      'checkout:chk-9:pi-create',
    ]);
    expect(fake.simulator.retrievePaymentIntent(intent.id).id).toBe(intent.id);
    expect(fake.simulator.knowsIdempotencyKey('checkout:chk-9:pi-create')).toBe(true);
  });

  it('reports an outcome-unknown provider error once the retries are spent', async () => {
    const noRetries = new StripePaymentGateway({ client: clientFor(fake, undefined, 0) });
    fake.inject({ status: 500, when: 'before' });

    const failure = noRetries.retrieve('pi_x');

    await expect(failure).rejects.toBeInstanceOf(PaymentProviderError);
    await expect(failure).rejects.toMatchObject({ outcomeUnknown: true, retryable: true });
  });

  it('maps a throttled request to a retryable provider error that did not execute', async () => {
    const noRetries = new StripePaymentGateway({ client: clientFor(fake, undefined, 0) });
    fake.inject({
      status: 429,
      when: 'before',
      body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'slow down' } },
    });

    await expect(noRetries.retrieve('pi_x')).rejects.toMatchObject({
      retryable: true,
      outcomeUnknown: false,
    });
  });

  it('maps a concurrent request with the same key to IdempotencyKeyInUseError', async () => {
    const noRetries = new StripePaymentGateway({ client: clientFor(fake, undefined, 0) });
    fake.inject({
      status: 409,
      when: 'before',
      body: { error: { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'in use' } },
    });

    await expect(createHeldWith(noRetries)).rejects.toBeInstanceOf(IdempotencyKeyInUseError);
  });

  it('maps a missing intent to PaymentIntentNotFoundError', async () => {
    await expect(gateway.retrieve('pi_missing')).rejects.toBeInstanceOf(PaymentIntentNotFoundError);
  });

  it('refuses a three-decimal amount that Stripe would reject, without a request', async () => {
    await expect(
      gateway.createPaymentIntent({
        amount: { amount: 10_005, currency: 'KWD' },
        captureMethod: 'automatic',
        metadata: { checkoutId: 'chk-kw' },
        idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-kw'),
      }),
    ).rejects.toBeInstanceOf(PaymentAmountError);
    expect(fake.requests).toHaveLength(0);
  });

  it('fetches the secret key once, on first use, not at construction', async () => {
    const secretKey = vi.fn(async () => FAKE_SECRET_KEY);
    const lazy = new StripePaymentGateway({ client: clientFor(fake, secretKey) });
    expect(secretKey).not.toHaveBeenCalled();

    await expect(lazy.retrieve('pi_missing')).rejects.toBeInstanceOf(PaymentIntentNotFoundError);
    await expect(lazy.retrieve('pi_missing')).rejects.toBeInstanceOf(PaymentIntentNotFoundError);

    expect(secretKey).toHaveBeenCalledTimes(1);
  });

  it('asks for the key again after a failed lookup', async () => {
    const secretKey = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error('Secrets Manager unavailable'))
      .mockResolvedValue(FAKE_SECRET_KEY);
    const lazy = new StripePaymentGateway({ client: clientFor(fake, secretKey) });

    await expect(lazy.retrieve('pi_missing')).rejects.toThrow('Secrets Manager unavailable');
    await expect(lazy.retrieve('pi_missing')).rejects.toBeInstanceOf(PaymentIntentNotFoundError);
  });
});

function createHeldWith(gateway: StripePaymentGateway) {
  return gateway.createPaymentIntent({
    amount: { amount: 1_250_000, currency: 'EUR' },
    captureMethod: 'manual',
    metadata: { checkoutId: 'chk-409' },
    idempotencyKey: idempotencyKeyFor('checkout.pi-create', 'chk-409'),
  });
}
