import type { Prng } from '../prng.ts';
import type { Colour, Material } from './types.ts';

function material(name: string, label: string, tag: string, factor: number, origin: string): Material {
  return { name, label, tag, factor, origin };
}

// Precious metals: the same gold serves watches and jewellery, so the materials facet stays consistent.
/** 18k yellow gold, for watch cases and jewellery. */
export const YELLOW_GOLD = material(
  '18k yellow gold',
  'Yellow Gold',
  'yellow-gold',
  2.35,
  'The 18k yellow gold comes from recycled, fully traced sources certified by the Responsible Jewellery Council.',
);
/** 18k rose gold, for watch cases and jewellery. */
export const ROSE_GOLD = material(
  '18k rose gold',
  'Rose Gold',
  'rose-gold',
  2.4,
  'The 18k rose gold is refined from recycled sources and alloyed to the house’s own warm, copper-rich formula.',
);
/** 18k white gold, for watch cases and jewellery. */
export const WHITE_GOLD = material(
  '18k white gold',
  'White Gold',
  'white-gold',
  2.5,
  'The 18k white gold is alloyed with palladium rather than nickel and refined from recycled sources.',
);
/** 950 platinum, for watch cases and jewellery. */
export const PLATINUM = material(
  '950 platinum',
  'Platinum',
  'platinum',
  3.1,
  'The 950 platinum is refined in Switzerland and hallmarked by the assay office before it is worked.',
);
/** Stainless steel watch cases and bracelets. */
export const STEEL = material(
  'stainless steel',
  'Steel',
  'steel',
  1,
  'The case is machined from a 316L stainless steel forged in the Jura and polished by hand.',
);
/** Grade 5 titanium watch cases and bracelets. */
export const TITANIUM = material(
  'grade 5 titanium',
  'Titanium',
  'titanium',
  1.2,
  'The grade 5 titanium is machined in the Jura, satin-brushed, then polished on the bevels by hand.',
);
/** The crystal of every watch. */
export const SAPPHIRE_CRYSTAL = material(
  'sapphire crystal',
  'Sapphire Crystal',
  'sapphire-crystal',
  1,
  'The sapphire crystal is grown, cut and anti-reflection coated in Switzerland.',
);
/** Grand feu enamel dials. */
export const ENAMEL = material(
  'grand feu enamel',
  'Enamel',
  'enamel',
  1.25,
  'The enamel is ground by hand from Limoges glass and fired on a solid gold dial plate.',
);
/** Aventurine glass dials. */
export const AVENTURINE = material(
  'aventurine glass',
  'Aventurine',
  'aventurine',
  1.1,
  'The aventurine glass, flecked with copper crystals, is made in Murano and sliced into thin plates.',
);
/** Mother-of-pearl, for dials and jewellery. */
export const MOTHER_OF_PEARL = material(
  'mother-of-pearl',
  'Mother-of-Pearl',
  'mother-of-pearl',
  1.05,
  'The mother-of-pearl is cut from the shells of Australian pearl oysters, a by-product of pearl farming.',
);
/** Alligator watch straps. */
export const ALLIGATOR_STRAP = material(
  'alligator leather strap',
  'Alligator Strap',
  'alligator',
  1,
  'The strap is cut from farmed Louisiana alligator, documented under CITES, and stitched by hand.',
);
/** Calfskin watch straps. */
export const CALFSKIN_STRAP = material(
  'calfskin strap',
  'Calfskin Strap',
  'calfskin',
  1,
  'The calfskin strap is tanned in France and lined with a hypoallergenic leather.',
);

