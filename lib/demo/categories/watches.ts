import { article, capitalise, listOf } from '../text.ts';
import {
  ALLIGATOR_STRAP,
  AVENTURINE,
  CALFSKIN_STRAP,
  ENAMEL,
  MOTHER_OF_PEARL,
  PLATINUM,
  ROSE_GOLD,
  SAPPHIRE_CRYSTAL,
  STEEL,
  STONES,
  TITANIUM,
  WHITE_GOLD,
  YELLOW_GOLD,
} from './materials.ts';
import type { CategoryDesigner, DesignContext, Material, PieceDraft } from './types.ts';

interface WatchType {
  /** As the maison names it on the dial and in the catalog. */
  readonly noun: string;
  /** What it is, in plain English. */
  readonly en: string;
  readonly tag: string;
  readonly base: number;
  readonly weight: number;
  /** One sentence on what the movement does. */
  readonly complication: string;
  /** Grand complications are only cased in precious metal. */
  readonly precious?: boolean;
  /** Suited to a jeweller's watch line. */
  readonly jewellery?: boolean;
  readonly reserve: readonly [number, number];
  /** A sentence about making this complication, or nothing. */
  readonly making?: (ctx: DesignContext) => string;
}

const TYPES: readonly WatchType[] = [
  {
    noun: 'Automatique',
    en: 'self-winding watch',
    tag: 'automatic',
    base: 9_800,
    weight: 5,
    complication: 'Its calibre is wound by a rotor in solid gold.',
    jewellery: true,
    reserve: [42, 70],
  },
  {
    noun: 'Petite Seconde',
    en: 'hand-wound watch',
    tag: 'hand-wound',
    base: 11_500,
    weight: 3,
    complication: 'Its calibre shows small seconds at six o’clock.',
    jewellery: true,
    reserve: [60, 72],
  },
  {
    noun: 'Chronographe',
    en: 'chronograph',
    tag: 'chronograph',
    base: 16_500,
    weight: 4,
    complication:
      'Its column-wheel chronograph, with a vertical clutch, starts, stops and resets with a crisp, even push.',
    reserve: [50, 70],
    making: ({ rng }) =>
      `The column wheel is cut, polished and fitted by hand, and the chronograph is adjusted until the seconds hand starts without the slightest flutter, work that takes ${rng.int(2, 4)} days on its own.`,
  },
  {
    noun: 'Phase de Lune',
    en: 'moon-phase watch',
    tag: 'moon-phase',
    base: 18_900,
    weight: 3,
    complication: 'Its moon phase needs correcting by one day only every 122 years.',
    jewellery: true,
    reserve: [48, 72],
    making: () =>
      'The moon disc is cut from a single piece of aventurine or gold and its stars are engraved by hand before it is lacquered.',
  },
  {
    noun: 'GMT',
    en: 'dual-time watch',
    tag: 'gmt',
    base: 14_200,
    weight: 3,
    complication: 'A second time zone is read from a 24-hour hand that jumps forward in one-hour steps.',
    reserve: [50, 70],
  },
  {
    noun: 'Quantième Perpétuel',
    en: 'perpetual calendar',
    tag: 'perpetual-calendar',
    base: 58_000,
    weight: 2,
    complication: 'Its perpetual calendar will need no correction until 1 March 2100.',
    precious: true,
    reserve: [48, 70],
    making: ({ rng }) =>
      `The calendar module alone has ${rng.int(140, 190)} parts, and a single watchmaker assembles, adjusts and tests it over ${rng.int(3, 6)} weeks.`,
  },
  {
    noun: 'Tourbillon',
    en: 'tourbillon',
    tag: 'tourbillon',
    base: 82_000,
    weight: 1,
    complication: 'Its one-minute flying tourbillon turns in full view at six o’clock.',
    precious: true,
    jewellery: true,
    reserve: [72, 120],
    making: ({ rng }) =>
      `The tourbillon cage is made of ${rng.int(58, 84)} parts and weighs less than half a gram; each part is bevelled and polished by hand before assembly.`,
  },
  {
    noun: 'Répétition Minutes',
    en: 'minute repeater',
    tag: 'minute-repeater',
    base: 210_000,
    weight: 0.4,
    complication: 'Its minute repeater strikes the hours, quarters and minutes on cathedral gongs.',
    precious: true,
    reserve: [72, 80],
    making: () =>
      'The gongs are tuned by ear, one watch at a time, in a soundproofed room, until the chime is clear and evenly paced.',
  },
];

