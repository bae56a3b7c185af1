import { describe, expect, it } from 'vitest';
import { CarrierWebhookParams, carrierWebhookRoute } from '../../../lib/contracts/routes/tracking.ts';
import { defineService } from '../../../lib/platform/manifest.ts';
import { buildOpenApi } from '../../../lib/runtime/openapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as untyped JSON
type Json = Record<string, any>;

describe('carrierWebhookRoute', () => {
  it('takes the carrier feed from the path and refuses any other', () => {
    const params = CarrierWebhookParams;
    expect(carrierWebhookRoute.params).toBe(CarrierWebhookParams);
    expect(params.parse({ carrier: 'fedex' })).toEqual({ carrier: 'fedex' });
    for (const carrier of ['dpd', 'FEDEX', '']) expect(params.safeParse({ carrier }).success).toBe(false);
    expect(params.safeParse({ carrier: 'ups', extra: 'x' }).success).toBe(false);
  });

  it('is verified by signature, not by a token, and takes no Idempotency-Key', () => {
    expect(carrierWebhookRoute).toMatchObject({
      method: 'POST',
      path: '/v1/webhooks/carriers/{carrier}',
      auth: 'signature',
    });
    expect(carrierWebhookRoute.idempotent).toBeUndefined();
    expect(carrierWebhookRoute.body).toBeUndefined();
  });

  it('documents each feed’s authentication header and the 200, 400, 401 and 503 answers', () => {
    const service = defineService({
      name: 'fulfilment',
      functions: {
        carrierWebhook: {
          entry: 'functions/fulfilment/carrier-webhook.ts',
          description: 'Carrier tracking webhooks',
          routes: [carrierWebhookRoute],
        },
      },
    });
    const doc = buildOpenApi([service], { includeLocalOnly: false, serverUrl: '/' }) as Json;
    const operation = doc.paths['/v1/webhooks/carriers/{carrier}'].post;

    const headers = operation.parameters.filter((p: Json) => p.in === 'header').map((p: Json) => p.name);
    expect(headers).toEqual(
      expect.arrayContaining([
        'x-dhl-webhook-token',
        'x-fedex-signature',
        'credential',
        'x-vitrine-signature',
      ]),
    );
    const carrier = operation.parameters.find((p: Json) => p.in === 'path');
    expect(carrier.schema.enum).toEqual(['dhl', 'fedex', 'ups', 'generic']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '503']));
    expect(doc.components.schemas.CarrierWebhookReceipt.required).toEqual([
      'received',
      'duplicate',
      'ignored',
    ]);
  });
});
