import { article, capitalise } from '../text.ts';
import { COLOURS, HARDWARE, LEATHERS, LININGS, POPLAR, URUSHI } from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft, VariantDraft } from './types.ts';

interface LeatherType {
  readonly noun: string;
  readonly tag: string;
  readonly base: number;
  readonly weight: number;
  /** Model sizes shown after the name, e.g. `25` for a 25 cm bag. */
  readonly models?: readonly number[];
  /** Belt lengths, sold as variants. */
  readonly lengths?: readonly string[];
  readonly hardware: boolean;
  readonly feature: string;
  readonly dimensions?: (size: number) => string;
  /** Only these maisons make it. */
  readonly maisons?: readonly string[];
}

const TYPES: readonly LeatherType[] = [
  {
    noun: 'Tote',
    tag: 'bags',
    base: 3_200,
    weight: 3,
    hardware: true,
    feature: 'an open top with a magnetic closure, a zipped inner pocket and room for a 14-inch laptop',
    models: [32, 38],
    dimensions: (w) => `W ${w} × H ${Math.round(w * 0.8)} × D ${Math.round(w * 0.4)} cm`,
  },
  {
    noun: 'Top Handle Bag',
    tag: 'bags',
    base: 4_200,
    weight: 4,
    hardware: true,
    feature: 'a rolled handle, a detachable shoulder strap and a turn-lock closure',
    models: [20, 25, 30],
    dimensions: (w) => `W ${w} × H ${Math.round(w * 0.72)} × D ${Math.round(w * 0.44)} cm`,
  },
  {
    noun: 'Shoulder Bag',
    tag: 'bags',
    base: 2_900,
    weight: 3,
    hardware: true,
    feature: 'an adjustable strap that can be worn on the shoulder or across the body',
    models: [22, 26],
    dimensions: (w) => `W ${w} × H ${Math.round(w * 0.65)} × D ${Math.round(w * 0.3)} cm`,
  },
  {
    noun: 'Bucket Bag',
    tag: 'bags',
    base: 2_700,
    weight: 2,
    hardware: true,
    feature: 'a drawstring closure and a removable zipped pouch',
    dimensions: () => 'W 22 × H 26 × D 18 cm',
  },
  {
    noun: 'Clutch',
    tag: 'bags',
    base: 1_900,
    weight: 2,
    hardware: true,
    feature: 'a frame clasp and a detachable chain',
    dimensions: () => 'W 24 × H 14 × D 5 cm',
  },
  {
    noun: 'Briefcase',
    tag: 'bags',
    base: 4_600,
    weight: 2,
    hardware: true,
    feature: 'two gussets, a padded laptop compartment and a key-lock clasp',
    dimensions: () => 'W 40 × H 30 × D 9 cm',
  },
  {
    noun: 'Weekender',
    tag: 'travel',
    base: 5_200,
    weight: 1.5,
    hardware: true,
    feature: 'a two-way zip, a padlock and a detachable shoulder strap',
    models: [45, 50, 55],
    dimensions: (w) => `W ${w} × H ${Math.round(w * 0.55)} × D ${Math.round(w * 0.45)} cm`,
  },
  {
    noun: 'Backpack',
    tag: 'bags',
    base: 3_100,
    weight: 1.5,
    hardware: true,
    feature: 'padded straps, a flap with a magnetic closure and a laptop sleeve',
    dimensions: () => 'W 29 × H 40 × D 13 cm',
  },
  {
    noun: 'Travel Trunk',
    tag: 'travel',
    base: 36_000,
    weight: 1.5,
    hardware: true,
    feature: 'a removable tray, lozine-bound edges and a lock numbered to its owner',
    models: [70, 80, 100],
    dimensions: (w) => `W ${w} × H ${Math.round(w * 0.55)} × D ${Math.round(w * 0.5)} cm`,
    maisons: ['aurele'],
  },
  {
    noun: 'Card Holder',
    tag: 'small-leather-goods',
    base: 420,
    weight: 3,
    hardware: false,
    feature: 'four card slots and a central pocket',
  },
  {
    noun: 'Zipped Wallet',
    tag: 'small-leather-goods',
    base: 890,
    weight: 2,
    hardware: true,
    feature: 'twelve card slots, a coin pocket and a wrap-around zip',
  },
  {
    noun: 'Document Holder',
    tag: 'small-leather-goods',
    base: 1_250,
    weight: 1,
    hardware: true,
    feature: 'a zip closure and an inner pocket sized for A4 papers',
  },
  {
    noun: 'Belt',
    tag: 'belts',
    base: 650,
    weight: 2,
    hardware: true,
    feature: 'a solid brass buckle that can be changed for another',
    lengths: ['80', '85', '90', '95', '100', '105'],
  },
];

