import type { ServiceManifest } from '#lib/platform/manifest.ts';
import { cartsService } from './carts/manifest.ts';
import { catalogService } from './catalog/manifest.ts';
import { checkoutService } from './checkout/manifest.ts';
import { devService } from './dev/manifest.ts';
import { dropsService } from './drops/manifest.ts';
import { inventoryService } from './inventory/manifest.ts';
import { notificationsService } from './notifications/manifest.ts';
import { platformService } from './platform/manifest.ts';
import { trackingService } from './tracking/manifest.ts';

/** Every service of the platform; the CDK app and the local runtime both start from this list. */
export const SERVICES: readonly ServiceManifest[] = [
  platformService,
  catalogService,
  cartsService,
  checkoutService,
  inventoryService,
  dropsService,
  notificationsService,
  trackingService,
  devService,
];