interface Dial {
  readonly adjective: string;
  readonly code: string;
  readonly material?: Material;
}

const DIALS: readonly Dial[] = [
  { adjective: 'silver opaline', code: 'SLV' },
  { adjective: 'midnight blue', code: 'BLU' },
  { adjective: 'black lacquer', code: 'BLK' },
  { adjective: 'salmon', code: 'SAL' },
  { adjective: 'slate grey', code: 'GRY' },
  { adjective: 'sector', code: 'SEC' },
  { adjective: 'white grand feu enamel', code: 'ENM', material: ENAMEL },
  { adjective: 'blue aventurine', code: 'AVN', material: AVENTURINE },
  { adjective: 'mother-of-pearl', code: 'MOP', material: MOTHER_OF_PEARL },
];

const EVERYDAY_METALS = [STEEL, STEEL, TITANIUM, ROSE_GOLD, YELLOW_GOLD, WHITE_GOLD] as const;
const PRECIOUS_METALS = [ROSE_GOLD, YELLOW_GOLD, WHITE_GOLD, PLATINUM] as const;
const DIAMONDS = STONES[0]!;

const CRAFT: readonly ((c: WatchCraft) => string)[] = [
  (c) =>
    `Calibre ${c.calibre} is assembled and adjusted by a single watchmaker in ${c.place}, who signs the inside of the caseback once the watch has kept its rate in six positions for ${c.days} days. Every bridge is bevelled and polished by hand, and the Geneva stripes alone take ${c.hours} hours.`,
  (c) =>
    `${capitalise(c.artisans)} watchmakers share the ${c.hours} hours this ${c.en} requires: the mainplate is decorated with perlage by hand, the steel parts are black-polished until they show no mark under a loupe, and calibre ${c.calibre} is regulated to within ${c.tolerance} seconds a day.`,
  (c) =>
    `The ${c.metal} case is machined and polished in ${c.stages} stages before it meets calibre ${c.calibre}. The watch is then regulated in ${c.place} and spends ${c.days} days on a wear simulator before it is released.`,
  (c) =>
    `Calibre ${c.calibre} is designed, machined and decorated in ${c.place}. Its ${c.parts} parts are finished by hand — anglage, perlage and blued screws — and the movement is shown through a sapphire caseback.`,
];

interface WatchCraft {
  readonly calibre: string;
  readonly place: string;
  readonly days: number;
  readonly hours: number;
  readonly artisans: string;
  readonly en: string;
  readonly tolerance: number;
  readonly metal: string;
  readonly stages: number;
  readonly parts: number;
}

const NUMBER_WORDS = ['two', 'three', 'four', 'five', 'six'] as const;

