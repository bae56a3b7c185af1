import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isAllowedTransition, type PaymentIntentStatus } from '../../payments/payment-intent.ts';
import { type Clock, systemClock } from '../../platform/domain-event.ts';
import {
  type CardOutcome,
  fingerprintOf,
  type TestPaymentMethod,
  testPaymentMethod,
} from './test-payment-methods.ts';

/**
 * The Stripe API version the simulated objects and events follow: the version stripe-node 23 pins, so
 * the local gateway, the Stripe adapter and the webhook parser all read the same shapes.
 */
export const SIMULATED_STRIPE_API_VERSION = '2026-10-28.endive';

/** Card authorizations for customer-initiated, card-not-present payments last 7 days (Visa, Mastercard, Amex). */
export const AUTHORIZATION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Stripe keeps an idempotency key for at least 24 hours; after that the key counts as new. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** Stripe's per-charge maximum: eight digits of minor units. */
const MAX_AMOUNT = 99_999_999;
/** Stripe requires amounts in these three-decimal currencies to end in 0. */
const THREE_DECIMAL_CURRENCIES = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/** A JSON object in one of Stripe's shapes. */
export type StripeJson = Record<string, unknown>;

/** A Stripe API error: the HTTP status and the `error` member of the response body. */
export class SimulatedStripeError extends Error {
  readonly statusCode: number;
  readonly body: StripeJson & {
    type: string;
    message: string;
    code?: string;
    decline_code?: string;
    param?: string;
  };

  constructor(statusCode: number, body: SimulatedStripeError['body']) {
    super(body.message);
    this.name = 'SimulatedStripeError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

const invalid = (message: string, code?: string, param?: string) =>
  new SimulatedStripeError(400, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code } : {}),
    ...(param ? { param } : {}),
  });

const unexpectedState = (message: string) => invalid(message, 'payment_intent_unexpected_state');

// Request parameters as Stripe's form decoder yields them (strings) or as typed callers pass them.
const amountParam = z.coerce.number().int();
const expandParam = z.array(z.string()).optional();
const metadataParam = z.record(z.string(), z.string()).optional();

const CreateParams = z.strictObject({
  amount: amountParam,
  currency: z.string(),
  capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
  metadata: metadataParam,
  payment_method_options: z
    .strictObject({
      card: z.strictObject({ request_three_d_secure: z.enum(['automatic', 'any', 'challenge']).optional() }),
    })
    .optional(),
  expand: expandParam,
});
const RetrieveParams = z.strictObject({ expand: expandParam });
const ConfirmParams = z.strictObject({ payment_method: z.string(), expand: expandParam });
const CaptureParams = z.strictObject({ amount_to_capture: amountParam.optional(), expand: expandParam });
const CancelParams = z.strictObject({
  cancellation_reason: z.enum(['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  expand: expandParam,
});
const RefundParams = z.strictObject({
  payment_intent: z.string(),
  amount: amountParam.optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: metadataParam,
  expand: expandParam,
});

/** Parses request parameters, answering as Stripe does to an unknown or malformed parameter. */
function parseParams<T extends z.ZodType>(schema: T, params: unknown): z.output<T> {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    throw invalid(`Received unknown parameter: ${param ? `${param}.${key}` : key}`, 'parameter_unknown', key);
  }
  throw invalid(`Invalid value for ${param}: ${issue?.message ?? 'invalid'}`, 'parameter_invalid', param);
}

function checkAmount(amount: number, currency: string, param: string): void {
  if (amount < 1)
    throw invalid('This value must be greater than or equal to 1.', 'parameter_invalid_integer', param);
  if (amount > MAX_AMOUNT) {
    throw invalid(`Amount must be no more than ${MAX_AMOUNT} ${currency}`, 'amount_too_large', param);
  }
  if (THREE_DECIMAL_CURRENCIES.has(currency) && amount % 10 !== 0) {
    throw invalid(
      `Amounts in ${currency} must have 0 as the least-significant digit`,
      'parameter_invalid_integer',
      param,
    );
  }
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** An id in Stripe's style: a type prefix and a random alphanumeric tail. */
export function stripeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let tail = '';
  for (const byte of bytes) tail += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return `${prefix}_${tail}`;
}

/** Deterministic JSON (sorted keys), so equal parameters always compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as StripeJson)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface IntentRecord {
  readonly intent: StripeJson & {
    id: string;
    status: PaymentIntentStatus;
    amount: number;
    amount_capturable: number;
    amount_received: number;
    currency: string;
    capture_method: string;
    metadata: Record<string, string>;
  };
  charge?: StripeJson & {
    id: string;
    amount: number;
    amount_captured: number;
    amount_refunded: number;
    captured: boolean;
    refunded: boolean;
  };
  /** The card awaiting its 3DS challenge while `requires_action`. */
  pendingMethod?: TestPaymentMethod;
  captureBeforeMs?: number;
}

