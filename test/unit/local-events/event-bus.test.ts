import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineEvent, patternOf } from '../../../lib/contracts/events.ts';
import { seededRandom } from '../../../lib/runtime/local/events/clock.ts';
import { type BusEvent, InProcessEventBus } from '../../../lib/runtime/local/events/event-bus.ts';
import { InvalidEventPatternError } from '../../../lib/runtime/local/events/event-pattern.ts';

const OrderPlaced = defineEvent({
  source: 'vitrine.commerce',
  detailType: 'OrderPlaced',
  version: 1,
  data: z.object({ orderId: z.string(), status: z.string() }),
});

function entry(orderId: string, overrides: Record<string, unknown> = {}) {
  return {
    Source: 'vitrine.commerce',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify({ data: { orderId, status: 'PAID' }, metadata: { eventId: `e-${orderId}` } }),
    EventBusName: 'vitrine',
    ...overrides,
  };
}

/** Lets the bus's zero-delay timers fire and the targets settle. */
async function flush(bus: InProcessEventBus): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  await bus.idle();
}

describe('InProcessEventBus', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-03-01T10:00:00.250Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('builds full EventBridge events and returns their ids', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine', region: 'eu-west-3', account: '123456789012' });
    const received: BusEvent[] = [];
    bus.addRule('all-orders', patternOf(OrderPlaced), (event) => received.push(event));

    const output = await bus.putEvents({ Entries: [entry('o-1', { Resources: ['arn:aws:x'] })] });
    await flush(bus);

    expect(output.FailedEntryCount).toBe(0);
    expect(output.Entries).toHaveLength(1);
    expect(received).toEqual([
      {
        version: '0',
        id: output.Entries[0]?.EventId,
        'detail-type': 'OrderPlaced',
        source: 'vitrine.commerce',
        account: '123456789012',
        time: '2026-03-01T10:00:00Z',
        region: 'eu-west-3',
        resources: ['arn:aws:x'],
        detail: { data: { orderId: 'o-1', status: 'PAID' }, metadata: { eventId: 'e-o-1' } },
      },
    ]);
    expect(output.Entries[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('uses the entry Time, to the second', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    const received: BusEvent[] = [];
    bus.addRule('r', { source: ['vitrine.commerce'] }, (event) => received.push(event));
    await bus.putEvents({ Entries: [entry('o-1', { Time: new Date('2025-12-24T23:59:59.999Z') })] });
    await flush(bus);
    expect(received[0]?.time).toBe('2025-12-24T23:59:59Z');
  });

  it('delivers to every matching rule and to no other', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    const calls: string[] = [];
    bus.addRule('paid', { source: ['vitrine.commerce'], detail: { data: { status: ['PAID'] } } }, (e) => {
      calls.push(`paid:${(e.detail as { data: { orderId: string } }).data.orderId}`);
    });
    bus.addRule('cancelled', { detail: { data: { status: ['CANCELLED'] } } }, () => calls.push('cancelled'));
    bus.addRule('catalog', { source: ['vitrine.catalog'] }, () => calls.push('catalog'));

    await bus.putEvents({ Entries: [entry('o-1'), entry('o-2')] });
    await flush(bus);

    expect(calls.sort()).toEqual(['paid:o-1', 'paid:o-2']);
    expect(bus.matchingRules({ ...({} as BusEvent), source: 'vitrine.catalog', detail: {} })).toEqual([
      'catalog',
    ]);
  });

  it('never runs a target inside the publisher call', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    const target = vi.fn();
    bus.addRule('r', { source: ['vitrine.commerce'] }, target);

    await bus.putEvents({ Entries: [entry('o-1')] });
    await Promise.resolve();
    expect(target).not.toHaveBeenCalled();

    await flush(bus);
    expect(target).toHaveBeenCalledOnce();
  });

  it('does not fail the publisher or the other rules when a target throws', async () => {
    const onTargetError = vi.fn();
    const bus = new InProcessEventBus({ name: 'vitrine', onTargetError });
    const healthy = vi.fn();
    bus.addRule('broken', { source: ['vitrine.commerce'] }, async () => {
      throw new Error('boom');
    });
    bus.addRule('healthy', { source: ['vitrine.commerce'] }, healthy);

    await expect(bus.putEvents({ Entries: [entry('o-1')] })).resolves.toMatchObject({ FailedEntryCount: 0 });
    await flush(bus);

    expect(healthy).toHaveBeenCalledOnce();
    expect(onTargetError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'boom' }),
      expect.objectContaining({ rule: 'broken' }),
    );
  });

  it('reports each invalid entry as EventBridge does and still delivers the valid ones', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    const target = vi.fn();
    bus.addRule('r', { source: [{ prefix: '' }] }, target);

    const output = await bus.putEvents({
      Entries: [
        entry('ok'),
        entry('x', { DetailType: undefined }),
        entry('x', { Detail: '{not json' }),
        entry('x', { Detail: '[1,2]' }),
        entry('x', { Source: 'aws.ec2' }),
        entry('x', { EventBusName: 'other' }),
        entry('ok-arn', { EventBusName: bus.arn }),
      ],
    });
    await flush(bus);

    expect(output.FailedEntryCount).toBe(5);
    expect(output.Entries.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'NotAuthorizedForSourceException',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(output.Entries[1]?.ErrorMessage).toContain('DetailType');
    expect(target).toHaveBeenCalledTimes(2);
  });

  it('defaults EventBusName to the default bus', async () => {
    const bus = new InProcessEventBus();
    const output = await bus.putEvents({ Entries: [entry('o-1', { EventBusName: undefined })] });
    expect(output.FailedEntryCount).toBe(0);
  });

  it('rejects requests EventBridge would reject outright', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    await expect(bus.putEvents({ Entries: [] })).rejects.toThrow(/1 to 10 entries/);
    await expect(
      bus.putEvents({ Entries: Array.from({ length: 11 }, (_, i) => entry(`o-${i}`)) }),
    ).rejects.toThrow(/got 11/);
    const huge = entry('big', { Detail: JSON.stringify({ data: 'x'.repeat(256 * 1024) }) });
    await expect(bus.putEvents({ Entries: [huge] })).rejects.toThrow(/over 256 KB/);
  });

  it('validates rule patterns and names when rules are added', () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    expect(() => bus.addRule('bad', { source: 'vitrine.commerce' }, vi.fn())).toThrow(
      InvalidEventPatternError,
    );
    bus.addRule('r', { source: ['x'] }, vi.fn());
    expect(() => bus.addRule('r', { source: ['y'] }, vi.fn())).toThrow(/already exists/);
    expect(bus.removeRule('r')).toBe(true);
    expect(bus.removeRule('r')).toBe(false);
  });

  it('gives each target its own copy of the event', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    const seen: unknown[] = [];
    bus.addRule('mutator', { source: ['vitrine.commerce'] }, (event) => {
      (event.detail as { data: { status: string } }).data.status = 'MUTATED';
    });
    bus.addRule('reader', { source: ['vitrine.commerce'] }, (event) => {
      seen.push((event.detail as { data: { status: string } }).data.status);
    });
    await bus.putEvents({ Entries: [entry('o-1')] });
    await flush(bus);
    expect(seen).toEqual(['PAID']);
  });

  it('waits in idle() for asynchronous targets to finish', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine' });
    let finished = false;
    bus.addRule('slow', { source: ['vitrine.commerce'] }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      finished = true;
    });
    await bus.putEvents({ Entries: [entry('o-1')] });
    const idle = bus.idle();
    await vi.advanceTimersByTimeAsync(499);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await idle;
    expect(finished).toBe(true);
  });

  it('cancels scheduled deliveries on stop()', async () => {
    const bus = new InProcessEventBus({ name: 'vitrine', chaos: { maxDelayMs: 1000, random: () => 0.99 } });
    const target = vi.fn();
    bus.addRule('r', { source: ['vitrine.commerce'] }, target);
    await bus.putEvents({ Entries: [entry('o-1')] });
    bus.stop();
    await vi.advanceTimersByTimeAsync(2000);
    await bus.idle();
    expect(target).not.toHaveBeenCalled();
  });

  describe('archive and replay', () => {
    it('replays archived events to the current rules, stamped with replay-name', async () => {
      const bus = new InProcessEventBus({ name: 'vitrine', archive: true });
      await bus.putEvents({ Entries: [entry('o-1'), entry('o-2')] });
      await bus.putEvents({ Entries: [entry('o-3', { Source: 'vitrine.catalog' })] });
      expect(bus.archive.map((e) => e.source)).toEqual([
        'vitrine.commerce',
        'vitrine.commerce',
        'vitrine.catalog',
      ]);

      const received: BusEvent[] = [];
      bus.addRule('late-subscriber', { source: [{ prefix: 'vitrine.' }] }, (event) => received.push(event));
      const count = bus.replay({ pattern: { source: ['vitrine.commerce'] }, replayName: 'rebuild-search' });
      await flush(bus);

      expect(count).toBe(2);
      expect(
        received.map((e) => [(e.detail as { data: { orderId: string } }).data.orderId, e['replay-name']]),
      ).toEqual([
        ['o-1', 'rebuild-search'],
        ['o-2', 'rebuild-search'],
      ]);
      expect(received[0]?.id).toBe(bus.archive[0]?.id);
    });

    it('filters replays by event time', async () => {
      const bus = new InProcessEventBus({ name: 'vitrine', archive: true });
      await bus.putEvents({ Entries: [entry('early', { Time: new Date('2026-01-01T00:00:00Z') })] });
      await bus.putEvents({ Entries: [entry('late', { Time: new Date('2026-02-01T00:00:00Z') })] });
      const received: BusEvent[] = [];
      bus.addRule('r', { source: ['vitrine.commerce'] }, (event) => received.push(event));

      expect(bus.replay({ from: new Date('2026-01-15T00:00:00Z') })).toBe(1);
      expect(bus.replay({ to: new Date('2026-01-15T00:00:00Z') })).toBe(1);
      await flush(bus);
      expect(received.map((e) => (e.detail as { data: { orderId: string } }).data.orderId)).toEqual([
        'late',
        'early',
      ]);
    });

    it('keeps nothing and refuses to replay without archive', async () => {
      const bus = new InProcessEventBus({ name: 'vitrine' });
      await bus.putEvents({ Entries: [entry('o-1')] });
      expect(bus.archive).toEqual([]);
      expect(() => bus.replay()).toThrow(/archive: true/);
    });
  });

  describe('at-least-once chaos', () => {
    const orderIds = (events: BusEvent[]) =>
      events.map((e) => (e.detail as { data: { orderId: string } }).data.orderId);

    it('delivers each event exactly once by default, in order', async () => {
      const bus = new InProcessEventBus({ name: 'vitrine' });
      const received: BusEvent[] = [];
      bus.addRule('r', { source: ['vitrine.commerce'] }, (e) => received.push(e));
      await bus.putEvents({ Entries: ['a', 'b', 'c', 'd'].map((id) => entry(id)) });
      await flush(bus);
      expect(orderIds(received)).toEqual(['a', 'b', 'c', 'd']);
    });

    it('delivers exactly k copies with exactDuplicates, all with the same event id', async () => {
      const bus = new InProcessEventBus({
        name: 'vitrine',
        chaos: { duplicateFactor: 2, exactDuplicates: true },
      });
      const received: BusEvent[] = [];
      bus.addRule('r', { source: ['vitrine.commerce'] }, (e) => received.push(e));
      await bus.putEvents({ Entries: [entry('a'), entry('b')] });
      await flush(bus);
      expect(orderIds(received).sort()).toEqual(['a', 'a', 'b', 'b']);
      expect(new Set(received.map((e) => e.id)).size).toBe(2);
    });

    it('delivers between 1 and k copies, reproducibly from a seed', async () => {
      const run = async (seed: number) => {
        const bus = new InProcessEventBus({
          name: 'vitrine',
          chaos: { duplicateFactor: 3, random: seededRandom(seed) },
        });
        const counts = new Map<string, number>();
        bus.addRule('r', { source: ['vitrine.commerce'] }, (e) => {
          counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
        });
        await bus.putEvents({ Entries: Array.from({ length: 10 }, (_, i) => entry(`o-${i}`)) });
        await flush(bus);
        return [...counts.values()];
      };
      const counts = await run(42);
      expect(counts).toHaveLength(10);
      expect(counts.every((c) => c >= 1 && c <= 3)).toBe(true);
      expect(new Set(counts).size).toBeGreaterThan(1);
      expect(await run(42)).toEqual(counts);
    });

    it('shuffles the deliveries of one call', async () => {
      const bus = new InProcessEventBus({
        name: 'vitrine',
        chaos: { shuffle: true, random: seededRandom(7) },
      });
      const received: BusEvent[] = [];
      bus.addRule('r', { source: ['vitrine.commerce'] }, (e) => received.push(e));
      const ids = Array.from({ length: 10 }, (_, i) => `o-${i}`);
      await bus.putEvents({ Entries: ids.map((id) => entry(id)) });
      await flush(bus);
      expect(orderIds(received)).not.toEqual(ids);
      expect(orderIds(received).sort()).toEqual([...ids].sort());
    });

    it('delays deliveries up to maxDelayMs, reordering across calls', async () => {
      const random = vi.fn().mockReturnValueOnce(0.9).mockReturnValueOnce(0.1);
      const bus = new InProcessEventBus({ name: 'vitrine', chaos: { maxDelayMs: 1000, random } });
      const received: BusEvent[] = [];
      bus.addRule('r', { source: ['vitrine.commerce'] }, (e) => received.push(e));
      await bus.putEvents({ Entries: [entry('first')] });
      await bus.putEvents({ Entries: [entry('second')] });

      await vi.advanceTimersByTimeAsync(99);
      expect(received).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(orderIds(received)).toEqual(['second']);
      await vi.advanceTimersByTimeAsync(800);
      await bus.idle();
      expect(orderIds(received)).toEqual(['second', 'first']);
    });

    it('rejects a duplicate factor below 1', () => {
      expect(() => new InProcessEventBus({ chaos: { duplicateFactor: 0 } })).toThrow(/duplicateFactor/);
    });
  });
});