interface LeatherCraft {
  readonly place: string;
  readonly hours: number;
  readonly noun: string;
  readonly leather: string;
  readonly coats: number;
  readonly stitches: number;
  readonly pieces: number;
}

const CRAFT: readonly ((c: LeatherCraft) => string)[] = [
  (c) =>
    `Each ${c.noun} is made from start to finish by one artisan in ${c.place}, over about ${c.hours} hours. The ${c.leather} is cut by hand, skived at the edges and saddle-stitched with two needles and waxed linen thread, ${c.stitches} stitches to every ten centimetres.`,
  (c) =>
    `The ${c.pieces} pieces of the ${c.noun} are cut by hand to avoid the smallest flaw in the ${c.leather}. The edges are sanded, dyed and waxed in ${c.coats} coats, each left to dry overnight, and the whole takes ${c.hours} hours of handwork.`,
  (c) =>
    `Artisans in ${c.place} assemble the ${c.noun} inside-out on a wooden form, then turn it, shape it and close it with hand stitching. Its edges receive ${c.coats} coats of paint, polished between each, for a finish that will not crack.`,
  (c) =>
    `Made in ${c.place} from ${c.pieces} pieces of ${c.leather}, the ${c.noun} is stitched by hand with a saddler’s stitch that holds even if one thread is cut; ${c.hours} hours of work go into every one.`,
];

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, collection, line } = ctx;
  const type = rng.weighted(
    TYPES.filter((t) => !t.maisons || t.maisons.includes(maison.id)),
    (t) => t.weight,
  );
  const trunk = type.noun === 'Travel Trunk';
  const belt = type.lengths !== undefined;
  const pool = belt
    ? LEATHERS.filter((l) =>
        ['box calf', 'bridle leather', 'grained calfskin', 'alligator leather'].includes(l.name),
      )
    : trunk
      ? LEATHERS.filter((l) => ['coated canvas', 'box calf', 'grained calfskin'].includes(l.name))
      : LEATHERS;
  const leather = rng.weighted(pool, (l) => (l.factor > 2 ? 0.4 : 1));
  const hardware = type.hardware ? rng.pick(HARDWARE) : undefined;
  const lining = belt ? undefined : rng.pick(LININGS);
  const lacquer = maison.id === 'tsukishiro' && rng.chance(0.6) ? URUSHI : undefined;
  const materials = [
    leather,
    ...(trunk ? [POPLAR] : []),
    ...(lacquer ? [lacquer] : []),
    ...(hardware ? [hardware] : []),
    ...(lining ? [lining] : []),
  ].slice(0, 4);
  const model = type.models ? rng.pick(type.models) : undefined;
  const exotic = leather.factor > 2;
  const atelier = maison.ateliers['leather-goods']!;
  const noun = type.noun.toLowerCase();

  const name = `${line} ${type.noun}${model ? ` ${model}` : ''}${exotic || leather.name === 'coated canvas' || rng.chance(0.25) ? ` in ${leather.label}` : ''}`;
  const colours = rng.sample(exotic ? COLOURS.slice(0, 5) : COLOURS, rng.int(1, exotic ? 2 : 4));
  const variants: VariantDraft[] = [];
  for (const colour of colours) {
    if (!belt) variants.push({ code: colour.code, colour: colour.name });
    else
      for (const length of rng.run(type.lengths!, 4))
        variants.push({ code: `${colour.code}-${length}`, size: `${length} cm`, colour: colour.name });
  }

  const adjective = rng.pick([
    'structured',
    'supple',
    'softly rounded',
    'clean-lined',
    'compact',
    'generous',
  ]);
  const description = [
    `${capitalise(article(adjective))} ${adjective} ${noun} in ${leather.name}${hardware ? ` with ${hardware.name} fittings` : ''}, drawn from ${collection.motif}.`,
    `It has ${type.feature}.`,
    lacquer ? 'The edges are finished in urushi lacquer instead of paint.' : '',
    type.dimensions ? `Dimensions: ${type.dimensions(model ?? 0)}.` : '',
    belt ? 'Width 3 cm; lengths are measured from the buckle to the middle hole.' : '',
  ]
    .filter(Boolean)
    .join(' ');

  const craft: LeatherCraft = {
    place: atelier.place,
    hours: trunk
      ? rng.int(60, 120)
      : type.tag === 'bags' || type.tag === 'travel'
        ? rng.int(10, 30)
        : rng.int(3, 8),
    noun,
    leather: leather.name,
    coats: rng.int(4, 9),
    stitches: rng.int(8, 12),
    pieces: rng.int(14, 70),
  };
  const trunkNote = trunk
    ? ` The frame is assembled from poplar slats, covered, then nailed with ${rng.int(240, 420)} brass nails driven by hand.`
    : '';
  const craftsmanship = `${rng.pick(CRAFT)(craft)}${trunkNote}${lacquer ? ` Each edge then receives up to ${rng.int(12, 30)} coats of urushi, cured in a humid cabinet between coats.` : ''}`;

  const provenance = [
    ...materials.map((m) => m.origin),
    `Made by hand in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');

  const tags = [
    type.tag,
    leather.tag,
    ...(hardware ? [hardware.tag] : []),
    ...(exotic ? ['exotic-leather'] : []),
    ...(lacquer ? ['urushi'] : []),
    ...(type.tag === 'small-leather-goods' ? ['gift-idea'] : []),
  ];

  const factor = (m: Material | undefined) => m?.factor ?? 1;
  return {
    name,
    baseEur:
      type.base *
      leather.factor *
      factor(lacquer) *
      (model && type.models ? 1 + type.models.indexOf(model) * 0.15 : 1),
    materials,
    variants,
    description,
    craftsmanship,
    provenance,
    tags,
    noun,
    lifestyle:
      type.tag === 'bags' ? 'carried on the arm' : type.tag === 'travel' ? 'in a hotel lobby' : 'on a desk',
  };
}

/** Leather goods: bags, travel pieces, small leather goods and belts. */
export const LEATHER_GOODS: CategoryDesigner = {
  id: 'leather-goods',
  code: 'LG',
  name: 'Leather Goods',
  description:
    'Bags, luggage, small leather goods and belts, cut and saddle-stitched by hand in calfskin, lambskin, bridle leather and exotic skins.',
  heritageHooks: [
    'when the house began making luggage for the transatlantic liners',
    'first made for a rider who wanted a bag that would last a season in the saddle',
    'drawn from a doctor’s bag kept in the house archives',
    'when the workshop first turned its saddlery stitch to bags for the city',
    'made for a client who needed a case that would carry a violin and a week of clothes',
    'when the house opened its first travel department and its order books filled within a month',
  ],
  editionSizes: [10, 15, 25, 50],
  editionMark: 'brass plate inside',
  warehouseStock: [1, 8],
  boutiqueStock: [1, 3],
  design,
};