interface StoredOutcome {
  readonly fingerprint: string;
  readonly at: number;
  readonly ok?: StripeJson;
  readonly error?: SimulatedStripeError;
}

/** Who made a request, for the `request` member of the events it causes. */
interface RequestContext {
  readonly id: string | null;
  readonly idempotencyKey: string | null;
}

/** Options of StripeSimulator. */
export interface StripeSimulatorOptions {
  /** @default the system clock */
  readonly clock?: Clock;
  /** Receives every event, in the order Stripe would create them. */
  readonly onEvent?: (event: StripeJson) => void;
  /** @default SIMULATED_STRIPE_API_VERSION */
  readonly apiVersion?: string;
  /** How long a manual-capture authorization is held. @default AUTHORIZATION_WINDOW_MS (7 days) */
  readonly authorizationWindowMs?: number;
}

/** Options every mutating request accepts. */
export interface RequestOptions {
  readonly idempotencyKey?: string;
}

/**
 * An in-memory Stripe account holding PaymentIntents, charges and refunds, and answering Stripe-shaped
 * requests with Stripe-shaped objects, errors and events: the PaymentIntent state machine, the test
 * PaymentMethods, 3DS challenges, holds that lapse after the authorization window, and Stripe's
 * idempotency semantics (same key and parameters: the stored response, including stored errors; same key
 * with other parameters or another endpoint: `idempotency_error`; keys forgotten after 24 hours).
 *
 * The local payment gateway uses it in-process; the Stripe adapter's tests put it behind a fake HTTP API.
 */
export class StripeSimulator {
  private readonly clock: Clock;
  private readonly onEvent: (event: StripeJson) => void;
  private readonly apiVersion: string;
  private readonly authorizationWindowMs: number;
  private readonly intents = new Map<string, IntentRecord>();
  private readonly refunds = new Map<string, StripeJson>();
  private readonly idempotency = new Map<string, StoredOutcome>();

  constructor(options: StripeSimulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.onEvent = options.onEvent ?? (() => {});
    this.apiVersion = options.apiVersion ?? SIMULATED_STRIPE_API_VERSION;
    this.authorizationWindowMs = options.authorizationWindowMs ?? AUTHORIZATION_WINDOW_MS;
  }

  /** `POST /v1/payment_intents` */
  createPaymentIntent(params: unknown, options: RequestOptions = {}): StripeJson {
    const p = parseParams(CreateParams, params);
    if (!/^[a-z]{3}$/.test(p.currency)) {
      throw invalid(
        `Invalid currency: ${p.currency}. Use a lower-case ISO 4217 code.`,
        'parameter_invalid',
        'currency',
      );
    }
    checkAmount(p.amount, p.currency, 'amount');
    return this.idempotent(options, 'POST /v1/payment_intents', p, (request) => {
      const id = stripeId('pi');
      const intent: IntentRecord['intent'] = {
        id,
        object: 'payment_intent',
        amount: p.amount,
        amount_capturable: 0,
        amount_details: { tip: {} },
        amount_received: 0,
        application: null,
        application_fee_amount: null,
        automatic_payment_methods: null,
        canceled_at: null,
        cancellation_reason: null,
        capture_method: p.capture_method ?? 'automatic_async',
        client_secret: `${id}_secret_${stripeId('x', 25).slice(2)}`,
        confirmation_method: 'automatic',
        created: this.nowSeconds(),
        currency: p.currency,
        customer: null,
        description: null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: { ...p.metadata },
        next_action: null,
        on_behalf_of: null,
        payment_method: null,
        payment_method_options: {
          card: {
            installments: null,
            mandate_options: null,
            network: null,
            request_three_d_secure: p.payment_method_options?.card.request_three_d_secure ?? 'automatic',
          },
        },
        payment_method_types: ['card'],
        processing: null,
        receipt_email: null,
        review: null,
        setup_future_usage: null,
        shipping: null,
        source: null,
        statement_descriptor: null,
        statement_descriptor_suffix: null,
        status: 'requires_payment_method',
        transfer_data: null,
        transfer_group: null,
      };
      const record: IntentRecord = { intent };
      this.intents.set(id, record);
      this.emit('payment_intent.created', intent, request);
      return this.renderIntent(record, p.expand);
    });
  }