function design(ctx: DesignContext): PieceDraft {
  const { rng, maison, line } = ctx;
  const jeweller = maison.categories[0] === 'fine-jewellery';
  const type = rng.weighted(
    TYPES.filter((t) => !jeweller || t.jewellery),
    (t) => t.weight,
  );
  const metal = rng.pick(type.precious ? PRECIOUS_METALS : EVERYDAY_METALS);
  const precious = metal !== STEEL && metal !== TITANIUM;
  const size = rng.pick(jeweller ? [30, 33, 36, 38] : [36, 38, 39, 40, 41, 42]);
  const dials = rng.sample(
    DIALS,
    rng.weighted([1, 2, 3], (n) => 4 - n),
  );
  const diamondSet = precious && (jeweller ? rng.chance(0.6) : rng.chance(0.12));
  const bracelet = !precious && rng.chance(0.5);
  const strap = bracelet ? undefined : rng.chance(0.7) ? ALLIGATOR_STRAP : CALFSKIN_STRAP;
  const dialMaterials = [...new Set(dials.flatMap((d) => (d.material ? [d.material] : [])))];
  const materials = [
    metal,
    ...(diamondSet ? [DIAMONDS] : []),
    SAPPHIRE_CRYSTAL,
    ...dialMaterials,
    ...(strap ? [strap] : []),
  ].slice(0, 4);
  const waterResistance = bracelet ? rng.pick([100, 150]) : rng.pick([30, 50]);
  const reserve = rng.int(type.reserve[0], type.reserve[1]);
  const calibre = `${maison.code.charAt(0)}${rng.int(1, 9)}${rng.int(10, 99)}`;
  const atelier = maison.ateliers.watches!;
  const diamonds = rng.int(36, 72);

  const name = `${line} ${type.noun} ${size} mm, ${metal.label}${diamondSet ? ' and Diamonds' : ''}`;
  const dialText =
    dials.length === 1
      ? `It has ${article(dials[0]!.adjective)} ${dials[0]!.adjective} dial`
      : `It is offered with ${article(dials[0]!.adjective)} ${listOf(
          dials.map((d) => d.adjective),
          'or',
        )} dial`;
  const fastening = bracelet
    ? `a matching ${metal.label.toLowerCase()} bracelet with a folding clasp`
    : strap === ALLIGATOR_STRAP
      ? 'a hand-stitched alligator strap with a pin buckle'
      : 'a calfskin strap with a folding clasp';
  const description = [
    `${capitalise(article(String(size)))} ${size} mm ${type.en} in ${metal.name}. ${type.complication}`,
    `${dialText}${diamondSet ? `, and ${diamonds} diamonds are set around the bezel` : ''}.`,
    `Sapphire crystal front and back, water-resistant to ${waterResistance} m, ${reserve}-hour power reserve, on ${fastening}.`,
  ].join(' ');

  const craft: WatchCraft = {
    calibre,
    place: atelier.place,
    days: rng.int(10, 30),
    hours: rng.int(20, 90),
    artisans: rng.pick(NUMBER_WORDS),
    en: type.en,
    tolerance: rng.int(2, 5),
    metal: metal.name,
    stages: rng.int(12, 40),
    parts: rng.int(180, 420),
  };
  const enamel = dials.some((d) => d.material === ENAMEL)
    ? ` The enamel dial is fired up to ${rng.int(6, 12)} times at 800 °C, and one in three is set aside before it reaches the watchmaker’s bench.`
    : '';
  const setting = diamondSet
    ? ` The bezel is snow-set by hand, with diamonds of ${rng.int(3, 6)} different sizes fitted so closely that no metal shows.`
    : '';
  const craftsmanship = `${rng.pick(CRAFT)(craft)}${type.making ? ` ${type.making(ctx)}` : ''}${enamel}${setting}`;

  const provenance = [
    ...materials.filter((m) => m !== SAPPHIRE_CRYSTAL).map((m) => m.origin),
    `Designed, assembled and cased in ${atelier.place}, ${atelier.country}.`,
  ].join(' ');

  const tags = [
    type.tag,
    metal.tag,
    `${size}mm`,
    ...(diamondSet ? ['diamonds'] : []),
    ...(dialMaterials.map((m) => m.tag) as string[]),
    ...(bracelet ? ['sports-watch'] : size <= 39 && !type.precious ? ['dress-watch'] : []),
    ...(atelier.country === 'Switzerland' ? ['swiss-made'] : []),
  ];

  return {
    name,
    baseEur:
      type.base * metal.factor * (diamondSet ? 1.6 : 1) * Math.max(1, ...dialMaterials.map((m) => m.factor)),
    materials,
    variants: dials.map((d) => ({ code: d.code, colour: `${capitalise(d.adjective)} dial` })),
    description,
    craftsmanship,
    provenance,
    tags,
    noun: type.en,
    lifestyle: 'worn on the wrist',
  };
}

/** Watches: from hand-wound dress pieces to minute repeaters. */
export const WATCHES: CategoryDesigner = {
  id: 'watches',
  code: 'WA',
  name: 'Watches',
  description:
    'Mechanical watches made and finished by hand: dress watches, chronographs, moon phases and grand complications, in steel, titanium, gold and platinum.',
  heritageHooks: [
    'when the workshop began entering its movements in the observatory chronometry trials',
    'drawn from a pocket watch a collector commissioned and never came back for',
    'the year the house first cased one of its movements for the wrist rather than the pocket',
    'when a railway company asked for a watch that could be read at a glance in poor light',
    'revived from a ledger of calibres the house’s watchmakers had designed but never built',
    'when the house made a watch for an expedition that would spend a winter in the polar ice',
  ],
  editionSizes: [8, 25, 50, 88, 100, 188],
  editionMark: 'caseback',
  warehouseStock: [1, 4],
  boutiqueStock: [1, 2],
  design,
};
