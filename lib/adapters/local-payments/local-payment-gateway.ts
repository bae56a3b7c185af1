import { UnprocessableError } from '../../errors.ts';
import {
  CancelInput,
  CaptureInput,
  CreatePaymentIntentInput,
  type PaymentGateway,
  RefundInput,
} from '../../payments/payment-gateway.ts';
import type { PaymentIntentView, RefundView } from '../../payments/payment-intent.ts';
import { stripeAmountIn, toStripeAmount } from '../../payments/stripe-amount.ts';
import { paymentErrorFromStripe, toPaymentIntentView, toRefundView } from '../../payments/stripe-objects.ts';
import { type Clock, systemClock } from '../../platform/domain-event.ts';
import { SimulatedStripeError, type StripeJson, StripeSimulator } from './stripe-simulator.ts';
import { TEST_PAYMENT_METHOD_IDS, testPaymentMethod } from './test-payment-methods.ts';
import { type DeliveryReport, type WebhookDeliveryOptions, WebhookDispatcher } from './webhook-dispatcher.ts';

/** The shopper picked a PaymentMethod the local gateway does not simulate. */
export class UnknownTestPaymentMethodError extends UnprocessableError {
  override readonly code = 'UNKNOWN_TEST_PAYMENT_METHOD';
}

/** Options of LocalPaymentGateway. */
export interface LocalPaymentGatewayOptions {
  /** Drives `created` times and authorization expiry. @default the system clock */
  readonly clock?: Clock;
  /** Where and how to deliver signed webhooks; without it, events are dropped. */
  readonly webhooks?: WebhookDeliveryOptions;
  /** How long a manual-capture hold lasts. @default 7 days */
  readonly authorizationWindowMs?: number;
}

// Every read asks for the latest charge so the view carries capture_before, the fingerprint and risk.
const EXPAND_INTENT = ['latest_charge'];
const EXPAND_REFUND = ['payment_intent', 'payment_intent.latest_charge'];

/**
 * The PaymentGateway of the local runtime: Stripe's PaymentIntent state machine in memory (see
 * StripeSimulator), plus what the shopper and time do in Stripe's world: `confirm` with a test
 * PaymentMethod, `completeAction` for a 3DS challenge, `expireAuthorizations` for lapsed holds. Every
 * change emits the Stripe event, signed as Stripe signs it and handed to `webhooks.deliver` (the local
 * runtime POSTs it to `/v1/webhooks/stripe`), optionally duplicated and shuffled.
 */
export class LocalPaymentGateway implements PaymentGateway {
  readonly simulator: StripeSimulator;
  /** Present when `webhooks` was configured. */
  readonly webhooks: WebhookDispatcher | undefined;