  /** `GET /v1/payment_intents/{id}` */
  retrievePaymentIntent(id: string, params: unknown = {}): StripeJson {
    const p = parseParams(RetrieveParams, params);
    const record = this.record(id);
    this.lapseIfDue(record);
    return this.renderIntent(record, p.expand);
  }

  /**
   * `POST /v1/payment_intents/{id}/confirm` with a test PaymentMethod, as Stripe.js does for the shopper.
   * A decline changes the intent (back to `requires_payment_method` with `last_payment_error`) and then
   * answers 402 `card_error` carrying the intent, as Stripe does.
   */
  confirmPaymentIntent(id: string, params: unknown, options: RequestOptions = {}): StripeJson {
    const p = parseParams(ConfirmParams, params);
    return this.idempotent(options, `POST /v1/payment_intents/${id}/confirm`, p, (request) => {
      const record = this.record(id);
      this.lapseIfDue(record);
      const { intent } = record;
      if (intent.status !== 'requires_payment_method' && intent.status !== 'requires_confirmation') {
        throw unexpectedState(
          `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_payment_method, requires_confirmation.`,
        );
      }
      const method = testPaymentMethod(p.payment_method);
      if (!method)
        throw invalid(`No such PaymentMethod: '${p.payment_method}'`, 'resource_missing', 'payment_method');
      intent.payment_method = stripeId('pm');
      intent.last_payment_error = null;
      const requested = (intent.payment_method_options as { card: { request_three_d_secure: string } }).card
        .request_three_d_secure;
      const challenge =
        method.threeDSecure === 'required' ||
        (method.threeDSecure === 'optional' && (requested === 'any' || requested === 'challenge'));
      if (challenge) {
        record.pendingMethod = method;
        intent.next_action = {
          type: 'use_stripe_sdk',
          use_stripe_sdk: {
            type: 'three_d_secure_redirect',
            stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${id}`,
          },
        };
        this.transition(record, 'requires_action');
        this.emit('payment_intent.requires_action', intent, request);
        return this.renderIntent(record, p.expand);
      }
      return this.settle(record, method, method.outcome, request, p.expand);
    });
  }

  /**
   * Plays the shopper's 3DS challenge for an intent in `requires_action` (Stripe.js does this in the
   * browser; no API call of Stripe's corresponds). Passing it settles the payment with the card's
   * outcome, which may still be a decline; failing it returns the intent to `requires_payment_method`
   * with `payment_intent_authentication_failure`.
   */
  completeAction(id: string, result: 'success' | 'failure', expand?: readonly string[]): StripeJson {
    const record = this.record(id);
    const { intent } = record;
    if (intent.status !== 'requires_action' || !record.pendingMethod) {
      throw unexpectedState(`This PaymentIntent has no pending action: its status is ${intent.status}.`);
    }
    const method = record.pendingMethod;
    record.pendingMethod = undefined;
    intent.next_action = null;
    const request = { id: stripeId('req', 14), idempotencyKey: null };
    if (result === 'success') return this.settle(record, method, method.outcome, request, expand, true);
    intent.last_payment_error = {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      message:
        'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
      payment_method: { id: intent.payment_method, object: 'payment_method', type: 'card' },
    };
    intent.payment_method = null;
    this.transition(record, 'requires_payment_method');
    this.emit('payment_intent.payment_failed', intent, request);
    return this.renderIntent(record, expand);
  }

  /** `POST /v1/payment_intents/{id}/capture` */
  capturePaymentIntent(id: string, params: unknown = {}, options: RequestOptions = {}): StripeJson {
    const p = parseParams(CaptureParams, params);
    return this.idempotent(options, `POST /v1/payment_intents/${id}/capture`, p, (request) => {
      const record = this.record(id);
      const lapsed = this.lapseIfDue(record);
      const { intent, charge } = record;
      if (lapsed || (intent.status === 'canceled' && intent.cancellation_reason === 'automatic')) {
        throw invalid(
          'The charge cannot be captured as the authorization has expired.',
          'charge_expired_for_capture',
        );
      }
      if (intent.status !== 'requires_capture' || !charge) {
        throw unexpectedState(
          `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        );
      }
      const amount = p.amount_to_capture ?? intent.amount_capturable;
      checkAmount(amount, intent.currency, 'amount_to_capture');
      if (amount > intent.amount_capturable) {
        throw invalid(
          `The amount to capture (${amount}) must be less than or equal to the amount capturable (${intent.amount_capturable}).`,
          'amount_too_large',
          'amount_to_capture',
        );
      }
      intent.amount_received = amount;
      intent.amount_capturable = 0;
      charge.captured = true;
      charge.amount_captured = amount;
      // Stripe releases the uncaptured rest of the hold and counts it as refunded on the charge.
      charge.amount_refunded += charge.amount - amount;
      charge.refunded = charge.amount_refunded >= charge.amount;
      this.transition(record, 'succeeded');
      this.emit('charge.captured', charge, request);
      this.emit('payment_intent.succeeded', intent, request);
      return this.renderIntent(record, p.expand);
    });
  }

  /** `POST /v1/payment_intents/{id}/cancel` */
  cancelPaymentIntent(id: string, params: unknown = {}, options: RequestOptions = {}): StripeJson {
    const p = parseParams(CancelParams, params);
    return this.idempotent(options, `POST /v1/payment_intents/${id}/cancel`, p, (request) => {
      const record = this.record(id);
      this.lapseIfDue(record);
      const { intent } = record;
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        throw unexpectedState(
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        );
      }
      this.cancel(record, p.cancellation_reason ?? null, request);
      return this.renderIntent(record, p.expand);
    });
  }

