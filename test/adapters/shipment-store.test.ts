import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoShipmentStore,
  MAX_SHIPMENT_ITEM_BYTES,
  ShipmentTooLargeError,
} from '../../lib/adapters/dynamo/dynamo-shipment-store.ts';
import { sharedClientZoneTables } from '../../lib/adapters/dynamo/zone-tables.ts';
import { TrackingNumberInUseError } from '../../lib/tracking/errors.ts';
import { InMemoryShipmentStore } from '../../lib/tracking/in-memory-shipment-store.ts';
import type { Shipment, TimelineEntry } from '../../lib/tracking/shipment.ts';
import { applyTrackingEvents } from '../../lib/tracking/timeline.ts';
import { TEST_ZONES, testTables } from '../support/dynamo.ts';
import { FixedClock } from '../support/fakes.ts';
import { bookedShipment, describeShipmentStoreContract, scanOf } from './shipment-store.contract.ts';

type Tables = Awaited<ReturnType<typeof testTables>>;

describeShipmentStoreContract('in-memory', async () => {
  const store = new InMemoryShipmentStore();
  return {
    store,
    outboxed: async (_zone, eventId) => store.events.some((e) => e.metadata.eventId === eventId),
  };
});

let tables: Promise<Tables> | undefined;
const sharedTables = () => {
  tables ??= testTables();
  return tables;
};
const dynamoStore = (t: Tables) =>
  new DynamoShipmentStore({
    tables: sharedClientZoneTables(t.doc, t.names.commerce.zones),
    zones: TEST_ZONES,
    pointerTableName: t.names.inventory.global as string,
    client: t.doc,
    clock: new FixedClock(new Date('2026-03-03T07:00:00.000Z')),
  });
const outboxItem = async (t: Tables, zone: string, eventId: string) =>
  (
    await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones[zone],
        Key: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' },
        ConsistentRead: true,
      }),
    )
  ).Item;

describeShipmentStoreContract('DynamoDB', async () => {
  const t = await sharedTables();
  return {
    store: dynamoStore(t),
    outboxed: async (zone, eventId) => (await outboxItem(t, zone, eventId)) !== undefined,
  };
});

