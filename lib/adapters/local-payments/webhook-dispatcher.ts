import { HANDLED_STRIPE_EVENT_TYPES } from '../../payments/stripe-events.ts';
import { signStripePayload } from '../../payments/webhook-signature.ts';
import { type Clock, systemClock } from '../../platform/domain-event.ts';
import type { StripeJson } from './stripe-simulator.ts';

/**
 * Hands one signed delivery to the webhook endpoint: the exact body bytes and the `Stripe-Signature`
 * header. Rejecting (or throwing) counts as a failed delivery, which is retried.
 */
export type WebhookDeliver = (rawBody: string, signatureHeader: string) => Promise<void>;

/** Where and how simulated webhooks are delivered. */
export interface WebhookDeliveryOptions {
  /** The endpoint's signing secret (`whsec_...`). */
  readonly secret: string;
  readonly deliver: WebhookDeliver;
  /** Deliver every event this many times, to exercise duplicate handling. @default 1 */
  readonly copies?: number;
  /** Shuffle each batch of deliveries, to exercise out-of-order handling. @default false */
  readonly shuffle?: boolean;
  /** The shuffle's randomness; pass a seeded generator to replay a failing order. @default Math.random */
  readonly random?: () => number;
  /**
   * Deliver on the next turn of the event loop after each change, as Stripe delivers shortly after the
   * API answers. With `false`, nothing is sent until `deliverPending()` is called. @default true
   */
  readonly autoDeliver?: boolean;
  /** The event types the endpoint subscribes to, or `'*'`. @default the types the platform handles */
  readonly enabledEvents?: readonly string[] | '*';
  /** Attempts per delivery before it is set aside in `undelivered`. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before re-sending failed deliveries (auto mode). @default 1000 */
  readonly retryDelayMs?: number;
}

interface Delivery {
  readonly event: StripeJson;
  readonly body: string;
  readonly attempt: number;
}

/** What one `deliverPending()` pass did. */
export interface DeliveryReport {
  readonly delivered: number;
  readonly failed: number;
}

/**
 * Delivers simulated Stripe events to a webhook endpoint the way Stripe does: the event serialized once
 * (pretty-printed JSON, as Stripe sends it, so a handler that re-serializes a parsed body fails
 * verification just as it would in production), signed at each attempt with the attempt's timestamp,
 * retried on failure, and optionally duplicated and shuffled.
 */
export class WebhookDispatcher {
  /** Deliveries that failed every attempt. */
  readonly undelivered: { readonly event: StripeJson; readonly error: unknown }[] = [];
  private readonly queue: Delivery[] = [];
  private readonly options: Required<Omit<WebhookDeliveryOptions, 'enabledEvents'>>;
  private readonly enabled: ReadonlySet<string> | '*';
  private readonly clock: Clock;
  private chain: Promise<unknown> = Promise.resolve();
  private scheduled = false;

  constructor(options: WebhookDeliveryOptions, clock: Clock = systemClock) {
    if (!options.secret) throw new Error('A webhook signing secret is required');
    this.options = {
      copies: 1,
      shuffle: false,
      random: Math.random,
      autoDeliver: true,
      maxAttempts: 3,
      retryDelayMs: 1000,
      ...options,
    };
    if (!Number.isInteger(this.options.copies) || this.options.copies < 1)
      throw new RangeError('copies must be ≥ 1');
    const enabled = options.enabledEvents ?? HANDLED_STRIPE_EVENT_TYPES;
    this.enabled = enabled === '*' ? '*' : new Set(enabled);
    this.clock = clock;
  }

  /** Queues an event for delivery if the endpoint subscribes to its type. */
  enqueue(event: StripeJson): void {
    if (this.enabled !== '*' && !this.enabled.has(String(event.type))) return;
    const body = JSON.stringify(event, null, 2);
    for (let copy = 0; copy < this.options.copies; copy++) this.queue.push({ event, body, attempt: 1 });
    this.schedule(0);
  }

  /** Deliveries waiting to be sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Sends everything queued now, one delivery at a time, in queue order or shuffled. */
  deliverPending(): Promise<DeliveryReport> {
    const run = this.chain.then(() => this.deliverBatch());
    this.chain = run.catch(() => {});
    return run;
  }

  /** Resolves once the queue is empty, re-sending failed deliveries at once instead of after the delay. */
  async idle(): Promise<void> {
    await this.chain;
    while (this.queue.length > 0) await this.deliverPending();
  }

  private async deliverBatch(): Promise<DeliveryReport> {
    const batch = this.queue.splice(0);
    if (this.options.shuffle) shuffleInPlace(batch, this.options.random);
    let delivered = 0;
    let failed = 0;
    for (const delivery of batch) {
      // Stripe signs each attempt afresh, so a retry carries a current timestamp.
      const timestamp = Math.floor(this.clock.now().getTime() / 1000);
      const header = signStripePayload(delivery.body, this.options.secret, timestamp);
      try {
        await this.options.deliver(delivery.body, header);
        delivered++;
      } catch (error) {
        failed++;
        if (delivery.attempt < this.options.maxAttempts) {
          this.queue.push({ ...delivery, attempt: delivery.attempt + 1 });
        } else {
          this.undelivered.push({ event: delivery.event, error });
        }
      }
    }
    if (this.queue.length > 0) this.schedule(failed > 0 ? this.options.retryDelayMs : 0);
    return { delivered, failed };
  }

  private schedule(delayMs: number): void {
    if (!this.options.autoDeliver || this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.deliverPending();
    }, delayMs);
  }
}

function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}

/**
 * A deliverer that POSTs to a webhook URL (the local runtime's `/v1/webhooks/stripe`) with the headers
 * Stripe sends; any answer other than 2xx is a failed delivery.
 */
export function postWebhookTo(url: string): WebhookDeliver {
  return async (rawBody, signatureHeader) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signatureHeader,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: rawBody,
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`The webhook endpoint answered ${response.status}`);
  };
}
