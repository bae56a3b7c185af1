import { article, capitalise, listOf } from '../text.ts';
import { CALFSKIN_LINING, SHOE_COLOURS, SHOE_LEATHERS, SOLES } from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft, VariantDraft } from './types.ts';

type Fit = 'men' | 'women' | 'unisex';
type Construction = 'goodyear' | 'blake' | 'cemented' | 'espadrille';

/** European shoe sizes by fit. */
const SIZES: Readonly<Record<Fit, readonly string[]>> = {
  men: ['39', '40', '41', '42', '43', '44', '45', '46'],
  women: ['35', '36', '37', '38', '39', '40', '41'],
  unisex: ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45'],
};

interface ShoeType {
  readonly noun: string;
  readonly tag: string;
  readonly base: number;
  readonly weight: number;
  readonly fit: Fit;
  readonly construction: Construction;
  readonly feature: string;
  readonly maisons?: readonly string[];
}

const TYPES: readonly ShoeType[] = [
  {
    noun: 'Oxford',
    tag: 'lace-ups',
    base: 980,
    weight: 3,
    fit: 'men',
    construction: 'goodyear',
    feature: 'closed lacing, a plain toe cap and a bevelled waist',
  },
  {
    noun: 'Derby',
    tag: 'lace-ups',
    base: 920,
    weight: 2,
    fit: 'men',
    construction: 'goodyear',
    feature: 'open lacing and a slightly chiselled toe',
  },
  {
    noun: 'Monk Strap',
    tag: 'lace-ups',
    base: 990,
    weight: 1,
    fit: 'men',
    construction: 'goodyear',
    feature: 'two buckled straps and a split-toe apron',
  },
  {
    noun: 'Penny Loafer',
    tag: 'loafers',
    base: 850,
    weight: 3,
    fit: 'unisex',
    construction: 'blake',
    feature: 'a hand-sewn moccasin apron and a saddle strap',
  },
  {
    noun: 'Chelsea Boot',
    tag: 'boots',
    base: 1_250,
    weight: 2,
    fit: 'unisex',
    construction: 'goodyear',
    feature: 'elastic side gussets and a pull tab at the heel',
  },
  {
    noun: 'Riding Boot',
    tag: 'boots',
    base: 1_850,
    weight: 1,
    fit: 'women',
    construction: 'blake',
    feature: 'a knee-high shaft, a full-length inside zip and a stacked leather heel',
  },
  {
    noun: 'Ballet Flat',
    tag: 'flats',
    base: 720,
    weight: 2,
    fit: 'women',
    construction: 'blake',
    feature: 'a drawstring bow and a flexible sole that folds in the hand',
  },
  {
    noun: 'Slingback Pump',
    tag: 'heels',
    base: 890,
    weight: 2,
    fit: 'women',
    construction: 'blake',
    feature: 'a pointed toe, a 65 mm heel and an adjustable slingback strap',
  },
  {
    noun: 'Mule',
    tag: 'heels',
    base: 760,
    weight: 1,
    fit: 'women',
    construction: 'blake',
    feature: 'a square toe and a 40 mm block heel',
  },
  {
    noun: 'Low-Top Sneaker',
    tag: 'sneakers',
    base: 650,
    weight: 2,
    fit: 'unisex',
    construction: 'cemented',
    feature: 'a padded collar and a cupsole stitched all round',
  },
  {
    noun: 'Espadrille',
    tag: 'espadrilles',
    base: 450,
    weight: 2,
    fit: 'unisex',
    construction: 'espadrille',
    feature: 'a suede upper and a braided jute sole',
    maisons: ['albaren', 'orsolini', 'aurele'],
  },
];

interface ShoeCraft {
  readonly place: string;
  readonly hours: number;
  readonly noun: string;
  readonly leather: string;
  readonly days: number;
  readonly operations: number;
  readonly layers: number;
}

