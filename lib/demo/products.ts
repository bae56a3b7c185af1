import type { ProductInput } from '../contracts/catalog.ts';
import type { MarketCode } from '../money/markets.ts';
import { CATEGORIES } from './categories/index.ts';
import type { CategoryDesigner, CategoryId, PieceDraft, VariantDraft } from './categories/types.ts';
import type { CollectionSpec, MaisonSpec } from './maisons.ts';
import { MAISONS } from './maisons.ts';
import { priceList } from './pricing.ts';
import { Prng } from './prng.ts';
import { allocateStock, marketsInStock, type StockLevel, type StockPlan } from './stock.ts';
import { slugify } from './text.ts';

/** Host of the fictional media CDN the demo's image and film references point at. */
export const DEMO_MEDIA_HOST = 'https://media.vitrine.example';

const DAY_MS = 86_400_000;
/** Products are dated over the two years before the epoch. */
const CATALOG_AGE_DAYS = 730;
/** A product created this recently is tagged `new-in`. */
const NEW_IN_DAYS = 60;
/** Slug ids are at most 64 characters; leave room for a `-123` disambiguation suffix. */
const MAX_BASE_ID = 58;

/** One generated product and its stock. */
export interface BuiltProduct {
  readonly productId: string;
  readonly input: ProductInput;
  readonly inStockMarkets: MarketCode[];
  readonly createdAt: string;
  readonly stock: StockLevel[];
}

/** Hands out unique product ids in generation order, so product n's id does not depend on later ones. */
export class ProductIds {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();

  /** A unique slug for `text`, suffixed `-2`, `-3`... when another product already has it. */
  claim(text: string): string {
    let base = slugify(text);
    if (base.length > MAX_BASE_ID) base = base.slice(0, MAX_BASE_ID).replace(/-[^-]*$/, '');
    let n = this.next.get(base) ?? 1;
    let id = n === 1 ? base : `${base}-${n}`;
    while (this.used.has(id)) {
      n += 1;
      id = `${base}-${n}`;
    }
    this.next.set(base, n + 1);
    this.used.add(id);
    return id;
  }
}

/** FNV-1a: a stable hash so that facts about a line (its year, its origin) are the same on every product. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Heritage {
  readonly maison: MaisonSpec;
  readonly collection: CollectionSpec;
  readonly line: string;
  readonly year: number;
  readonly hook: string;
  readonly signature: string;
  readonly piece: string;
}

const HERITAGE: readonly ((h: Heritage) => string)[] = [
  (h) =>
    `${h.maison.name} was founded in ${h.maison.city} in ${h.maison.founded} by ${h.maison.founder}. The ${h.line} line dates from ${h.year}, ${h.hook}. ${h.piece} ${h.signature}`,
  (h) =>
    `The ${h.line} line dates from ${h.year}, ${h.hook}. Today it belongs to the ${h.collection.name} collection, drawn from ${h.collection.motif}. ${h.piece} ${h.signature}`,
  (h) =>
    `In the ${h.maison.name} archives, the story of the ${h.line} begins in ${h.year}, ${h.hook}. ${h.piece} ${h.signature}`,
];

function pieceSentence(draft: PieceDraft, lineYear: number, prng: Prng): string {
  const added = prng.int(Math.max(lineYear, 1950), 2025);
  const decade = Math.floor(prng.int(lineYear, Math.max(lineYear, 1990)) / 10) * 10;
  return prng.pick([
    `This ${draft.noun} joined the line in ${added}.`,
    `This ${draft.noun} revisits a design from the ${decade}s, redrawn at today’s proportions.`,
    `This ${draft.noun} is the line’s most recent interpretation, made in the same workshop as the first.`,
    `The house has kept this ${draft.noun} almost unchanged since ${added}, altering only its finishing.`,
  ]);
}

/** The category a maison's n-th product belongs to: its categories in turn, so every one is stocked. */
function categoryFor(maison: MaisonSpec, round: number): CategoryId {
  return maison.categories[round % maison.categories.length]!;
}

/** Inputs shared by every product of one generation run. */
export interface CatalogRun {
  readonly seed: number;
  readonly epochMs: number;
  readonly plan: StockPlan;
  readonly ids: ProductIds;
  readonly collectionIds: ReadonlyMap<CollectionSpec, string>;
}

/**
 * Builds the `index`-th product. Each product draws from its own random stream, so the first n products
 * are identical whether 240 or 100,000 are generated.
 */
