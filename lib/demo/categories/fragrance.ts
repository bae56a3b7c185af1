import { listOf } from '../text.ts';
import { favour, NOTES } from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft } from './types.ts';

interface Format {
  readonly noun: string;
  readonly tag: string;
  readonly size: string;
  readonly code: string;
  readonly base: number;
  readonly weight: number;
  readonly concentration?: string;
}

// One format per product: sizes of a fragrance are priced differently, and a product has one price list.
const FORMATS: readonly Format[] = [
  {
    noun: 'Eau de Parfum',
    tag: 'eau-de-parfum',
    size: '50 ml',
    code: '50ML',
    base: 175,
    weight: 3,
    concentration: '18%',
  },
  {
    noun: 'Eau de Parfum',
    tag: 'eau-de-parfum',
    size: '100 ml',
    code: '100ML',
    base: 255,
    weight: 4,
    concentration: '18%',
  },
  {
    noun: 'Extrait de Parfum',
    tag: 'extrait',
    size: '30 ml',
    code: '30ML',
    base: 320,
    weight: 2,
    concentration: '30%',
  },
  {
    noun: 'Eau de Toilette',
    tag: 'eau-de-toilette',
    size: '100 ml',
    code: '100ML',
    base: 165,
    weight: 2,
    concentration: '10%',
  },
  {
    noun: 'Cologne Absolue',
    tag: 'cologne',
    size: '200 ml',
    code: '200ML',
    base: 210,
    weight: 1,
    concentration: '12%',
  },
  { noun: 'Scented Candle', tag: 'candles', size: '220 g', code: '220G', base: 120, weight: 1.5 },
];

interface PerfumeCraft {
  readonly place: string;
  readonly weeks: number;
  readonly count: number;
  readonly top: string;
  readonly heart: string;
}

const CRAFT: readonly ((c: PerfumeCraft) => string)[] = [
  (c) =>
    `The formula holds ${c.count} raw materials, weighed by hand in ${c.place}. The concentrate is macerated for ${c.weeks} weeks in steel vats, then chilled to −5 °C and filtered before bottling.`,
  (c) =>
    `The perfumer worked through more than ${c.count * 10} trials before settling on the balance of ${c.top} and ${c.heart}. Each batch is aged for ${c.weeks} weeks and approved by nose before it is bottled in ${c.place}.`,
  (c) =>
    `The flacon is blown, cut and polished by hand, and its stopper ground to fit its own neck. The juice inside, rich in ${c.heart}, rests for ${c.weeks} weeks in ${c.place} before it is filled.`,
];

const CANDLE_CRAFT = (c: PerfumeCraft): string =>
  `The candle is poured by hand in ${c.place} from a blend of vegetable waxes and ${c.heart}, with a cotton wick, and cured for ${c.weeks} weeks so that the scent fills a room before it is lit.`;

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, collection, line } = ctx;
  const format = rng.weighted(FORMATS, (f) => f.weight);
  // A line named after a material (Library Vetiver, Nuit d’Iris) always features it first.
  const lineName = line.toLowerCase();
  const notes: Material[] = NOTES.filter((n) =>
    lineName.includes(n.label.toLowerCase().replace(/e$/, '')),
  ).slice(0, 2);
  const count = rng.int(Math.max(2, notes.length), 4);
  while (notes.length < count) {
    const note = favour(rng, NOTES, collection.accents, 0.5);
    if (!notes.includes(note)) notes.push(note);
  }
  const [top, heart, base] = notes.map((n) => n.name);
  const atelier = maison.ateliers.fragrance!;
  const candle = format.tag === 'candles';
  const name = `${line} ${format.noun} ${format.size}`;

  const evocation = rng.pick([
    'a walk through a garden after rain',
    'the first hour of a winter morning',
    'a library lit by a single lamp',
    'warm skin at the end of a summer day',
    'an evening by the sea',
    'a temple courtyard at dusk',
  ]);
  const description = candle
    ? `A scented candle of ${listOf(notes.map((n) => n.name))} that recalls ${evocation}. About 50 hours of burning, in a hand-glazed ceramic vessel.`
    : [
        `${line} opens on ${top}${base ? `, settles on ${heart} and dries down to ${base}` : ` and settles on ${heart}`}, a fragrance that recalls ${evocation}.`,
        `${format.noun}, ${format.size}, concentration ${format.concentration}.`,
      ].join(' ');

  const craft: PerfumeCraft = {
    place: atelier.place,
    weeks: rng.int(3, 12),
    count: rng.int(18, 64),
    top: top!,
    heart: heart ?? top!,
  };
  const craftsmanship = candle ? CANDLE_CRAFT(craft) : rng.pick(CRAFT)(craft);
  const provenance = [
    ...notes.map((n) => n.origin),
    `Composed and bottled in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');
  const tags = [format.tag, ...notes.map((n) => n.tag), ...(format.base < 250 ? ['gift-idea'] : [])];

  return {
    name,
    baseEur: format.base * Math.max(...notes.map((n) => n.factor)),
    materials: notes,
    variants: [{ code: format.code, size: format.size }],
    description,
    craftsmanship,
    provenance,
    tags,
    noun: candle ? 'candle' : 'fragrance',
    lifestyle: 'on a marble dressing table',
  };
}

/** Fragrance: eaux de parfum, extraits, colognes and candles. */
export const FRAGRANCE: CategoryDesigner = {
  id: 'fragrance',
  code: 'FR',
  name: 'Fragrance',
  description:
    'Eaux de parfum, extraits, colognes and scented candles composed from natural raw materials: iris, jasmine, vetiver, oud, hinoki and more.',
  heritageHooks: [
    'when the house perfumer first worked with the distilleries of Grasse',
    'a formula recovered from a perfumer’s notebook kept in the house archives',
    'first created to scent the house’s own boutique',
    'composed for a client who wanted a fragrance that would not announce her before she entered a room',
    'when the house installed its first blending organ, with more than four hundred raw materials',
    'first made in a handful of flacons for the house’s friends, until clients began asking for it',
  ],
  editionSizes: [150, 250, 500, 1_000],
  editionMark: 'base of the flacon',
  warehouseStock: [12, 120],
  boutiqueStock: [3, 18],
  design,
};
