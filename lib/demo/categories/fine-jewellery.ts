import { article, capitalise, listOf } from '../text.ts';
import { favour, PLATINUM, ROSE_GOLD, STONES, WHITE_GOLD, YELLOW_GOLD } from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft, VariantDraft } from './types.ts';

type SizeScale = 'ring' | 'bracelet' | 'cuff' | undefined;

interface JewelType {
  readonly noun: string;
  readonly tag: string;
  readonly base: number;
  readonly weight: number;
  readonly sizes?: SizeScale;
  /** Always set with at least one stone. */
  readonly stoneRequired?: boolean;
  /** What it is finished with, article included. */
  readonly feature: string;
  /** Sold as a pair: written `pair of earrings`. */
  readonly pair?: boolean;
}

const TYPES: readonly JewelType[] = [
  { noun: 'Ring', tag: 'rings', base: 2_600, weight: 4, sizes: 'ring', feature: 'a comfort-fit inside' },
  {
    noun: 'Band',
    tag: 'rings',
    base: 1_900,
    weight: 2,
    sizes: 'ring',
    feature: 'a rounded, comfort-fit profile',
  },
  {
    noun: 'Solitaire Ring',
    tag: 'rings',
    base: 9_800,
    weight: 1,
    sizes: 'ring',
    stoneRequired: true,
    feature: 'a six-claw setting that lifts the centre stone into the light',
  },
  {
    noun: 'Bracelet',
    tag: 'bracelets',
    base: 4_400,
    weight: 3,
    sizes: 'bracelet',
    feature: 'a hidden box clasp with a safety catch',
  },
  { noun: 'Cuff', tag: 'bracelets', base: 9_800, weight: 1, sizes: 'cuff', feature: 'a hinged opening' },
  {
    noun: 'Pendant Necklace',
    tag: 'necklaces',
    base: 3_100,
    weight: 3,
    feature: 'a fine chain adjustable to 40 or 45 cm',
  },
  {
    noun: 'Long Necklace',
    tag: 'necklaces',
    base: 11_800,
    weight: 1,
    feature: 'an 80 cm chain that can be worn long or doubled',
  },
  { noun: 'Earrings', tag: 'earrings', base: 3_600, weight: 2, feature: 'lever-back fittings', pair: true },
  { noun: 'Ear Studs', tag: 'earrings', base: 1_850, weight: 2, feature: 'screw-back posts', pair: true },
  { noun: 'Brooch', tag: 'brooches', base: 8_600, weight: 0.7, feature: 'a double pin and a safety clasp' },
];

const QUALIFIERS = [
  { text: '', factor: 1, weight: 5 },
  { text: 'Small Model', factor: 0.7, weight: 2 },
  { text: 'Large Model', factor: 1.5, weight: 2 },
  { text: 'Pavé', factor: 2.2, weight: 2 },
  { text: 'Double', factor: 1.6, weight: 1 },
] as const;

/** French ring sizes (inner circumference in mm), the sizing most European jewellers use. */
const RING_SIZES = ['48', '49', '50', '51', '52', '53', '54', '55', '56', '57', '58'];
const BRACELET_SIZES = ['15 cm', '16 cm', '17 cm', '18 cm', '19 cm'];
const CUFF_SIZES = ['S', 'M', 'L'];

const GOLDS = [
  { metal: YELLOW_GOLD, code: 'YG', colour: 'Yellow gold' },
  { metal: ROSE_GOLD, code: 'RG', colour: 'Rose gold' },
  { metal: WHITE_GOLD, code: 'WG', colour: 'White gold' },
] as const;

const DIAMONDS = STONES[0]!;

interface JewelCraft {
  readonly place: string;
  readonly hours: number;
  readonly noun: string;
  readonly metal: string;
  readonly stone?: Material;
  readonly count: number;
  readonly year: number;
}

const CRAFT_WITH_STONES: readonly ((c: JewelCraft) => string)[] = [
  (c) =>
    `Each stone is set by hand under the microscope in ${c.place}: the ${c.count} ${c.stone!.name} on this ${c.noun} are held by claws shaped one by one, so that the metal all but disappears.`,
  (c) =>
    `The stones are sorted by eye for colour and brilliance, then matched into pairs and graded rows. A setter spends about ${c.hours} hours on this ${c.noun}, raising each bead of ${c.metal} with a graver before it is closed over a stone.`,
  (c) =>
    `The ${c.noun} starts as a gouache drawing, becomes a wax model carved by hand, and is then cast in ${c.metal} in ${c.place}. Setting the ${c.stone!.name} takes ${c.hours} hours, and every piece is inspected under a loupe before it is signed.`,
];

const CRAFT_METAL: readonly ((c: JewelCraft) => string)[] = [
  (c) =>
    `The ${c.metal} is cast from a wax model carved by hand, then filed, assembled and polished by a single jeweller over ${c.hours} hours in ${c.place}.`,
  (c) =>
    `The ${c.noun} is hammered and chased by hand in ${c.place}, following a technique the house has practised since ${c.year}; the final mirror polish alone takes ${Math.max(2, Math.round(c.hours / 4))} hours.`,
  (c) =>
    `Every link and curve of the ${c.noun} is formed from ${c.metal} wire drawn in the workshop, soldered by hand and finished with a hand-burnished edge, ${c.hours} hours of work in all.`,
];

