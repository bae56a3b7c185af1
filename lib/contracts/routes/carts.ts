import { z } from 'zod';
import {
  AddCartLineRequest,
  CartView,
  CreateCartRequest,
  CreatedCart,
  SetCartLineRequest,
} from '../../commerce/cart.ts';
import { Sku } from '../catalog.ts';
import { defineRoute, ErrorEnvelope } from '../http.ts';

/** The header that proves possession of a cart; its value is the `cartToken` `POST /v1/carts` returned. */
export const CART_TOKEN_HEADER = 'x-cart-token';

const ACCESS = [
  'Carts are anonymous: whoever holds the cart token may read and change the cart. Send it as the',
  '`X-Cart-Token` header. A missing or wrong token, an unknown or expired cart and a malformed id all',
  'answer the same 404, so the API never reveals whether a cart exists.',
].join(' ');

const PRICING =
  "Lines are priced from the market's current price list each time the cart is read; a line whose piece is no longer for sale in the market shows `available: false` and is left out of the subtotal.";

/** Any string: a malformed id is an unknown cart (404), not a bad request. */
const CartParams = z.strictObject({ cartId: z.string().max(200) });
const LineParams = z.strictObject({ cartId: z.string().max(200), sku: Sku });

const cartTokenHeader = [
  { name: 'X-Cart-Token', required: true, description: 'The `cartToken` that `POST /v1/carts` returned' },
];

const notFound = { description: 'No such cart for this token', schema: ErrorEnvelope };
const checkedOut = {
  description: 'The cart was checked out and takes no more changes',
  schema: ErrorEnvelope,
};

export const createCartRoute = defineRoute({
  method: 'POST',
  path: '/v1/carts',
  operationId: 'createCart',
  summary: 'Open an anonymous cart in a market',
  description: `Public: anyone may open a cart. The answer carries \`cartToken\`, shown only this once (the platform keeps only its hash). ${ACCESS}`,
  tags: ['Carts'],
  auth: 'public',
  idempotent: true,
  body: CreateCartRequest,
  responses: { 201: { description: 'The cart and its token', schema: CreatedCart } },
});

export const getCartRoute = defineRoute({
  method: 'GET',
  path: '/v1/carts/{cartId}',
  operationId: 'getCart',
  summary: 'A cart, priced now',
  description: `${ACCESS} ${PRICING}`,
  tags: ['Carts'],
  auth: 'public',
  headers: cartTokenHeader,
  params: CartParams,
  responses: { 200: { description: 'The cart', schema: CartView }, 404: notFound },
});

export const addCartLineRoute = defineRoute({
  method: 'POST',
  path: '/v1/carts/{cartId}/lines',
  operationId: 'addCartLine',
  summary: 'Add pieces of a SKU to a cart',
  description: `Adds \`quantity\` to the line of the SKU, creating it. A line holds at most 5 pieces and a cart at most 50 lines. ${ACCESS}`,
  tags: ['Carts'],
  auth: 'public',
  headers: cartTokenHeader,
  idempotent: true,
  params: CartParams,
  body: AddCartLineRequest,
  responses: {
    200: { description: 'The cart with the line', schema: CartView },
    404: notFound,
    409: checkedOut,
    422: {
      description:
        'SKU_NOT_AVAILABLE (unknown, not for sale or not priced in the market), LINE_QUANTITY_EXCEEDED or CART_FULL',
      schema: ErrorEnvelope,
    },
  },
});

export const setCartLineRoute = defineRoute({
  method: 'PUT',
  path: '/v1/carts/{cartId}/lines/{sku}',
  operationId: 'setCartLine',
  summary: "Set the quantity of a cart's line",
  description: ACCESS,
  tags: ['Carts'],
  auth: 'public',
  headers: cartTokenHeader,
  params: LineParams,
  body: SetCartLineRequest,
  responses: {
    200: { description: 'The cart with the new quantity', schema: CartView },
    404: {
      description: 'No such cart for this token, or the cart has no line for the SKU',
      schema: ErrorEnvelope,
    },
    409: checkedOut,
  },
});

export const removeCartLineRoute = defineRoute({
  method: 'DELETE',
  path: '/v1/carts/{cartId}/lines/{sku}',
  operationId: 'removeCartLine',
  summary: 'Remove a line from a cart',
  description: `Removing a line the cart does not have changes nothing. ${ACCESS}`,
  tags: ['Carts'],
  auth: 'public',
  headers: cartTokenHeader,
  params: LineParams,
  responses: {
    200: { description: 'The cart without the line', schema: CartView },
    404: notFound,
    409: checkedOut,
  },
});

export const claimCartRoute = defineRoute({
  method: 'POST',
  path: '/v1/carts/{cartId}/claim',
  operationId: 'claimCart',
  summary: 'Bind an anonymous cart to the signed-in customer',
  description: `Needs a customer bearer token and the cart token. Claiming one's own cart again changes nothing; a cart another customer claimed answers 404. ${ACCESS}`,
  tags: ['Carts'],
  auth: 'customer',
  headers: cartTokenHeader,
  idempotent: true,
  params: CartParams,
  responses: {
    200: { description: "The cart, now the signed-in customer's", schema: CartView },
    404: notFound,
    409: checkedOut,
  },
});

/** Every cart route, served by one function. */
export const CART_ROUTES = [
  createCartRoute,
  getCartRoute,
  addCartLineRoute,
  setCartLineRoute,
  removeCartLineRoute,
  claimCartRoute,
] as const;