/** Gemstones, pearls and hard stones; diamonds first. */
export const STONES: readonly Material[] = [
  material(
    'round brilliant diamonds',
    'Diamonds',
    'diamonds',
    1.8,
    'The diamonds are D to G colour and VVS clarity, each with a Kimberley Process certificate and a record of its mine.',
  ),
  material(
    'Akoya pearls',
    'Akoya Pearls',
    'pearls',
    1.3,
    'The Akoya pearls are cultured in the bays of Ise-Shima and chosen one by one for lustre and nacre thickness.',
  ),
  material(
    'South Sea pearls',
    'South Sea Pearls',
    'pearls',
    1.9,
    'The South Sea pearls grow for up to three years in the waters off north-western Australia.',
  ),
  material(
    'Colombian emeralds',
    'Emeralds',
    'emeralds',
    2.2,
    'The emeralds come from the Muzo mines in Colombia and are treated only with untinted cedar oil.',
  ),
  material(
    'Ceylon sapphires',
    'Sapphires',
    'sapphires',
    2,
    'The sapphires are mined by hand from the gem gravels of Ratnapura, Sri Lanka, and are unheated.',
  ),
  material(
    'Mozambique rubies',
    'Rubies',
    'rubies',
    2.1,
    'The rubies come from Montepuez in Mozambique, from a mine audited for its labour and environmental practices.',
  ),
  material('black onyx', 'Onyx', 'onyx', 1, 'The onyx is cut and polished by lapidaries in Idar-Oberstein.'),
  MOTHER_OF_PEARL,
  material(
    'malachite',
    'Malachite',
    'malachite',
    1,
    'The malachite comes from the Katanga region and is cut to follow the banding of the stone.',
  ),
  material(
    'lapis lazuli',
    'Lapis Lazuli',
    'lapis-lazuli',
    1.05,
    'The lapis lazuli comes from the Chilean Andes, chosen for an even blue scattered with fine golden pyrite.',
  ),
  material(
    'tsavorite garnets',
    'Tsavorites',
    'tsavorite',
    1.5,
    'The tsavorite garnets are mined in the Taita Hills of south-eastern Kenya.',
  ),
  material(
    'carnelian',
    'Carnelian',
    'carnelian',
    1,
    'The carnelian is cut in Jaipur from stones found in western India.',
  ),
];

/** Leathers and canvas for bags and small leather goods; factors above 2 are exotic skins. */
export const LEATHERS: readonly Material[] = [
  material(
    'grained calfskin',
    'Grained Calfskin',
    'calfskin',
    1,
    'The grained calfskin is tanned in France without chrome, so it holds its shape and shrugs off scratches.',
  ),
  material(
    'box calf',
    'Box Calf',
    'box-calf',
    1.15,
    'The box calf is tanned in France and glazed with an agate stone to its characteristic deep shine.',
  ),
  material(
    'smooth lambskin',
    'Lambskin',
    'lambskin',
    1.1,
    'The lambskin is tanned in Tuscany from hides chosen for a fine, even grain.',
  ),
  material(
    'vegetable-tanned calfskin',
    'Vachetta',
    'calfskin',
    1.05,
    'The calfskin is tanned in Tuscany with chestnut and mimosa extracts over several weeks, and darkens with use.',
  ),
  material(
    'bridle leather',
    'Bridle Leather',
    'bridle-leather',
    1.05,
    'The bridle leather is curried by hand with tallow and waxes at an English tannery that has made it since the 1860s.',
  ),
  material(
    'suede goatskin',
    'Suede',
    'suede',
    0.95,
    'The suede goatskin is tanned in Spain and brushed by hand to a soft, even nap.',
  ),
  material(
    'coated canvas',
    'Canvas',
    'canvas',
    0.8,
    'The canvas is woven from cotton and linen in northern France and coated to resist water and wear.',
  ),
  material(
    'alligator leather',
    'Alligator',
    'alligator',
    3.6,
    'The alligator skins are farmed in Louisiana and travel with CITES documents; only the belly scales are used.',
  ),
  material(
    'ostrich leather',
    'Ostrich',
    'ostrich',
    2.5,
    'The ostrich leather comes from farms in the Klein Karoo, South Africa, and is tanned with its quill marks intact.',
  ),
];

/** Metal fittings of bags and belts. */
export const HARDWARE: readonly Material[] = [
  material(
    'palladium-finish brass',
    'Palladium',
    'palladium-hardware',
    1,
    'The fittings are cast in solid brass in the Jura and finished with palladium.',
  ),
  material(
    'gold-finish brass',
    'Gold Brass',
    'gold-hardware',
    1,
    'The fittings are cast in solid brass in the Jura and finished with fine gold.',
  ),
];

