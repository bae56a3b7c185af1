import Stripe from 'stripe';
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
import type { StripeClientSource } from './stripe-client.ts';

// The latest charge holds capture_before, the card fingerprint and Radar's risk level.
const EXPAND_INTENT = ['latest_charge'];
const EXPAND_REFUND = ['payment_intent', 'payment_intent.latest_charge'];

/** Dependencies of StripePaymentGateway. */
export interface StripePaymentGatewayProps {
  /** The Stripe client, usually `lazyStripeClient(...)`. */
  readonly client: StripeClientSource;
}

/**
 * PaymentGateway on Stripe PaymentIntents. Every mutating call sends the caller's idempotency key
 * (named after the business operation) explicitly, so the SDK's network retries and any later retry
 * of the whole operation replay the first request instead of creating a second charge. Amounts are
 * checked and converted to Stripe's units for their currency before anything is sent.
 */
export class StripePaymentGateway implements PaymentGateway {
  private readonly client: StripeClientSource;

  constructor(props: StripePaymentGatewayProps) {
    this.client = props.client;
  }

  async createPaymentIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView> {
    const { amount, captureMethod, require3ds, metadata, idempotencyKey } =
      CreatePaymentIntentInput.parse(input);
    const stripeAmount = toStripeAmount(amount);
    const stripe = await this.client();
    const intent = await this.call(() =>
      stripe.paymentIntents.create(
        {
          amount: stripeAmount.amount,
          currency: stripeAmount.currency,
          capture_method: captureMethod === 'manual' ? 'manual' : 'automatic_async',
          metadata: { ...metadata },
          ...(require3ds ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
          expand: EXPAND_INTENT,
        },
        { idempotencyKey },
      ),
    );
    return toPaymentIntentView(intent);
  }

  async retrieve(paymentIntentId: string): Promise<PaymentIntentView> {
    const stripe = await this.client();
    const intent = await this.call(() =>
      stripe.paymentIntents.retrieve(paymentIntentId, { expand: EXPAND_INTENT }),
    );
    return toPaymentIntentView(intent);
  }

  async capture(paymentIntentId: string, input: CaptureInput): Promise<PaymentIntentView> {
    const { amountToCapture, idempotencyKey } = CaptureInput.parse(input);
    const stripe = await this.client();
    // A partial amount is checked against the intent's own currency: sent bare, yen read as cents would
    // capture a hundredth (or a hundred times) of what was meant.
    const amount = amountToCapture
      ? stripeAmountIn(amountToCapture, await this.currencyOf(stripe, paymentIntentId))
      : undefined;
    const intent = await this.call(() =>
      stripe.paymentIntents.capture(
        paymentIntentId,
        { ...(amount !== undefined ? { amount_to_capture: amount } : {}), expand: EXPAND_INTENT },
        { idempotencyKey },
      ),
    );
    return toPaymentIntentView(intent);
  }

  async cancel(paymentIntentId: string, input: CancelInput): Promise<PaymentIntentView> {
    const { reason, idempotencyKey } = CancelInput.parse(input);
    const stripe = await this.client();
    const intent = await this.call(() =>
      stripe.paymentIntents.cancel(
        paymentIntentId,
        { cancellation_reason: reason, expand: EXPAND_INTENT },
        { idempotencyKey },
      ),
    );
    return toPaymentIntentView(intent);
  }

  async refund(paymentIntentId: string, input: RefundInput): Promise<RefundView> {
    const { amount, reason, metadata, idempotencyKey } = RefundInput.parse(input);
    const stripe = await this.client();
    const stripeAmount = amount
      ? stripeAmountIn(amount, await this.currencyOf(stripe, paymentIntentId))
      : undefined;
    const refund = await this.call(() =>
      stripe.refunds.create(
        {
          payment_intent: paymentIntentId,
          ...(stripeAmount !== undefined ? { amount: stripeAmount } : {}),
          ...(reason ? { reason } : {}),
          ...(metadata ? { metadata } : {}),
          expand: EXPAND_REFUND,
        },
        { idempotencyKey },
      ),
    );
    return toRefundView(refund);
  }

  private async currencyOf(stripe: Stripe, paymentIntentId: string): Promise<string> {
    const intent = await this.call(() => stripe.paymentIntents.retrieve(paymentIntentId));
    return intent.currency;
  }

  /** Runs an SDK call, turning Stripe's errors into the platform's typed payment errors. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeError)) throw error;
      throw paymentErrorFromStripe({
        ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
        ...(error.rawType ? { type: error.rawType } : {}),
        ...(error.code ? { code: error.code } : {}),
        ...(error.decline_code ? { declineCode: error.decline_code } : {}),
        ...(error.param ? { param: error.param } : {}),
        ...(error.payment_intent?.id ? { paymentIntentId: error.payment_intent.id } : {}),
        message: error.message,
      });
    }
  }
}