const CRAFT: Readonly<Record<Construction, readonly ((c: ShoeCraft) => string)[]>> = {
  goodyear: [
    (c) =>
      `The ${c.noun} is Goodyear-welted in ${c.place}: the upper is lasted by hand and left on the last for ${c.days} days to take its shape, then the welt is stitched and the sole attached so that it can be resoled for decades.`,
    (c) =>
      `More than ${c.operations} operations go into each pair, from clicking the ${c.leather} by hand to burnishing the heel. The patina is brushed on in ${c.layers} layers and polished with wax and a cotton cloth.`,
  ],
  blake: [
    (c) =>
      `The ${c.noun} is Blake-stitched in ${c.place}, the sole sewn directly to the upper for a slender, flexible line. Each pair is lasted by hand and rests for ${c.days} days before it is finished.`,
    (c) =>
      `The ${c.leather} is cut by hand so that the grain runs the same way on both shoes of a pair, then stitched, lasted and finished over about ${c.hours} hours in ${c.place}.`,
  ],
  cemented: [
    (c) =>
      `The ${c.noun} is made in ${c.place} like a dress shoe: ${c.leather} uppers cut by hand, a leather-lined collar and a rubber cupsole stitched all the way round, not only glued.`,
  ],
  espadrille: [
    (c) =>
      `The jute sole is braided and sewn by hand, then the upper is stitched to it with a curved needle, ${c.operations} stitches a pair, in the way espadrilles have been made for two centuries.`,
  ],
};

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, collection, line } = ctx;
  const type = rng.weighted(
    TYPES.filter((t) => !t.maisons || t.maisons.includes(maison.id)),
    (t) => t.weight,
  );
  const espadrille = type.construction === 'espadrille';
  const leather = espadrille
    ? SHOE_LEATHERS[1]!
    : rng.weighted(
        SHOE_LEATHERS.filter((l) => type.fit !== 'women' || l.name !== 'shell cordovan'),
        (l) => (l.factor > 2 ? 0.3 : 1),
      );
  const sole: Material = espadrille
    ? SOLES.jute
    : type.construction === 'cemented'
      ? SOLES.rubber
      : type.construction === 'goodyear' && rng.chance(0.25)
        ? SOLES.rubber
        : SOLES.leather;
  const materials = [leather, sole, ...(espadrille ? [] : [CALFSKIN_LINING])];
  const atelier = maison.ateliers.shoes!;
  const noun = type.noun.toLowerCase();
  const name = `${line} ${leather.label} ${type.noun}`;

  const scale = SIZES[type.fit];
  const sizes = rng.run(scale, rng.int(5, scale.length));
  const colours = rng.sample(SHOE_COLOURS, rng.int(1, 3));
  const variants: VariantDraft[] = [];
  for (const colour of colours) {
    for (const size of sizes) variants.push({ code: `${colour.code}-${size}`, size, colour: colour.name });
  }

  const adjective = rng.pick(['refined', 'classic', 'elongated', 'understated', 'sculpted', 'light']);
  const description = [
    `${capitalise(article(adjective))} ${adjective} ${noun} in ${leather.name} on ${article(sole.name)} ${sole.name}, drawn from ${collection.motif}.`,
    `It has ${type.feature}.`,
    `Offered in ${listOf(colours.map((c) => c.name.toLowerCase()))}, European sizes ${sizes[0]} to ${sizes[sizes.length - 1]}${type.fit === 'unisex' ? '' : ` (${type.fit === 'men' ? 'men' : 'women'}’s fit)`}.`,
  ].join(' ');

  const craft: ShoeCraft = {
    place: atelier.place,
    hours: rng.int(6, 14),
    noun,
    leather: leather.name,
    days: rng.int(3, 10),
    operations: rng.int(18, 26) * 10,
    layers: rng.int(3, 8),
  };
  const craftsmanship = rng.pick(CRAFT[type.construction])(craft);
  const provenance = [
    ...materials.map((m) => m.origin),
    `Made in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');
  const tags = [
    type.tag,
    leather.tag,
    sole.tag,
    ...(type.construction === 'goodyear' ? ['goodyear-welted'] : []),
    ...(type.fit === 'unisex' ? [] : [type.fit === 'men' ? 'menswear' : 'womenswear']),
  ];

  return {
    name,
    baseEur: type.base * leather.factor,
    materials,
    variants,
    description,
    craftsmanship,
    provenance,
    tags,
    noun,
    lifestyle: 'worn on a stone staircase',
  };
}

/** Shoes: lace-ups, loafers, boots, heels and sneakers. */
export const SHOES: CategoryDesigner = {
  id: 'shoes',
  code: 'SH',
  name: 'Shoes',
  description:
    'Goodyear-welted lace-ups and boots, Blake-stitched loafers and heels, and hand-sewn espadrilles, in calfskin, suede, cordovan and exotic leathers.',
  heritageHooks: [
    'when the workshop lasted its first pair for a touring dancer',
    'derived from a riding boot made for a private client',
    'the year the house first adopted the Goodyear welt',
    'first made for the house’s own salespeople, who were on their feet all day',
    'when a client walked the pilgrim road to Santiago in a pair and sent them back to be resoled',
    'drawn from a last the founder carved by hand and that the workshop still keeps',
  ],
  editionSizes: [],
  editionMark: 'insole',
  warehouseStock: [1, 5],
  boutiqueStock: [1, 2],
  design,
};