/** Bag linings. */
export const LININGS: readonly Material[] = [
  material('goatskin lining', 'Goatskin', 'goatskin', 1, 'The lining is a fine goatskin tanned in Spain.'),
  material('suede lining', 'Suede', 'suede', 1, 'The lining is a soft suede that protects what it holds.'),
  material(
    'striped cotton lining',
    'Cotton',
    'cotton',
    1,
    'The striped cotton lining is woven in the Vosges.',
  ),
];

/** Japanese lacquer, used on leather edges instead of paint. */
export const URUSHI = material(
  'urushi lacquer',
  'Urushi',
  'urushi',
  1.3,
  'The urushi lacquer is tapped from lacquer trees in Iwate and applied by hand in Kyoto.',
);
/** The wooden frame of a trunk. */
export const POPLAR = material(
  'poplar wood',
  'Poplar',
  'poplar',
  1,
  'The trunk frame is poplar seasoned for four years in the open air, which keeps it light and stable.',
);

/** Cloths for ready-to-wear, by the role they play. */
export const CLOTHS = {
  cashmere: material(
    'cashmere',
    'Cashmere',
    'cashmere',
    1.3,
    'The cashmere is combed by hand from Hircus goats in Inner Mongolia and spun in Biella.',
  ),
  babyCashmere: material(
    'baby cashmere',
    'Baby Cashmere',
    'cashmere',
    1.6,
    'The baby cashmere comes from the first combing of kid goats in Inner Mongolia, the finest fibre a goat gives.',
  ),
  vicuna: material(
    'vicuña',
    'Vicuña',
    'vicuna',
    5,
    'The vicuña is shorn from wild animals in the Peruvian Andes under a community programme that allows one shearing every two years.',
  ),
  super150s: material(
    'Super 150s wool',
    'Super 150s Wool',
    'wool',
    1.1,
    'The Super 150s wool is woven in Biella from Australian merino of 15.5 microns.',
  ),
  woolGabardine: material(
    'wool gabardine',
    'Gabardine',
    'wool',
    0.95,
    'The wool gabardine is woven in Yorkshire, tight enough to shed a light rain.',
  ),
  cottonGabardine: material(
    'cotton gabardine',
    'Cotton Gabardine',
    'cotton',
    0.9,
    'The cotton gabardine is woven and proofed in Lancashire.',
  ),
  woolMohair: material(
    'wool-mohair',
    'Wool-Mohair',
    'mohair',
    1.05,
    'The wool-mohair cloth is woven in Huddersfield from merino and kid mohair, and barely creases.',
  ),
  tweed: material(
    'Shetland tweed',
    'Tweed',
    'tweed',
    1,
    'The tweed is woven from Shetland wool by a mill in the Scottish Borders.',
  ),
  linen: material(
    'linen',
    'Linen',
    'linen',
    0.8,
    'The linen is grown in Normandy and woven in northern Italy.',
  ),
  merino: material(
    'extra-fine merino',
    'Merino',
    'merino',
    0.8,
    'The extra-fine merino comes from mulesing-free farms in Tasmania and is knitted in Scotland.',
  ),
  mohair: material(
    'kid mohair',
    'Mohair',
    'mohair',
    1,
    'The kid mohair is shorn in South Africa’s Eastern Cape and brushed to a soft halo.',
  ),
  alpaca: material(
    'baby alpaca',
    'Alpaca',
    'alpaca',
    1,
    'The baby alpaca comes from the highlands around Arequipa, Peru.',
  ),
  poplin: material(
    'cotton poplin',
    'Poplin',
    'cotton',
    0.7,
    'The two-ply poplin is woven in Switzerland from long-staple Egyptian cotton.',
  ),
  seaIsland: material(
    'Sea Island cotton',
    'Sea Island Cotton',
    'cotton',
    0.9,
    'The Sea Island cotton is grown in Barbados and Jamaica and is among the rarest cottons in the world.',
  ),
  silkTwill: material(
    'silk twill',
    'Silk Twill',
    'silk',
    1,
    'The silk is reeled in Brazil and woven and printed in Como.',
  ),
  crepeDeChine: material(
    'silk crepe de chine',
    'Silk',
    'silk',
    1.05,
    'The crepe de chine is woven in Como from long-fibre mulberry silk.',
  ),
  silkSatin: material('silk satin', 'Satin', 'silk', 1.1, 'The double-faced silk satin is woven in Lyon.'),
  shearling: material(
    'merino shearling',
    'Shearling',
    'shearling',
    1,
    'The merino shearling is tanned in Spain and clipped to an even pile.',
  ),
} as const;