  /** `POST /v1/refunds` for a PaymentIntent's captured funds. */
  createRefund(params: unknown, options: RequestOptions = {}): StripeJson {
    const p = parseParams(RefundParams, params);
    return this.idempotent(options, 'POST /v1/refunds', p, (request) => {
      const record = this.record(p.payment_intent, 'payment_intent');
      this.lapseIfDue(record);
      const { intent, charge } = record;
      if (intent.status !== 'succeeded' || !charge) {
        throw unexpectedState(
          `This PaymentIntent does not have a successful charge to refund: its status is ${intent.status}.`,
        );
      }
      const released = charge.amount - charge.amount_captured;
      const remaining = charge.amount_captured - (charge.amount_refunded - released);
      if (remaining <= 0)
        throw invalid(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded');
      const amount = p.amount ?? remaining;
      checkAmount(amount, intent.currency, 'amount');
      if (amount > remaining) {
        throw invalid(
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
          'amount_too_large',
          'amount',
        );
      }
      const refund: StripeJson = {
        id: stripeId('re'),
        object: 'refund',
        amount,
        balance_transaction: stripeId('txn'),
        charge: charge.id,
        created: this.nowSeconds(),
        currency: intent.currency,
        metadata: { ...p.metadata },
        payment_intent: intent.id,
        reason: p.reason ?? null,
        receipt_number: null,
        source_transfer_reversal: null,
        status: 'succeeded',
        transfer_reversal: null,
      };
      this.refunds.set(refund.id as string, refund);
      charge.amount_refunded += amount;
      charge.refunded = charge.amount_refunded >= charge.amount;
      this.emit('refund.created', refund, request);
      this.emit('charge.refunded', charge, request);
      return this.renderRefund(refund, p.expand);
    });
  }

  /**
   * Lapses every hold whose `capture_before` has passed, as Stripe does when an authorization expires:
   * the intent is cancelled with `cancellation_reason: automatic`, the hold released, and
   * `charge.expired` then `payment_intent.canceled` are emitted. Returns the lapsed intents' ids.
   */
  expireAuthorizations(now: Date = this.clock.now()): string[] {
    const lapsed: string[] = [];
    for (const record of this.intents.values()) {
      if (this.lapseIfDue(record, now.getTime())) lapsed.push(record.intent.id);
    }
    return lapsed;
  }

  /** Whether a request with this idempotency key was seen within the last 24 hours. */
  knowsIdempotencyKey(key: string): boolean {
    const stored = this.idempotency.get(key);
    return stored !== undefined && this.clock.now().getTime() - stored.at < IDEMPOTENCY_KEY_TTL_MS;
  }

  private settle(
    record: IntentRecord,
    method: TestPaymentMethod,
    outcome: CardOutcome,
    request: RequestContext,
    expand: readonly string[] | undefined,
    authenticated = false,
  ): StripeJson {
    const { intent } = record;
    const manual = intent.capture_method === 'manual';
    const authorized = outcome.kind === 'authorize';
    const now = this.clock.now().getTime();
    const captureBefore = Math.floor((now + this.authorizationWindowMs) / 1000);
    const charge: NonNullable<IntentRecord['charge']> = {
      id: stripeId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_captured: authorized && !manual ? intent.amount : 0,
      amount_refunded: 0,
      balance_transaction: authorized && !manual ? stripeId('txn') : null,
      captured: authorized && !manual,
      created: this.nowSeconds(),
      currency: intent.currency,
      failure_code: authorized ? null : outcome.code,
      failure_message: authorized ? null : outcome.message,
      livemode: false,
      metadata: { ...intent.metadata },
      outcome: {
        network_status:
          outcome.kind === 'decline' && outcome.outcomeType === 'blocked'
            ? 'not_sent_to_network'
            : authorized
              ? 'approved_by_network'
              : 'declined_by_network',
        reason: authorized
          ? null
          : outcome.outcomeType === 'blocked'
            ? 'highest_risk_level'
            : outcome.declineCode,
        risk_level: outcome.riskLevel,
        risk_score: { normal: 18, elevated: 72, highest: 91 }[outcome.riskLevel],
        seller_message: authorized
          ? 'Payment complete.'
          : 'The bank did not return any further details with this decline.',
        type: authorized ? 'authorized' : outcome.outcomeType,
      },
      paid: authorized,
      payment_intent: intent.id,
      payment_method: intent.payment_method,
      payment_method_details: {
        type: 'card',
        card: {
          brand: method.brand,
          ...(authorized && manual ? { capture_before: captureBefore } : {}),
          country: 'US',
          exp_month: 12,
          exp_year: new Date(now).getUTCFullYear() + 3,
          fingerprint: fingerprintOf(method),
          funding: method.funding,
          last4: method.last4,
          network: method.brand,
          three_d_secure: authenticated
            ? {
                authentication_flow: 'challenge',
                result: 'authenticated',
                result_reason: null,
                version: '2.2.0',
              }
            : null,
        },
      },
      refunded: false,
      status: authorized ? 'succeeded' : 'failed',
    };
    record.charge = charge;
    intent.latest_charge = charge.id;
    intent.next_action = null;

    if (outcome.kind === 'decline') {
      intent.last_payment_error = {
        type: 'card_error',
        charge: charge.id,
        code: outcome.code,
        decline_code: outcome.declineCode,
        message: outcome.message,
        payment_method: { id: intent.payment_method, object: 'payment_method', type: 'card' },
      };
      intent.payment_method = null;
      this.transition(record, 'requires_payment_method');
      this.emit('charge.failed', charge, request);
      this.emit('payment_intent.payment_failed', intent, request);
      throw new SimulatedStripeError(402, {
        type: 'card_error',
        code: outcome.code,
        decline_code: outcome.declineCode,
        message: outcome.message,
        charge: charge.id,
        payment_intent: this.renderIntent(record, expand),
      });
    }

    if (manual) {
      record.captureBeforeMs = captureBefore * 1000;
      intent.amount_capturable = intent.amount;
      this.transition(record, 'requires_capture');
      this.emit('charge.succeeded', charge, request);
      this.emit('payment_intent.amount_capturable_updated', intent, request);
    } else {
      intent.amount_received = intent.amount;
      this.transition(record, 'succeeded');
      this.emit('charge.succeeded', charge, request);
      this.emit('payment_intent.succeeded', intent, request);
    }
    return this.renderIntent(record, expand);
  }

  private cancel(record: IntentRecord, reason: string | null, request: RequestContext): void {
    const { intent, charge } = record;
    if (intent.status === 'requires_capture' && charge) {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
    }
    intent.amount_capturable = 0;
    intent.canceled_at = this.nowSeconds();
    intent.cancellation_reason = reason;
    intent.next_action = null;
    record.pendingMethod = undefined;
    this.transition(record, 'canceled');
    this.emit('payment_intent.canceled', intent, request);
  }

  /**
   * Lapses the record's hold if its deadline has passed; true when it did. Every request on an intent
   * calls this first: Stripe lapses holds on its own schedule, so by the time anyone looks after the
   * deadline, the hold is already gone, whether or not `expireAuthorizations` has run.
   */
  private lapseIfDue(record: IntentRecord, nowMs: number = this.clock.now().getTime()): boolean {
    const { intent, charge } = record;
    if (intent.status !== 'requires_capture' || record.captureBeforeMs === undefined) return false;
    if (nowMs < record.captureBeforeMs) return false;
    // Not caused by any API request, so the events carry no request id or key.
    const request = { id: null, idempotencyKey: null };
    if (charge) {
      charge.amount_refunded = charge.amount;
      charge.refunded = true;
      this.emit('charge.expired', charge, request);
    }
    this.cancel(record, 'automatic', request);
    return true;
  }

  private transition(record: IntentRecord, to: PaymentIntentStatus): void {
    const from = record.intent.status;
    if (!isAllowedTransition(from, to)) {
      throw new Error(`Simulator bug: PaymentIntent ${record.intent.id} cannot move from ${from} to ${to}`);
    }
    record.intent.status = to;
  }

  private record(id: string, param = 'intent'): IntentRecord {
    const record = this.intents.get(id);
    if (!record) {
      throw new SimulatedStripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such payment_intent: '${id}'`,
        param,
      });
    }
    return record;
  }

  private idempotent(
    options: RequestOptions,
    endpoint: string,
    params: unknown,
    execute: (request: RequestContext) => StripeJson,
  ): StripeJson {
    const key = options.idempotencyKey;
    const request: RequestContext = { id: stripeId('req', 14), idempotencyKey: key ?? null };
    if (!key) return execute(request);
    const fingerprint = `${endpoint} ${canonical(params)}`;
    const now = this.clock.now().getTime();
    const stored = this.idempotency.get(key);
    if (stored && now - stored.at < IDEMPOTENCY_KEY_TTL_MS) {
      if (stored.fingerprint !== fingerprint) {
        throw new SimulatedStripeError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      if (stored.error) throw stored.error;
      return structuredClone(stored.ok as StripeJson);
    }
    try {
      const ok = execute(request);
      this.idempotency.set(key, { fingerprint, at: now, ok: structuredClone(ok) });
      return ok;
    } catch (error) {
      // Stripe saves the outcome of any request that began executing, errors included.
      if (error instanceof SimulatedStripeError) this.idempotency.set(key, { fingerprint, at: now, error });
      throw error;
    }
  }

  private renderIntent(record: IntentRecord, expand: readonly string[] = []): StripeJson {
    const json = structuredClone(record.intent) as StripeJson;
    if (expand.includes('latest_charge') && record.charge)
      json.latest_charge = structuredClone(record.charge);
    return json;
  }

  private renderRefund(refund: StripeJson, expand: readonly string[] = []): StripeJson {
    const json = structuredClone(refund);
    if (expand.includes('payment_intent')) {
      const record = this.record(refund.payment_intent as string);
      const nested = expand
        .filter((e) => e.startsWith('payment_intent.'))
        .map((e) => e.slice('payment_intent.'.length));
      json.payment_intent = this.renderIntent(record, nested);
    }
    if (expand.includes('charge')) {
      const record = this.record(refund.payment_intent as string);
      json.charge = structuredClone(record.charge);
    }
    return json;
  }

  private emit(type: string, object: StripeJson, request: RequestContext): void {
    this.onEvent({
      id: stripeId('evt'),
      object: 'event',
      api_version: this.apiVersion,
      created: this.nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}
