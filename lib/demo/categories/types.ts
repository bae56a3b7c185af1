import type { CollectionSpec, MaisonSpec } from '../maisons.ts';
import type { Prng } from '../prng.ts';

/** The demo catalog's categories. */
export type CategoryId =
  | 'watches'
  | 'fine-jewellery'
  | 'leather-goods'
  | 'ready-to-wear'
  | 'shoes'
  | 'fragrance';

/** A material as the catalog names it, with what a storefront and search need to know about it. */
export interface Material {
  /** As shown in the story and the materials facet, e.g. `18k rose gold`. */
  readonly name: string;
  /** Short form for product names, e.g. `Rose Gold`. */
  readonly label: string;
  /** Tag for facets and filters, e.g. `rose-gold`. */
  readonly tag: string;
  /** One sentence on where it comes from, for the provenance story. */
  readonly origin: string;
  /** Price multiplier against the category's reference material. */
  readonly factor: number;
}

/** A colour option and its code in SKUs. */
export interface Colour {
  readonly name: string;
  readonly code: string;
}

/** What a category designer gets to compose one piece. */
export interface DesignContext {
  readonly rng: Prng;
  readonly maison: MaisonSpec;
  readonly collection: CollectionSpec;
  /** The model line the piece belongs to, e.g. `Lac Léman` or `Odéon`. */
  readonly line: string;
}

/** A variant before SKUs are assigned; `code` is unique within the piece and becomes the SKU suffix. */
export interface VariantDraft {
  readonly code: string;
  readonly size?: string;
  readonly colour?: string;
}

/** A composed piece, before ids, SKUs, prices, editions, media and stock are added. */
export interface PieceDraft {
  readonly name: string;
  /** Euro list price before the maison's positioning and rounding. */
  readonly baseEur: number;
  /** One to four materials, most important first. */
  readonly materials: readonly Material[];
  readonly variants: readonly VariantDraft[];
  readonly description: string;
  readonly craftsmanship: string;
  readonly provenance: string;
  readonly tags: readonly string[];
  /** What the piece is, for alt text: `chronograph`, `tote`. */
  readonly noun: string;
  /** How the piece is shown in a lifestyle picture, completing `{name} ...`: `worn on the wrist`. */
  readonly lifestyle: string;
}

/** Everything the generator knows about one category. */
export interface CategoryDesigner {
  readonly id: CategoryId;
  /** Two upper-case letters used in SKUs. */
  readonly code: string;
  readonly name: string;
  readonly description: string;
  /** Clauses completing "The X line dates from 1954, ...". */
  readonly heritageHooks: readonly string[];
  /** Edition sizes a limited edition of this category can have; empty when the category has none. */
  readonly editionSizes: readonly number[];
  /** Where the edition number is marked, completing "the number is engraved on ...". */
  readonly editionMark: string;
  /** Units a warehouse typically holds of one SKU, and a boutique. */
  readonly warehouseStock: readonly [number, number];
  readonly boutiqueStock: readonly [number, number];
  design(ctx: DesignContext): PieceDraft;
}
