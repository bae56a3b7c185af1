import { article, capitalise, listOf } from '../text.ts';
import { CLOTH_COLOURS, CLOTHS, TRIMS } from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft, VariantDraft } from './types.ts';

type Scale = 'tailoring' | 'womenswear' | 'letters';

/** Italian sizes for tailoring, French sizes for womenswear, letters for knitwear and shirts. */
const SCALES: Readonly<Record<Scale, readonly string[]>> = {
  tailoring: ['44', '46', '48', '50', '52', '54', '56'],
  womenswear: ['34', '36', '38', '40', '42', '44'],
  letters: ['XS', 'S', 'M', 'L', 'XL'],
};

type Making = 'tailored' | 'knitted' | 'silk' | 'shirt' | 'shearling';

interface GarmentType {
  readonly noun: string;
  readonly tag: string;
  readonly base: number;
  readonly weight: number;
  readonly scale: Scale;
  readonly cloths: readonly Material[];
  readonly making: Making;
  readonly feature: string;
}

const TYPES: readonly GarmentType[] = [
  {
    noun: 'Double-Faced Coat',
    tag: 'coats',
    base: 4_600,
    weight: 2,
    scale: 'tailoring',
    cloths: [CLOTHS.cashmere, CLOTHS.babyCashmere, CLOTHS.alpaca, CLOTHS.vicuna],
    making: 'tailored',
    feature: 'no lining, and seams finished by hand so that both faces of the cloth show',
  },
  {
    noun: 'Trench Coat',
    tag: 'coats',
    base: 2_900,
    weight: 2,
    scale: 'tailoring',
    cloths: [CLOTHS.cottonGabardine, CLOTHS.woolGabardine],
    making: 'tailored',
    feature: 'a storm flap, a buckled belt and a detachable lining',
  },
  {
    noun: 'Field Coat',
    tag: 'coats',
    base: 2_600,
    weight: 1,
    scale: 'tailoring',
    cloths: [CLOTHS.tweed, CLOTHS.woolGabardine],
    making: 'tailored',
    feature: 'bellows pockets, a corduroy collar and a throat latch',
  },
  {
    noun: 'Tailored Jacket',
    tag: 'tailoring',
    base: 2_800,
    weight: 3,
    scale: 'tailoring',
    cloths: [CLOTHS.super150s, CLOTHS.linen, CLOTHS.cashmere, CLOTHS.woolMohair, CLOTHS.tweed],
    making: 'tailored',
    feature: 'a natural shoulder, patch pockets and working buttonholes at the cuff',
  },
  {
    noun: 'Suit',
    tag: 'tailoring',
    base: 4_200,
    weight: 2,
    scale: 'tailoring',
    cloths: [CLOTHS.super150s, CLOTHS.woolMohair, CLOTHS.linen],
    making: 'tailored',
    feature: 'a two-button jacket and flat-front trousers with side adjusters',
  },
  {
    noun: 'Tailored Trousers',
    tag: 'tailoring',
    base: 950,
    weight: 2,
    scale: 'tailoring',
    cloths: [CLOTHS.super150s, CLOTHS.woolGabardine, CLOTHS.linen],
    making: 'tailored',
    feature: 'a high rise, a single pleat and turn-ups that can be let down',
  },
  {
    noun: 'Shirt',
    tag: 'shirts',
    base: 620,
    weight: 3,
    scale: 'letters',
    cloths: [CLOTHS.poplin, CLOTHS.seaIsland, CLOTHS.linen],
    making: 'shirt',
    feature: 'a soft collar, single-needle seams and mother-of-pearl buttons',
  },
  {
    noun: 'Crewneck Sweater',
    tag: 'knitwear',
    base: 1_100,
    weight: 3,
    scale: 'letters',
    cloths: [CLOTHS.cashmere, CLOTHS.babyCashmere, CLOTHS.merino],
    making: 'knitted',
    feature: 'saddle shoulders and ribbed cuffs and hem',
  },
  {
    noun: 'Cardigan',
    tag: 'knitwear',
    base: 1_400,
    weight: 2,
    scale: 'letters',
    cloths: [CLOTHS.cashmere, CLOTHS.merino, CLOTHS.mohair],
    making: 'knitted',
    feature: 'two patch pockets and horn buttons',
  },
  {
    noun: 'Pleated Skirt',
    tag: 'skirts',
    base: 1_300,
    weight: 2,
    scale: 'womenswear',
    cloths: [CLOTHS.silkTwill, CLOTHS.woolGabardine],
    making: 'silk',
    feature: 'knife pleats set by hand and a hidden side zip',
  },
  {
    noun: 'Evening Dress',
    tag: 'dresses',
    base: 3_900,
    weight: 2,
    scale: 'womenswear',
    cloths: [CLOTHS.crepeDeChine, CLOTHS.silkSatin],
    making: 'silk',
    feature: 'a bias cut that falls to the ankle and a low back',
  },
  {
    noun: 'Blouse',
    tag: 'shirts',
    base: 1_050,
    weight: 2,
    scale: 'womenswear',
    cloths: [CLOTHS.crepeDeChine, CLOTHS.silkTwill],
    making: 'silk',
    feature: 'a pussy-bow collar and covered buttons',
  },
  {
    noun: 'Shearling Jacket',
    tag: 'coats',
    base: 6_200,
    weight: 1,
    scale: 'tailoring',
    cloths: [CLOTHS.shearling],
    making: 'shearling',
    feature: 'a wide collar that buttons up against the wind',
  },
];

