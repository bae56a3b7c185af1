import { CART_ROUTES } from '#lib/contracts/routes/carts.ts';
import { defineService } from '#lib/platform/manifest.ts';

export const cartsService = defineService({
  name: 'carts',
  functions: {
    carts: {
      entry: 'functions/carts/carts.ts',
      description: 'Anonymous carts with token access: create, read priced now, change lines, claim',
      routes: CART_ROUTES,
      tables: { catalog: 'read', commerce: 'write', idempotency: 'write' },
    },
  },
});