function stonesSentence(stones: readonly Material[], rng: DesignContext['rng']): string {
  if (stones.length === 0) return '';
  const first = stones[0]!;
  if (first === DIAMONDS)
    return ` Total diamond weight approximately ${(rng.int(8, 260) / 100).toFixed(2)} carats.`;
  if (first.tag === 'pearls') return ` The pearls measure ${rng.int(6, 12)} to ${rng.int(12, 14)} mm.`;
  return '';
}

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, collection, line } = ctx;
  const type = rng.weighted(TYPES, (t) => t.weight);
  const qualifier = rng.weighted(QUALIFIERS, (q) => q.weight);
  const stoneCount =
    type.stoneRequired || qualifier.text === 'Pavé'
      ? rng.int(1, 2)
      : rng.weighted([0, 1, 2], (n) => [3, 4, 1][n]!);
  const stones: Material[] = [];
  if (type.stoneRequired || qualifier.text === 'Pavé') stones.push(DIAMONDS);
  while (stones.length < stoneCount) {
    const stone = favour(rng, STONES, collection.accents);
    if (!stones.includes(stone)) stones.push(stone);
  }
  const platinum = rng.chance(0.12);
  // Rings are sold in one metal and many sizes; other pieces in up to three golds at the same price, as
  // long as every metal and stone fits the story's four materials.
  const golds = platinum
    ? []
    : rng.sample(GOLDS, type.sizes === 'ring' ? 1 : Math.min(rng.int(1, 3), 4 - stones.length));
  const metals: Material[] = platinum ? [PLATINUM] : golds.map((g) => g.metal);
  const materials = [...metals, ...stones].slice(0, 4);
  const atelier = maison.ateliers['fine-jewellery']!;
  const lead = stones[0];

  const name = [line, qualifier.text, type.noun].filter(Boolean).join(' ') + (lead ? `, ${lead.label}` : '');
  const metalNames = metals.map((m) => m.name);
  const noun = `${type.pair ? 'pair of ' : ''}${type.noun.toLowerCase()}`;

  let sizes: readonly string[] = [];
  if (type.sizes === 'ring') sizes = rng.run(RING_SIZES, rng.int(5, 8));
  else if (type.sizes === 'bracelet') sizes = rng.run(BRACELET_SIZES, rng.int(2, 4));
  else if (type.sizes === 'cuff') sizes = CUFF_SIZES.slice(0, rng.int(2, 3));

  const colourOptions = platinum
    ? [{ code: 'PT', colour: 'Platinum' }]
    : golds.map((g) => ({ code: g.code, colour: g.colour }));
  const variants: VariantDraft[] = [];
  for (const c of colourOptions) {
    if (sizes.length === 0) variants.push({ code: c.code, colour: c.colour });
    for (const size of sizes)
      variants.push({ code: `${c.code}-${size.replace(/\D/g, '') || size}`, size, colour: c.colour });
  }

  const adjective = rng.pick(['sculptural', 'delicate', 'graphic', 'fluid', 'softly rounded', 'articulated']);
  const metalText = metals.length === 1 ? metalNames[0]! : `${listOf(metalNames, 'or')}`;
  const description = [
    `${capitalise(article(adjective))} ${adjective} ${noun} in ${metalText}${stones.length ? `, set with ${listOf(stones.map((s) => s.name))}` : ''}, drawn from ${collection.motif}.`,
    `Finished with ${type.feature}.${stonesSentence(stones, rng)}`,
    type.sizes === 'ring' ? `Available in French ring sizes ${sizes[0]} to ${sizes[sizes.length - 1]}.` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const craft: JewelCraft = {
    place: atelier.place,
    hours: rng.int(12, 140),
    noun,
    metal: metalNames[0]!,
    stone: lead,
    count: rng.int(12, 180),
    year: rng.int(maison.founded, 1960),
  };
  const pearlNote =
    lead?.tag === 'pearls'
      ? ` The pearls are matched one by one from a lot of several thousand, a selection that can take a whole season.`
      : '';
  const craftsmanship = `${lead && lead.tag !== 'pearls' ? rng.pick(CRAFT_WITH_STONES)(craft) : rng.pick(CRAFT_METAL)(craft)}${pearlNote}`;

  const provenance = [
    ...materials.map((m) => m.origin),
    `Made by hand in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');

  const tags = [
    type.tag,
    ...metals.map((m) => m.tag),
    ...stones.map((s) => s.tag),
    ...(type.sizes === 'ring' && rng.chance(0.5) ? ['engravable'] : []),
    ...(qualifier.text === 'Pavé' ? ['pave'] : []),
  ];
  const jewelFactor = stones.reduce((f, s) => f * s.factor ** 0.7, 1);

  return {
    name,
    baseEur: type.base * qualifier.factor * jewelFactor * (platinum ? 1.4 : 1),
    materials,
    variants,
    description,
    craftsmanship,
    provenance,
    tags,
    noun,
    lifestyle:
      type.tag === 'rings' ? 'worn on the hand' : type.tag === 'brooches' ? 'pinned to a lapel' : 'worn',
  };
}

/** Fine jewellery: rings, bracelets, necklaces and earrings in gold, platinum, stones and pearls. */
export const FINE_JEWELLERY: CategoryDesigner = {
  id: 'fine-jewellery',
  code: 'FJ',
  name: 'Fine Jewellery',
  description:
    'Rings, bracelets, necklaces, earrings and brooches in 18k gold and platinum, set with diamonds, coloured stones and pearls, made by hand in the maisons’ workshops.',
  heritageHooks: [
    'when a sketchbook of the founder’s plant studies was rediscovered in the archives',
    'first made as a private commission for a wedding and later opened to every client',
    'the first of the house’s transformable pieces, which could be worn in three different ways',
    'drawn after a journey through the Italian lakes and their terraced gardens',
    'when the workshop perfected a setting in which no claw can be seen from the front',
    'created for a ball at which every guest was asked to wear a single flower',
  ],
  editionSizes: [5, 10, 12, 20, 30],
  editionMark: 'inside of the piece',
  warehouseStock: [1, 4],
  boutiqueStock: [1, 2],
  design,
};
