import { FINE_JEWELLERY } from './fine-jewellery.ts';
import { FRAGRANCE } from './fragrance.ts';
import { LEATHER_GOODS } from './leather-goods.ts';
import { READY_TO_WEAR } from './ready-to-wear.ts';
import { SHOES } from './shoes.ts';
import type { CategoryDesigner, CategoryId } from './types.ts';
import { WATCHES } from './watches.ts';

/** Every demo category, by id. */
export const CATEGORIES: Readonly<Record<CategoryId, CategoryDesigner>> = {
  watches: WATCHES,
  'fine-jewellery': FINE_JEWELLERY,
  'leather-goods': LEATHER_GOODS,
  'ready-to-wear': READY_TO_WEAR,
  shoes: SHOES,
  fragrance: FRAGRANCE,
};

export type { CategoryDesigner, CategoryId } from './types.ts';