  constructor(options: LocalPaymentGatewayOptions = {}) {
    const clock = options.clock ?? systemClock;
    const dispatcher = options.webhooks ? new WebhookDispatcher(options.webhooks, clock) : undefined;
    this.webhooks = dispatcher;
    this.simulator = new StripeSimulator({
      clock,
      ...(dispatcher ? { onEvent: (event: StripeJson) => dispatcher.enqueue(event) } : {}),
      ...(options.authorizationWindowMs ? { authorizationWindowMs: options.authorizationWindowMs } : {}),
    });
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView> {
    const { amount, captureMethod, require3ds, metadata, idempotencyKey } =
      CreatePaymentIntentInput.parse(input);
    const stripeAmount = toStripeAmount(amount);
    const params = {
      amount: stripeAmount.amount,
      currency: stripeAmount.currency,
      capture_method: captureMethod === 'manual' ? 'manual' : 'automatic_async',
      metadata: { ...metadata },
      ...(require3ds ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
      expand: EXPAND_INTENT,
    };
    return toPaymentIntentView(
      this.call(() => this.simulator.createPaymentIntent(params, { idempotencyKey })),
    );
  }

  async retrieve(paymentIntentId: string): Promise<PaymentIntentView> {
    return toPaymentIntentView(
      this.call(() => this.simulator.retrievePaymentIntent(paymentIntentId, { expand: EXPAND_INTENT })),
    );
  }

  async capture(paymentIntentId: string, input: CaptureInput): Promise<PaymentIntentView> {
    const { amountToCapture, idempotencyKey } = CaptureInput.parse(input);
    const params = {
      ...(amountToCapture
        ? { amount_to_capture: stripeAmountIn(amountToCapture, this.currencyOf(paymentIntentId)) }
        : {}),
      expand: EXPAND_INTENT,
    };
    return toPaymentIntentView(
      this.call(() => this.simulator.capturePaymentIntent(paymentIntentId, params, { idempotencyKey })),
    );
  }

  async cancel(paymentIntentId: string, input: CancelInput): Promise<PaymentIntentView> {
    const { reason, idempotencyKey } = CancelInput.parse(input);
    const params = { cancellation_reason: reason, expand: EXPAND_INTENT };
    return toPaymentIntentView(
      this.call(() => this.simulator.cancelPaymentIntent(paymentIntentId, params, { idempotencyKey })),
    );
  }

  async refund(paymentIntentId: string, input: RefundInput): Promise<RefundView> {
    const { amount, reason, metadata, idempotencyKey } = RefundInput.parse(input);
    const params = {
      payment_intent: paymentIntentId,
      ...(amount ? { amount: stripeAmountIn(amount, this.currencyOf(paymentIntentId)) } : {}),
      ...(reason ? { reason } : {}),
      ...(metadata ? { metadata } : {}),
      expand: EXPAND_REFUND,
    };
    return toRefundView(this.call(() => this.simulator.createRefund(params, { idempotencyKey })));
  }

  /**
   * Confirms the intent with a Stripe test PaymentMethod, as the shopper's browser would. A decline is
   * an outcome, not an error: the intent returns to `requires_payment_method` with `lastPaymentError`
   * (and `payment_intent.payment_failed` is delivered). A 3DS card stops at `requires_action` until
   * `completeAction`.
   */
  async confirm(
    paymentIntentId: string,
    paymentMethod: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<PaymentIntentView> {
    if (!testPaymentMethod(paymentMethod)) {
      throw new UnknownTestPaymentMethodError(
        `${paymentMethod} is not a test PaymentMethod the local gateway knows`,
        {
          supported: TEST_PAYMENT_METHOD_IDS,
        },
      );
    }
    return this.settled(() =>
      this.simulator.confirmPaymentIntent(
        paymentIntentId,
        { payment_method: paymentMethod, expand: EXPAND_INTENT },
        options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {},
      ),
    );
  }

  /** Passes or fails the shopper's 3DS challenge for an intent in `requires_action`. */
  async completeAction(paymentIntentId: string, result: 'success' | 'failure'): Promise<PaymentIntentView> {
    return this.settled(() => this.simulator.completeAction(paymentIntentId, result, EXPAND_INTENT));
  }

  /**
   * Lapses every hold whose `captureBefore` has passed by `now`: cancelled with reason `automatic`,
   * `charge.expired` and `payment_intent.canceled` delivered. Returns the lapsed intents' ids.
   */
  async expireAuthorizations(now?: Date): Promise<string[]> {
    return this.simulator.expireAuthorizations(now);
  }

  /** Sends queued webhooks now (for `autoDeliver: false`). */
  async deliverPending(): Promise<DeliveryReport> {
    return this.webhooks ? this.webhooks.deliverPending() : { delivered: 0, failed: 0 };
  }

  /** Resolves once every queued webhook has been delivered or given up on. */
  async webhooksIdle(): Promise<void> {
    await this.webhooks?.idle();
  }

  /** Runs a confirmation step, reading a decline's intent from the 402 as Stripe.js does. */
  private settled(step: () => StripeJson): PaymentIntentView {
    try {
      return toPaymentIntentView(step());
    } catch (error) {
      if (error instanceof SimulatedStripeError && error.statusCode === 402 && error.body.payment_intent) {
        return toPaymentIntentView(error.body.payment_intent);
      }
      throw this.mapped(error);
    }
  }

  private currencyOf(paymentIntentId: string): string {
    return this.call(() => this.simulator.retrievePaymentIntent(paymentIntentId)).currency as string;
  }

  private call<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw this.mapped(error);
    }
  }

  private mapped(error: unknown): unknown {
    if (!(error instanceof SimulatedStripeError)) return error;
    const { type, code, decline_code, message, param } = error.body;
    return paymentErrorFromStripe({
      statusCode: error.statusCode,
      type,
      ...(code ? { code } : {}),
      ...(decline_code ? { declineCode: decline_code } : {}),
      ...(param ? { param } : {}),
      message,
    });
  }
}
