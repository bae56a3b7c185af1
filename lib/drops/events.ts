import { z } from 'zod';
import { Sku } from '../contracts/catalog.ts';
import { defineEvent } from '../contracts/events.ts';
import { DrawSeed, DropId, Sha256Hex } from './drop.ts';

/**
 * A first-come entry under `queue` admission was recorded as `queued`; the admitter claims stock for it
 * in arrival order. Written to the outbox in the same transaction as the entry, so no entry waits for an
 * event that never comes. Carries the entrant key, never the customer.
 */
export const DropEntryQueued = defineEvent({
  source: 'vitrine.drops',
  detailType: 'DropEntryQueued',
  version: 1,
  data: z.strictObject({
    dropId: DropId,
    entrantKey: Sha256Hex,
    sku: Sku,
    quantity: z.number().int().min(1),
    arrivedAt: z.iso.datetime(),
  }),
});

/**
 * A draw drop's winners were chosen and its seed revealed, in the same transaction that records the
 * reveal: anyone may now check `sha256(seed) == seedHash` and re-run the draw.
 */
export const DropDrawn = defineEvent({
  source: 'vitrine.drops',
  detailType: 'DropDrawn',
  version: 1,
  data: z.strictObject({
    dropId: DropId,
    seedHash: Sha256Hex,
    seed: DrawSeed,
    drawnAt: z.iso.datetime(),
    winners: z.number().int().min(0),
    waitlisted: z.number().int().min(0),
  }),
});
