import {
  createDropRoute,
  enterDropRoute,
  getDropRoute,
  getMyDropEntryRoute,
} from '#lib/contracts/routes/drops.ts';
import { customerTier } from '#lib/drops/drop.ts';
import {
  createDrop,
  DropCache,
  type DropDeps,
  dropStaffView,
  enterDrop,
  getDropView,
  myDropEntry,
} from '#lib/drops/use-cases.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import {
  awsClock,
  awsDropStore,
  awsIdempotency,
  awsLocations,
  awsOwnZone,
  awsStock,
} from '#lib/runtime/aws/deps.ts';
import { bind, httpRouter, ok } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export interface DropsHttpDeps extends DropDeps {
  readonly idempotency: IdempotencyStore;
  /** The residency zone of a customer from their country claim; their entry records it for checkout. */
  readonly zoneOfCountry: (country: string | undefined) => string;
}

export const makeHandler = (deps: DropsHttpDeps) => {
  // One view of each drop per container: the burst reads the drop item once a second, not per entry.
  const drops: DropDeps = { ...deps, dropCache: deps.dropCache ?? new DropCache(deps.drops, deps.clock) };
  return httpRouter(
    [
      bind(createDropRoute, async ({ body, principal, idempotency }) => {
        const drop = await createDrop(drops, {
          request: body,
          staffId: principal.sub,
          operation: idempotency!,
        });
        return { status: 201, body: dropStaffView(drop) };
      }),
      bind(getDropRoute, async ({ params, query, principal }) =>
        ok(
          await getDropView(drops, {
            dropId: params.dropId,
            caller: { tier: customerTier(principal.tier), channel: query.channel },
          }),
          { 'cache-control': 'private, max-age=1' },
        ),
      ),
      bind(enterDropRoute, async ({ params, body, principal, idempotency }) => {
        const entry = await enterDrop(drops, {
          dropId: params.dropId,
          sub: principal.sub,
          tier: customerTier(principal.tier),
          zone: deps.zoneOfCountry(principal.country),
          request: body,
          operation: idempotency!,
        });
        if (entry.status !== 'queued') return { status: 201, body: entry };
        return {
          status: 202,
          body: entry,
          headers: { location: `/v1/drops/${params.dropId}/entries/me`, 'retry-after': '1' },
        };
      }),
      bind(getMyDropEntryRoute, async ({ params, principal }) =>
        ok(await myDropEntry(drops, { dropId: params.dropId, sub: principal.sub }), {
          'cache-control': 'no-store',
        }),
      ),
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );
};

export const handler = lambdaHandler(() =>
  makeHandler({
    drops: awsDropStore(),
    stock: awsStock(),
    locations: awsLocations(),
    clock: awsClock(),
    idempotency: awsIdempotency(),
    // A customer is served by the API of their own zone, so the zone of this region is theirs.
    zoneOfCountry: () => awsOwnZone(),
  }),
);