export function buildProduct(run: CatalogRun, index: number): BuiltProduct {
  const rng = new Prng(run.seed, index + 1);
  const maison = MAISONS[index % MAISONS.length]!;
  const designer: CategoryDesigner = CATEGORIES[categoryFor(maison, Math.floor(index / MAISONS.length))];
  const collection = rng.pick(maison.collections.filter((c) => c.categories.includes(designer.id)));
  const line = rng.pick(collection.lines);
  const draft = designer.design({ rng, maison, collection, line });

  const edition =
    designer.editionSizes.length > 0 && rng.chance(0.1)
      ? { size: rng.pick(designer.editionSizes) }
      : undefined;
  const name = edition ? `${draft.name}, Limited Edition` : draft.name;
  const productId = run.ids.claim(`${maison.id} ${name}`);

  const skuPrefix = `${maison.code}-${designer.code}-${String(index + 1).padStart(5, '0')}`;
  const variants: ProductInput['variants'] = edition
    ? numberedVariants(rng, draft.variants, edition.size).map(({ variant, number }) => ({
        ...variantFields(
          `${skuPrefix}-${variant.code}-N${String(number).padStart(String(edition.size).length, '0')}`,
          variant,
        ),
        edition: { number, size: edition.size },
      }))
    : draft.variants.map((variant) => variantFields(`${skuPrefix}-${variant.code}`, variant));

  const createdMs = run.epochMs - rng.int(1, CATALOG_AGE_DAYS * 86_400) * 1000;
  const createdAt = new Date(createdMs).toISOString();
  const atelier = maison.ateliers[designer.id]!;

  const lineKey = `${run.seed}|${maison.id}|${line}`;
  const lineYear = maison.founded + 5 + (hash(lineKey) % Math.max(1, 2020 - maison.founded - 5));
  const heritage = rng.pick(HERITAGE)({
    maison,
    collection,
    line,
    year: lineYear,
    hook: designer.heritageHooks[hash(`${lineKey}|${designer.id}`) % designer.heritageHooks.length]!,
    signature: rng.pick(maison.signatures),
    piece: pieceSentence(draft, lineYear, rng),
  });

  const description = edition
    ? `${draft.description} Limited edition of ${edition.size} numbered pieces; the number is engraved on the ${designer.editionMark}.`
    : draft.description;

  const tags = [
    ...new Set([
      ...draft.tags,
      ...(edition ? ['limited-edition'] : []),
      ...(run.epochMs - createdMs <= NEW_IN_DAYS * DAY_MS ? ['new-in'] : []),
      `made-in-${slugify(atelier.country)}`,
    ]),
  ].slice(0, 30);

  const input: ProductInput = {
    name,
    maisonId: maison.id,
    collectionId: run.collectionIds.get(collection)!,
    categoryId: designer.id,
    status: 'active',
    description,
    story: {
      craftsmanship: draft.craftsmanship,
      materials: draft.materials.map((m) => m.name),
      provenance: draft.provenance,
      heritage,
    },
    media: media(rng, maison.id, productId, name, draft, variants, atelier.place),
    variants,
    prices: priceList(draft.baseEur * maison.positioning * (edition ? 1.35 : 1)),
    tags,
  };

  const stock = allocateStock(
    rng,
    variants.map((v) => ({ sku: v.sku, numbered: v.edition !== undefined })),
    designer,
    run.plan,
  );
  return { productId, input, createdAt, stock, inStockMarkets: marketsInStock(stock, run.plan.zoneOf) };
}

function variantFields(sku: string, variant: VariantDraft): ProductInput['variants'][number] {
  return {
    sku,
    ...(variant.size ? { size: variant.size } : {}),
    ...(variant.colour ? { colour: variant.colour } : {}),
  };
}

/**
 * The numbered pieces of a limited edition offered for sale: one piece, or a handful of distinct numbers
 * (the others are already with clients), each in one of the piece's sizes or colours.
 */
function numberedVariants(
  rng: Prng,
  drafts: readonly VariantDraft[],
  size: number,
): { variant: VariantDraft; number: number }[] {
  const count = rng.chance(0.4) ? 1 : rng.int(2, Math.min(6, size));
  const numbers = new Set<number>();
  while (numbers.size < count) numbers.add(rng.int(1, size));
  return [...numbers].sort((a, b) => a - b).map((number) => ({ variant: rng.pick(drafts), number }));
}

function media(
  rng: Prng,
  maisonId: string,
  productId: string,
  name: string,
  draft: PieceDraft,
  variants: ProductInput['variants'],
  place: string,
): ProductInput['media'] {
  const base = `${DEMO_MEDIA_HOST}/${maisonId}/${productId}`;
  const items: ProductInput['media'] = [
    { type: 'image', url: `${base}/hero.jpg`, alt: `${name}, front view`, role: 'hero' },
  ];
  const colours = [...new Set(variants.flatMap((v) => (v.colour ? [v.colour] : [])))].slice(0, 3);
  for (const colour of colours) {
    items.push({
      type: 'image',
      url: `${base}/packshot-${slugify(colour)}.jpg`,
      alt: `${name}, ${colour.toLowerCase()}`,
      role: 'packshot',
    });
  }
  const lead = draft.materials[0]!;
  items.push({
    type: 'image',
    url: `${base}/detail.jpg`,
    alt: `Close-up of the ${lead.name} of the ${name}`,
    role: 'detail',
  });
  if (rng.chance(0.6)) {
    items.push({
      type: 'image',
      url: `${base}/lifestyle.jpg`,
      alt: `${name} ${draft.lifestyle}`,
      role: 'lifestyle',
    });
  }
  if (rng.chance(0.15)) {
    items.push({
      type: 'video',
      url: `${base}/atelier.mp4`,
      alt: `Film: the ${draft.noun} being made in ${place}`,
      role: 'lifestyle',
    });
  }
  if (rng.chance(0.1)) {
    items.push({ type: 'model3d', url: `${base}/model.glb`, alt: `3D view of the ${name}`, role: 'detail' });
  }
  return items;
}