interface GarmentCraft {
  readonly place: string;
  readonly hours: number;
  readonly noun: string;
  readonly cloth: string;
  readonly stitches: number;
  readonly gauge: number;
  readonly panels: number;
}

const CRAFT: Readonly<Record<Making, readonly ((c: GarmentCraft) => string)[]>> = {
  tailored: [
    (c) =>
      `The ${c.noun} is cut by hand in ${c.place} and built on a full floating canvas, with lapels pad-stitched by hand so that they roll rather than lie flat. It takes ${c.hours} hours of handwork, including ${c.stitches} hand stitches around each buttonhole.`,
    (c) =>
      `A single tailor makes each ${c.noun} in ${c.place}, from the first cut of the ${c.cloth} to the final press: ${c.hours} hours in all, with the collar, shoulders and sleeves set by hand.`,
    (c) =>
      `The ${c.cloth} is rested for a day after cutting so that it settles before sewing. The ${c.noun} is then assembled in ${c.place}, its seams hand-felled and its buttonholes sewn with silk thread.`,
  ],
  knitted: [
    (c) =>
      `The ${c.noun} is knitted fully fashioned on a ${c.gauge}-gauge frame, then linked by hand stitch by stitch at the shoulders and cuffs, so that there are no cut seams. It is washed in soft water to bring up the ${c.cloth}’s handle.`,
    (c) =>
      `Knitted in ${c.place} from two-ply ${c.cloth}, each ${c.noun} is hand-linked and inspected over a light table; ${c.hours} hours of work for a piece that will last for decades.`,
  ],
  silk: [
    (c) =>
      `The ${c.cloth} is cut on a single layer so that the pattern runs true, and every hem of the ${c.noun} is rolled and sewn by hand, about ${c.stitches} stitches to the inch.`,
    (c) =>
      `Made in ${c.place} from ${c.panels} panels of ${c.cloth}, the ${c.noun} is sewn with French seams and finished by hand over ${c.hours} hours.`,
  ],
  shirt: [
    (c) =>
      `Each ${c.noun} is cut from a single length of ${c.cloth} so that stripes and checks match at every seam. The ${c.panels} pieces are sewn with single-needle seams at ${c.stitches} stitches to the inch, and the buttons are attached by hand with a shank.`,
    (c) =>
      `The collar and cuffs of the ${c.noun} are made without fusing, so they keep their soft roll after every wash; ${c.place} makes each shirt in about ${c.hours} hours.`,
  ],
  shearling: [
    (c) =>
      `The ${c.panels} panels of the ${c.noun} are chosen from skins of the same tannery lot so that colour and pile match, then joined with flat seams sewn by hand in ${c.place}.`,
  ],
};

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, collection, line } = ctx;
  const type = rng.weighted(TYPES, (t) => t.weight);
  const cloth = rng.weighted(type.cloths, (c) => (c.factor > 3 ? 0.15 : 1));
  const trims =
    type.making === 'tailored'
      ? rng.sample(TRIMS, rng.int(0, 2))
      : type.making === 'knitted' && type.noun === 'Cardigan'
        ? [TRIMS[0]!]
        : [];
  const materials = [cloth, ...trims].slice(0, 4);
  const atelier = maison.ateliers['ready-to-wear']!;
  const noun = type.noun.toLowerCase();
  const name = type.noun.includes(cloth.label)
    ? `${line} ${type.noun}`
    : `${line} ${cloth.label} ${type.noun}`;

  const scale = SCALES[type.scale];
  const sizes = rng.run(scale, rng.int(Math.min(4, scale.length), scale.length));
  const colours = rng.sample(CLOTH_COLOURS, rng.int(1, 3));
  const variants: VariantDraft[] = [];
  for (const colour of colours) {
    for (const size of sizes) variants.push({ code: `${colour.code}-${size}`, size, colour: colour.name });
  }

  const adjective = rng.pick([
    'relaxed',
    'close-fitting',
    'softly structured',
    'fluid',
    'timeless',
    'sharply cut',
  ]);
  const description = [
    `${capitalise(article(adjective))} ${adjective} ${noun} in ${cloth.name}, drawn from ${collection.motif}.`,
    `It has ${type.feature}.`,
    trims.length > 0 ? `Finished with ${listOf(trims.map((t) => t.name))}.` : '',
    `Offered in ${listOf(colours.map((c) => c.name.toLowerCase()))}${sizes.length > 1 ? `, sizes ${sizes[0]} to ${sizes[sizes.length - 1]}` : ''}.`,
  ]
    .filter(Boolean)
    .join(' ');

  const craft: GarmentCraft = {
    place: atelier.place,
    hours: type.making === 'tailored' ? rng.int(18, 60) : rng.int(3, 14),
    noun,
    cloth: cloth.name,
    stitches: rng.int(14, 24),
    gauge: rng.pick([7, 12, 14, 16]),
    panels: rng.int(9, 34),
  };
  const craftsmanship = rng.pick(CRAFT[type.making])(craft);
  const provenance = [
    ...materials.map((m) => m.origin),
    `Made in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');

  const tags = [
    type.tag,
    cloth.tag,
    ...trims.map((t) => t.tag),
    ...(type.scale === 'womenswear' ? ['womenswear'] : []),
  ];

  return {
    name,
    baseEur: type.base * cloth.factor,
    materials,
    variants,
    description,
    craftsmanship,
    provenance,
    tags,
    noun,
    lifestyle: 'worn on a city street',
  };
}

/** Ready-to-wear: tailoring, coats, knitwear, shirts and dresses. */
export const READY_TO_WEAR: CategoryDesigner = {
  id: 'ready-to-wear',
  code: 'RW',
  name: 'Ready-to-Wear',
  description:
    'Tailoring, coats, knitwear, shirts and eveningwear in cashmere, fine wools, silk and linen, cut and finished by hand in the maisons’ ateliers.',
  heritageHooks: [
    'when the house dressed the members of one of the first motoring clubs',
    'a cut first shown to a handful of clients in the house salons and never out of the collection since',
    'derived from an officer’s coat kept in the house archives',
    'when the house opened its first made-to-measure salon',
    'first made for a theatre company that needed clothes to survive eight shows a week',
    'when the founder’s daughter took over the workroom and simplified every pattern in it',
  ],
  editionSizes: [],
  editionMark: 'label',
  warehouseStock: [1, 6],
  boutiqueStock: [1, 2],
  design,
};
