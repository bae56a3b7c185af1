import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoCommerceRepository } from '../../lib/adapters/dynamo/dynamo-commerce-repository.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { CheckoutAbandoned } from '../../lib/commerce/events.ts';
import { derivedZoneId } from '../../lib/commerce/ids.ts';
import { domainEvent } from '../../lib/platform/domain-event.ts';
import { checkoutFixture } from '../support/checkout-fixture.ts';

describe('commerce outbox items across zones', () => {
  it("name the region of the zone replica written, not the writing function's, so that region's relay publishes them", async () => {
    const fixture = await checkoutFixture();
    const started = await fixture.checkout();
    expect(started.status).toBe(201);
    const stored = await fixture.commerce.getCheckout(started.checkoutId);
    if (!stored) throw new Error('the fixture stored no checkout');

    const { doc, names } = fixture.tables;
    const shared = sharedClientZoneTables(doc, names.commerce.zones);
    // A function in eu-west-1 writing the apac zone's replica, which lives in ap-northeast-1.
    const repository = new DynamoCommerceRepository({
      tables: (zone) => ({ ...shared(zone), region: zone === 'eu' ? 'eu-west-1' : 'ap-northeast-1' }),
      zones: Object.keys(names.commerce.zones),
      region: 'eu-west-1',
      clock: fixture.clock,
    });
    const checkoutId = derivedZoneId('chk', 'apac', `outbox-region-${started.key}`);
    const event = domainEvent(
      CheckoutAbandoned,
      {
        checkoutId,
        zone: 'apac',
        market: stored.market,
        total: stored.totals && { amount: stored.totals.total, currency: stored.totals.currency },
        reason: 'hold_expired',
      },
      { eventId: `test:${checkoutId}`, correlationId: 'test', occurredAt: fixture.clock.now() },
    );
    await repository.createCheckout({ ...stored, checkoutId, zone: 'apac' }, [event]);

    const { Item } = await doc.send(
      new GetCommand({
        TableName: names.commerce.zones.apac as string,
        Key: { pk: `OUTBOX#test:${checkoutId}`, sk: 'OUTBOX' },
        ConsistentRead: true,
      }),
    );
    expect(Item?.originRegion).toBe('ap-northeast-1');
  });
});