/** Buttons and linings named in a garment’s materials. */
export const TRIMS: readonly Material[] = [
  material(
    'horn buttons',
    'Horn Buttons',
    'horn-buttons',
    1,
    'The buttons are cut from natural horn, a by-product of farming, and polished in Italy.',
  ),
  material(
    'mother-of-pearl buttons',
    'Mother-of-Pearl Buttons',
    'mother-of-pearl',
    1,
    'The buttons are cut from Australian mother-of-pearl.',
  ),
  material('silk lining', 'Silk Lining', 'silk', 1, 'The lining is a silk twill woven in Como.'),
  material(
    'cupro lining',
    'Cupro Lining',
    'cupro',
    1,
    'The lining is cupro, regenerated from cotton linters, which breathes like silk.',
  ),
];

/** Shoe uppers. */
export const SHOE_LEATHERS: readonly Material[] = [
  LEATHERS[1]!,
  material(
    'suede calfskin',
    'Suede',
    'suede',
    0.95,
    'The suede calfskin is tanned in France and brushed to a fine velvet nap.',
  ),
  material(
    'patent calfskin',
    'Patent',
    'patent-leather',
    1.05,
    'The patent calfskin is finished in Italy with a mirror coat that stays supple.',
  ),
  material(
    'shell cordovan',
    'Cordovan',
    'cordovan',
    1.5,
    'The shell cordovan is cut from the hindquarters of horsehides and tanned for six months in Chicago.',
  ),
  material(
    'lambskin nappa',
    'Nappa',
    'nappa',
    1.05,
    'The lambskin nappa is tanned in Tuscany and is soft enough to need no breaking in.',
  ),
  LEATHERS[7]!,
];

/** Shoe soles. */
export const SOLES = {
  leather: material(
    'oak-bark leather sole',
    'Leather Sole',
    'leather-sole',
    1,
    'The soles are oak-bark tanned for a year in Devon, the slowest tannage in Britain.',
  ),
  rubber: material(
    'natural rubber sole',
    'Rubber Sole',
    'rubber-sole',
    1,
    'The natural rubber sole is made from latex tapped in Sri Lanka.',
  ),
  jute: material(
    'jute sole',
    'Jute',
    'jute',
    1,
    'The jute sole is braided and stitched by hand in La Rioja.',
  ),
} as const;

/** The lining of leather shoes. */
export const CALFSKIN_LINING = material(
  'calfskin lining',
  'Calfskin Lining',
  'calfskin',
  1,
  'The lining is an undyed calfskin that lets the foot breathe.',
);