describe('DynamoShipmentStore', () => {
  let t: Tables;
  beforeAll(async () => {
    t = await sharedTables();
  });

  it("keeps the shipment in its zone's commerce table and only a pointer in the global table", async () => {
    const store = dynamoStore(t);
    const { shipment, event } = bookedShipment();
    await store.create(shipment, [event]);

    const { Item } = await t.doc.send(
      new GetCommand({
        TableName: t.names.commerce.zones.eu,
        Key: { pk: `SHIPMENT#${shipment.shipmentId}`, sk: 'SHIPMENT' },
      }),
    );
    expect(Item).toMatchObject({
      gsi1pk: `ORDER#${shipment.orderId}`,
      gsi1sk: `SHIPMENT#${shipment.createdAt}#${shipment.shipmentId}`,
      customerId: shipment.customerId,
      trackingNumber: shipment.trackingNumber,
    });
    // Neither may vanish: a lost shipment or pointer silently drops every later scan.
    expect(Item?.expiresAt).toBeUndefined();
    const { Items: inUs = [] } = await t.doc.send(
      new QueryCommand({
        TableName: t.names.commerce.zones.us,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `SHIPMENT#${shipment.shipmentId}` },
      }),
    );
    expect(inUs).toEqual([]);

    const pointer = await t.doc.send(
      new GetCommand({
        TableName: t.names.inventory.global,
        Key: { pk: `TRACKING#dhl#${shipment.trackingNumber}`, sk: 'TRACKING' },
      }),
    );
    expect(pointer.Item).toEqual({
      pk: `TRACKING#dhl#${shipment.trackingNumber}`,
      sk: 'TRACKING',
      carrier: 'dhl',
      trackingNumber: shipment.trackingNumber,
      shipmentId: shipment.shipmentId,
      orderId: shipment.orderId,
      zone: 'eu',
    });
  });

  it('writes each event to the outbox of the zone table in the same transaction, for the relay', async () => {
    const store = dynamoStore(t);
    const { shipment, event } = bookedShipment();
    await store.create(shipment, [event]);
    const update = applyTrackingEvents(shipment, [scanOf(shipment, 'out_for_delivery', 90)], {
      now: new Date('2026-03-03T09:00:00.000Z'),
      correlationId: 'req-carrier',
    });
    await store.save(update.shipment, shipment.version, update.events);

    const created = await outboxItem(t, 'eu', event.metadata.eventId);
    expect(created).toMatchObject({
      source: 'vitrine.fulfilment',
      detailType: 'ShipmentCreated',
      originRegion: 'eu-west-1',
    });
    expect(JSON.parse(String(created?.detail))).toEqual({ data: event.data, metadata: event.metadata });
    const changed = await outboxItem(t, 'eu', update.events[0]!.metadata.eventId);
    expect(changed).toMatchObject({ detailType: 'ShipmentStatusChanged' });
    expect(JSON.parse(String(changed?.detail)).data).toMatchObject({
      from: 'label_created',
      to: 'out_for_delivery',
      shipmentId: shipment.shipmentId,
    });
    expect(await outboxItem(t, 'us', event.metadata.eventId)).toBeUndefined();
  });

  it('creates a shipment once when the same booking is retried concurrently', async () => {
    const store = dynamoStore(t);
    const { shipment, event } = bookedShipment();
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.create(shipment, [event])));

    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    for (const outcome of outcomes) expect(outcome.shipment).toEqual(shipment);
    expect(await store.listByOrder('eu', shipment.orderId)).toEqual([shipment]);
  });

  it('gives a tracking number to one of several shipments booked with it at once', async () => {
    const store = dynamoStore(t);
    const first = bookedShipment();
    const rivals = [
      first,
      ...Array.from({ length: 3 }, () => bookedShipment({ trackingNumber: first.shipment.trackingNumber })),
    ];
    const settled = await Promise.allSettled(rivals.map((r) => store.create(r.shipment, [r.event])));

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled.filter((s) => s.status === 'rejected')) {
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(TrackingNumberInUseError);
    }
    const winner = rivals[settled.findIndex((s) => s.status === 'fulfilled')]!;
    expect(await store.findByTrackingNumber('dhl', first.shipment.trackingNumber)).toMatchObject({
      shipmentId: winner.shipment.shipmentId,
    });
    const stored = await Promise.all(rivals.map((r) => store.get('eu', r.shipment.shipmentId)));
    expect(stored.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a timeline that would outgrow the item limit, leaving the shipment as it was', async () => {
    const store = dynamoStore(t);
    const { shipment, event } = bookedShipment();
    await store.create(shipment, [event]);
    const entry = (i: number): TimelineEntry => ({
      eventKey: `dhl:${String(i).padStart(6, '0')}:${'k'.repeat(150)}`,
      source: 'dhl',
      status: 'in_transit',
      code: 'transit',
      description: `Sortiert im Paketzentrum – ${'ü'.repeat(450)}`,
      occurredAt: new Date(Date.parse('2026-03-03T08:00:00.000Z') + i * 60_000).toISOString(),
      location: { city: 'Aschheim', postalCode: '85609', country: 'DE', description: 'Paketzentrum' },
      receivedAt: '2026-03-03T09:00:00.000Z',
    });
    const withScans = (count: number): Shipment => {
      const events = Array.from({ length: count }, (_, i) => entry(i));
      return { ...shipment, events, status: 'in_transit', statusAt: events.at(-1)!.occurredAt, version: 2 };
    };

    // A long but real journey fits.
    await store.save(withScans(60), 1, []);
    expect((await store.get('eu', shipment.shipmentId))?.events).toHaveLength(60);

    const oversized = { ...withScans(400), version: 3 };
    expect(Buffer.byteLength(JSON.stringify(oversized))).toBeGreaterThan(MAX_SHIPMENT_ITEM_BYTES);
    await expect(store.save(oversized, 2, [])).rejects.toBeInstanceOf(ShipmentTooLargeError);
    expect((await store.get('eu', shipment.shipmentId))?.version).toBe(2);
  });
});
