import {
  addCartLine,
  type CartAccess,
  type CartDeps,
  claimCartForCustomer,
  createCart,
  getCart,
  removeCartLine,
  setCartLine,
} from '#lib/commerce/cart-use-cases.ts';
import {
  addCartLineRoute,
  CART_TOKEN_HEADER,
  claimCartRoute,
  createCartRoute,
  getCartRoute,
  removeCartLineRoute,
  setCartLineRoute,
} from '#lib/contracts/routes/carts.ts';
import { UnauthorizedError } from '#lib/errors.ts';
import type { IdempotencyStore } from '#lib/platform/idempotency.ts';
import { awsCarts, awsClock, awsIdempotency, awsProducts, awsZoneOfMarket } from '#lib/runtime/aws/deps.ts';
import { httpRouter, ok, type RouteImpl } from '#lib/runtime/http/http-handler.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';

export interface CartsHandlerDeps extends CartDeps {
  readonly idempotency: IdempotencyStore;
}

const access = (cartId: string, headers: Readonly<Record<string, string>>): CartAccess => ({
  cartId,
  cartToken: headers[CART_TOKEN_HEADER],
});

export const makeHandler = (deps: CartsHandlerDeps) => {
  const create: RouteImpl<typeof createCartRoute> = async ({ body }) => ({
    status: 201,
    body: await createCart(deps, body),
  });
  const get: RouteImpl<typeof getCartRoute> = async ({ params, headers }) =>
    ok(await getCart(deps, access(params.cartId, headers)));
  const add: RouteImpl<typeof addCartLineRoute> = async ({ params, headers, body }) =>
    ok(await addCartLine(deps, access(params.cartId, headers), body));
  const set: RouteImpl<typeof setCartLineRoute> = async ({ params, headers, body }) =>
    ok(await setCartLine(deps, access(params.cartId, headers), params.sku, body));
  const remove: RouteImpl<typeof removeCartLineRoute> = async ({ params, headers }) =>
    ok(await removeCartLine(deps, access(params.cartId, headers), params.sku));
  const claim: RouteImpl<typeof claimCartRoute> = async ({ params, headers, principal }) => {
    // parseRequest already refused callers without one on this `customer` route.
    if (!principal) throw new UnauthorizedError('A bearer token is required');
    return ok(await claimCartForCustomer(deps, access(params.cartId, headers), principal.sub));
  };
  return httpRouter(
    [
      [createCartRoute, create],
      [getCartRoute, get],
      [addCartLineRoute, add],
      [setCartLineRoute, set],
      [removeCartLineRoute, remove],
      [claimCartRoute, claim],
    ],
    { idempotency: deps.idempotency, clock: deps.clock },
  );
};

export const handler = lambdaHandler(() =>
  makeHandler({
    carts: awsCarts(),
    products: awsProducts(),
    clock: awsClock(),
    zoneOfMarket: awsZoneOfMarket(),
    idempotency: awsIdempotency(),
  }),
);