/** Raw materials of perfumery; a fragrance's "materials" are its principal naturals. */
export const NOTES: readonly Material[] = [
  material(
    'Grasse jasmine absolute',
    'Jasmine',
    'jasmine',
    1.2,
    'The jasmine is picked by hand at dawn in Grasse in late summer and extracted the same day.',
  ),
  material(
    'Calabrian bergamot',
    'Bergamot',
    'bergamot',
    1,
    'The bergamot is cold-pressed from fruit grown on the Ionian coast of Calabria.',
  ),
  material(
    'Haitian vetiver',
    'Vetiver',
    'vetiver',
    1,
    'The vetiver roots are grown by smallholders in the south of Haiti and distilled near the fields.',
  ),
  material(
    'Madagascan vanilla',
    'Vanilla',
    'vanilla',
    1.1,
    'The vanilla pods are pollinated by hand and cured for months in the Sava region of Madagascar.',
  ),
  material(
    'Tuscan orris butter',
    'Iris',
    'iris',
    1.3,
    'The orris rhizomes are grown in Tuscany and dried for three years before distillation.',
  ),
  material(
    'Turkish rose absolute',
    'Rose',
    'rose',
    1.2,
    'The Damask roses are picked in the valley of Isparta in May, before the sun is high.',
  ),
  material(
    'Sri Lankan cinnamon',
    'Cinnamon',
    'cinnamon',
    1,
    'The cinnamon bark is peeled by hand in the south of Sri Lanka.',
  ),
  material(
    'New Caledonian sandalwood',
    'Sandalwood',
    'sandalwood',
    1.2,
    'The sandalwood comes from a replanting programme in New Caledonia.',
  ),
  material(
    'Japanese hinoki wood',
    'Hinoki',
    'hinoki',
    1.1,
    'The hinoki oil is distilled from offcuts of Japanese cypress from the Kiso valley.',
  ),
  material(
    'Kōchi yuzu',
    'Yuzu',
    'yuzu',
    1.1,
    'The yuzu is cold-pressed from fruit grown in the mountain villages of Kōchi.',
  ),
  material(
    'Laotian oud',
    'Oud',
    'oud',
    1.4,
    'The oud comes from cultivated agarwood trees in Laos, harvested under a sustainable programme.',
  ),
  material(
    'Somali frankincense',
    'Frankincense',
    'frankincense',
    1,
    'The frankincense resin is tapped from Boswellia trees in northern Somalia.',
  ),
  material(
    'Indonesian patchouli',
    'Patchouli',
    'patchouli',
    1,
    'The patchouli is grown in Sulawesi and distilled by a farmers’ cooperative.',
  ),
  material(
    'Darjeeling black tea',
    'Darjeeling',
    'tea',
    1,
    'The tea is a first-flush Darjeeling from a single garden, extracted by the house.',
  ),
  material(
    'birch tar',
    'Birch',
    'birch',
    1,
    'The birch tar is rectified from the bark of Baltic birch until only its smoky, leathery heart remains.',
  ),
  material(
    'Indian tuberose absolute',
    'Tuberose',
    'tuberose',
    1.2,
    'The tuberose flowers are picked at night in Tamil Nadu, when their scent is strongest.',
  ),
  material(
    'Andalusian labdanum',
    'Labdanum',
    'labdanum',
    1,
    'The labdanum resin is gathered from rockrose in the hills of Andalusia.',
  ),
];

function colour(name: string, code: string): Colour {
  return { name, code };
}

/** Leather goods colours; codes are unique so SKUs stay unique. */
export const COLOURS: readonly Colour[] = [
  colour('Black', 'BLK'),
  colour('Cognac', 'COG'),
  colour('Bordeaux', 'BDX'),
  colour('Forest Green', 'FGR'),
  colour('Navy', 'NVY'),
  colour('Ivory', 'IVR'),
  colour('Tan', 'TAN'),
  colour('Sand', 'SND'),
  colour('Chocolate', 'CHO'),
  colour('Powder Pink', 'PNK'),
  colour('Terracotta', 'TER'),
  colour('Sage', 'SAG'),
];

/** Ready-to-wear colours; codes are unique so SKUs stay unique. */
export const CLOTH_COLOURS: readonly Colour[] = [
  colour('Black', 'BLK'),
  colour('Navy', 'NVY'),
  colour('Camel', 'CML'),
  colour('Ivory', 'IVR'),
  colour('Charcoal', 'CHR'),
  colour('Burgundy', 'BUR'),
  colour('Bottle Green', 'BGR'),
  colour('Oatmeal', 'OAT'),
  colour('Sky Blue', 'SKY'),
  colour('Ecru', 'ECR'),
];

/** Shoe colours; codes are unique so SKUs stay unique. */
export const SHOE_COLOURS: readonly Colour[] = [
  colour('Black', 'BLK'),
  colour('Dark Brown', 'DBR'),
  colour('Tan', 'TAN'),
  colour('Bordeaux', 'BDX'),
  colour('Navy', 'NVY'),
  colour('Ivory', 'IVR'),
  colour('Nude', 'NUD'),
];

/**
 * One material from `pool`, preferring the collection's accent materials (pearls for a pearl line) with
 * probability `p` when the pool holds any of them.
 */
export function favour(
  rng: Prng,
  pool: readonly Material[],
  accents: readonly string[] | undefined,
  p = 0.7,
): Material {
  const preferred = accents ? pool.filter((m) => accents.includes(m.name)) : [];
  return preferred.length > 0 && rng.chance(p) ? rng.pick(preferred) : rng.pick(pool);
}
