import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SimulatedStripeError,
  type StripeJson,
  StripeSimulator,
} from '../../lib/adapters/local-payments/stripe-simulator.ts';
import type { Clock } from '../../lib/platform/domain-event.ts';

/** One request as the fake Stripe API received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string, decoded with Stripe's bracket notation (`expand[0]=latest_charge`). */
  readonly query: StripeJson;
  /** The form-encoded body, decoded the same way; values stay strings, as on the wire. */
  readonly form: StripeJson;
  readonly rawBody: string;
  readonly headers: IncomingHttpHeaders;
}

/** A scripted failure: answer `status` before the request runs, or after it ran (the outcome is saved). */
export interface Fault {
  readonly status: number;
  readonly when: 'before' | 'after';
  readonly body?: StripeJson;
}

export interface FakeStripe {
  readonly host: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly simulator: StripeSimulator;
  /** Queues failures for the next requests, in order. */
  inject(...faults: Fault[]): void;
  close(): Promise<void>;
}

/** The test secret key the fake accepts. */
export const FAKE_SECRET_KEY = 'sk_test_vitrine_fake';

/** Decodes `a[b][0]=x` pairs into nested objects and arrays, as Stripe's API does. */
export function decodeStripeForm(encoded: string): StripeJson {
  const root: StripeJson = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    const path = key.split(/[[\]]+/).filter((part) => part !== '');
    let node: Record<string, unknown> = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[i + 1] ?? '');
      node[part] ??= nextIsIndex ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return root;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomUUID().replaceAll('-', '').slice(0, 14)}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/**
 * A small fake of Stripe's HTTP API on 127.0.0.1, backed by the same StripeSimulator as the local
 * gateway. It checks what the real API would refuse (a missing or wrong secret key, a body that is not
 * form-encoded, unknown parameters, upper-case currencies), records every request for assertions, and
 * replays idempotent requests with Stripe's `Idempotent-Replayed` header.
 */
export async function startFakeStripe(options: { clock?: Clock } = {}): Promise<FakeStripe> {
  const simulator = new StripeSimulator(options.clock ? { clock: options.clock } : {});
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];

  const route = (
    method: string,
    path: string,
    form: StripeJson,
    query: StripeJson,
    key?: string,
  ): StripeJson => {
    const opts = key ? { idempotencyKey: key } : {};
    if (method === 'POST' && path === '/v1/payment_intents') return simulator.createPaymentIntent(form, opts);
    if (method === 'POST' && path === '/v1/refunds') return simulator.createRefund(form, opts);
    const match = /^\/v1\/payment_intents\/([^/]+)(?:\/(confirm|capture|cancel))?$/.exec(path);
    if (match) {
      const [, id = '', action] = match;
      if (method === 'GET' && !action) return simulator.retrievePaymentIntent(id, query);
      if (method === 'POST' && action === 'confirm') return simulator.confirmPaymentIntent(id, form, opts);
      if (method === 'POST' && action === 'capture') return simulator.capturePaymentIntent(id, form, opts);
      if (method === 'POST' && action === 'cancel') return simulator.cancelPaymentIntent(id, form, opts);
    }
    throw new SimulatedStripeError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path}).`,
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const recorded: RecordedRequest = {
        method,
        path: url.pathname,
        query: decodeStripeForm(url.search.slice(1)),
        form: decodeStripeForm(rawBody),
        rawBody,
        headers: req.headers,
      };
      requests.push(recorded);

      if (req.headers.authorization !== `Bearer ${FAKE_SECRET_KEY}`) {
        send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
        return;
      }
      if (
        method === 'POST' &&
        !req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
      ) {
        send(res, 400, { error: { type: 'invalid_request_error', message: 'Send form-encoded parameters' } });
        return;
      }
      const fault = faults.shift();
      if (fault?.when === 'before') {
        send(res, fault.status, fault.body ?? { error: { type: 'api_error', message: 'Injected failure' } });
        return;
      }
      const key =
        typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
      const replayed = key !== undefined && method === 'POST' && simulator.knowsIdempotencyKey(key);
      const replayHeaders: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
      try {
        const body = route(
          method,
          url.pathname,
          recorded.form,
          recorded.query,
          method === 'POST' ? key : undefined,
        );
        if (fault?.when === 'after') {
          send(
            res,
            fault.status,
            fault.body ?? { error: { type: 'api_error', message: 'Injected failure' } },
          );
          return;
        }
        send(res, 200, body, replayHeaders);
      } catch (error) {
        if (!(error instanceof SimulatedStripeError)) {
          send(res, 500, { error: { type: 'api_error', message: String(error) } });
          return;
        }
        // A key reused with other parameters is refused, not replayed.
        const replay = error.body.type === 'idempotency_error' ? {} : replayHeaders;
        send(res, error.statusCode, { error: error.body }, replay);
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    requests,
    simulator,
    inject: (...more) => faults.push(...more),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
