import type { CategoryId } from './categories/types.ts';

/** Where a maison makes one category of pieces. */
export interface AtelierSpec {
  /** Completes "made in ...": `the house workshops in Ivry-sur-Seine`. */
  readonly place: string;
  /** Country of making, for the `made-in-*` tag and provenance, e.g. `France`. */
  readonly country: string;
}

/** A collection of a demo maison. */
export interface CollectionSpec {
  readonly name: string;
  readonly season?: string;
  readonly categories: readonly CategoryId[];
  /** Model lines the collection's pieces are named after. */
  readonly lines: readonly string[];
  /** The collection's design idea, completing "drawn from ...". */
  readonly motif: string;
  readonly description: string;
  /** Material names the collection favours (pearls for a pearl line, hinoki for a Kyoto fragrance). */
  readonly accents?: readonly string[];
}

/** A fictional maison of the demo catalog. */
export interface MaisonSpec {
  readonly id: string;
  /** Three upper-case letters used in SKUs. */
  readonly code: string;
  readonly name: string;
  readonly founded: number;
  readonly country: string;
  readonly city: string;
  readonly founder: string;
  readonly description: string;
  /** Price multiplier for the house's positioning. */
  readonly positioning: number;
  readonly categories: readonly CategoryId[];
  readonly ateliers: Readonly<Partial<Record<CategoryId, AtelierSpec>>>;
  /** Sentences on the house's codes, closing the heritage story. */
  readonly signatures: readonly string[];
  readonly collections: readonly CollectionSpec[];
}

/**
 * Eight invented houses. The names, founders and histories are fiction; the places, techniques and
 * materials are real, so that the catalog reads like a luxury group's and search has something to find.
 */
export const MAISONS: readonly MaisonSpec[] = [
  {
    id: 'aurele',
    code: 'AUR',
    name: 'Aurèle',
    founded: 1847,
    country: 'FR',
    city: 'Paris',
    founder: 'Édouard Aurèle',
    description:
      'Founded in 1847 as a trunk-maker on the Left Bank, Aurèle built luggage for the first transatlantic crossings before turning its frames and saddle stitch to bags, shoes and a wardrobe for travelling light. Its workshops outside Paris still make every hard-sided piece by hand.',
    positioning: 1.1,
    categories: ['leather-goods', 'ready-to-wear', 'shoes', 'fragrance'],
    ateliers: {
      'leather-goods': { place: 'the house workshops in Ivry-sur-Seine', country: 'France' },
      'ready-to-wear': { place: 'the house atelier on the Quai Voltaire in Paris', country: 'France' },
      shoes: { place: 'a family workshop in Romans-sur-Isère', country: 'France' },
      fragrance: { place: 'the house laboratory in Grasse', country: 'France' },
    },
    signatures: [
      'Every Aurèle piece still carries the founder’s initials, stamped in brass, embossed in leather or etched in glass.',
      'The house keeps the order ledgers of every trunk it has made since 1852, and still repairs them.',
      'Aurèle’s striped lining, first woven for steamer trunks, remains the quiet signature of the house.',
    ],
    collections: [
      {
        name: 'Malletier',
        season: 'Permanent collection',
        categories: ['leather-goods'],
        lines: ['Courrier', 'Odéon', 'Valence', 'Malle Haute'],
        motif: 'the house’s nineteenth-century steamer trunks',
        description:
          'The trunk-maker’s collection: structured bags and travel pieces built on the house’s historic frames, with corners reinforced in brass and lock plates engraved by hand.',
      },
      {
        name: 'Faubourg',
        season: 'Autumn-Winter 2025',
        categories: ['ready-to-wear', 'shoes', 'leather-goods'],
        lines: ['Faubourg', 'Sèvres', 'Odéon'],
        motif: 'the uniforms of Paris’s nineteenth-century carriage-makers',
        description:
          'A winter wardrobe in double-faced cashmere, box calf and heavy silk, cut close to the body and finished with the house’s saddle stitch.',
      },
      {
        name: 'Quai Voltaire',
        season: 'Spring-Summer 2026',
        categories: ['ready-to-wear', 'shoes', 'leather-goods'],
        lines: ['Voltaire', 'Batelier', 'Pont Royal'],
        motif: 'the riverside bookstalls and barges of the Seine',
        description:
          'Light layers, unlined jackets and supple leathers for the river season, in a palette of sand, navy and bleached ivory.',
      },
      {
        name: 'Carnet de Voyage',
        season: 'Permanent collection',
        categories: ['fragrance'],
        lines: ['Voyage d’Hiver', 'Malle Ambrée', 'Cuir Batelier', 'Thé de Minuit'],
        motif: 'the travel diaries kept in the house archives',
        description:
          'Fragrances composed around the scents of travel: polished leather, tea chests, cedar trunks and the salt air of a deck at night.',
      },
    ],
  },
  {
    id: 'veronne',
    code: 'VER',
    name: 'Véronne',
    founded: 1893,
    country: 'FR',
    city: 'Paris',
    founder: 'Clémence Véronne',
    description:
      'Clémence Véronne opened her jewellery salon on the rue de la Paix in 1893 with a single showcase of enamelled brooches. The house is known for naturalistic jewellery, invisible settings and a small line of jewellery watches, all made in its Paris workshops.',
    positioning: 1.2,
    categories: ['fine-jewellery', 'watches', 'fragrance'],
    ateliers: {
      'fine-jewellery': { place: 'the house workshops above the rue de la Paix boutique', country: 'France' },
      watches: { place: 'a partner manufacture in the Vallée de Joux', country: 'Switzerland' },
      fragrance: { place: 'the house laboratory in Grasse', country: 'France' },
    },
    signatures: [
      'Each Véronne creation carries the house’s small eight-pointed star, struck inside a setting or etched into a flacon.',
      'The house archives hold more than eleven thousand gouache drawings, and designers still begin every piece there.',
      'Véronne has never used a stone it could not trace back to its mine, a rule written into the house charter in 1921.',
    ],
    collections: [
      {
        name: 'Lierre',
        season: 'Permanent collection',
        categories: ['fine-jewellery'],
        lines: ['Lierre'],
        motif: 'a twining ivy leaf',
        description:
          'Ivy leaves in polished gold and pavé diamonds that climb around the finger, the wrist and the neck, first drawn by Clémence Véronne in 1902.',
        accents: ['round brilliant diamonds', 'Colombian emeralds', 'tsavorite garnets'],
      },
      {
        name: 'Astrée',
        season: 'Permanent collection',
        categories: ['fine-jewellery', 'watches'],
        lines: ['Astrée'],
        motif: 'an eight-pointed star',
        description:
          'The house star, set at the centre of rings, pendants and jewellery watches, in gold, diamonds and hard stones.',
        accents: ['round brilliant diamonds', 'mother-of-pearl', 'black onyx'],
      },
      {
        name: 'Pluie d’Or',
        season: 'High jewellery 2025',
        categories: ['fine-jewellery', 'watches'],
        lines: ['Pluie d’Or'],
        motif: 'drops of gold falling like summer rain',
        description:
          'Cascades of gold beads and briolette-cut stones that move with the wearer; the most technical line in the house.',
        accents: ['Ceylon sapphires', 'round brilliant diamonds', 'Mozambique rubies'],
      },
      {
        name: 'Jardins Secrets',
        season: 'Permanent collection',
        categories: ['fragrance'],
        lines: ['Nuit d’Iris', 'Rose Astrée', 'Jasmin de Minuit', 'Ambre Sacré'],
        motif: 'the hidden courtyard gardens of Paris',
        description:
          'Floral fragrances built on the flowers Clémence Véronne drew in her sketchbooks: iris, rose, jasmine and tuberose.',
        accents: ['Tuscan orris butter', 'Grasse jasmine absolute', 'Turkish rose absolute'],
      },
    ],
  },
  {
    id: 'haldenberg',
    code: 'HAL',
    name: 'Haldenberg',
    founded: 1791,
    country: 'CH',
    city: 'Geneva',
    founder: 'Jonas Haldenberg',
    description:
      'Haldenberg has made watches in Geneva since 1791, when Jonas Haldenberg set up his cabinotier’s bench above the Rhône. The manufacture is known for chronometry, enamel dials and complications finished entirely by hand, and makes a small line of watch-inspired jewellery.',
    positioning: 1.25,
    categories: ['watches', 'fine-jewellery'],
    ateliers: {
      watches: { place: 'the manufacture in Plan-les-Ouates, Geneva', country: 'Switzerland' },
      'fine-jewellery': { place: 'the house jewellery workshop in Geneva', country: 'Switzerland' },
    },
    signatures: [
      'Every Haldenberg movement is still decorated with the engraved edelweiss of the first workshop.',
      'The manufacture keeps a register of every watch it has made since 1791, and can restore any of them.',
      'Haldenberg watchmakers sign the inside of each caseback, a custom kept since the cabinotier days.',
    ],
    collections: [
      {
        name: 'Observatoire',
        season: 'Permanent collection',
        categories: ['watches'],
        lines: ['Observatoire'],
        motif: 'the house’s prize-winning observatory chronometers',
        description:
          'Precision watches descended from the chronometers Haldenberg entered in the Geneva Observatory trials, with railway-track minutes and blued steel hands.',
      },
      {
        name: 'Lac Léman',
        season: 'Permanent collection',
        categories: ['watches', 'fine-jewellery'],
        lines: ['Lac Léman'],
        motif: 'the light on Lake Geneva',
        description:
          'Slim, sporting watches and jewellery with wave-pattern guilloché and a blue that changes with the light, like the lake below the manufacture.',
        accents: ['Ceylon sapphires', 'round brilliant diamonds'],
      },
      {
        name: 'Rhône',
        season: 'Novelties 2025',
        categories: ['watches'],
        lines: ['Rhône'],
        motif: 'the bridges over the Rhône in Geneva',
        description:
          'Complications in a tonneau-shaped case: chronographs, moon phases and the house’s perpetual calendar.',
      },
      {
        name: 'Fleur de Givre',
        season: 'High jewellery 2025',
        categories: ['fine-jewellery'],
        lines: ['Fleur de Givre'],
        motif: 'frost flowers on a winter window',
        description:
          'Jewellery set like a watch dial: snow-set diamonds, white gold and the guilloché patterns of the manufacture.',
        accents: ['round brilliant diamonds', 'mother-of-pearl'],
      },
    ],
  },
  {
    id: 'montrevel',
    code: 'MTV',
    name: 'Montrevel',
    founded: 1836,
    country: 'CH',
    city: 'Le Sentier',
    founder: 'Isaac Montrevel',
    description:
      'A family manufacture in the Vallée de Joux since 1836, Montrevel began by making movements for other houses in the long winters of the Jura. It now signs its own watches, from hand-wound dress pieces to grand complications, and enamel jewellery made by the same artisans.',
    positioning: 1.15,
    categories: ['watches', 'fine-jewellery'],
    ateliers: {
      watches: { place: 'the family manufacture in Le Sentier, Vallée de Joux', country: 'Switzerland' },
      'fine-jewellery': { place: 'the enamelling workshop in Le Sentier', country: 'Switzerland' },
    },
    signatures: [
      'Montrevel is still run by the founder’s descendants, and every new calibre is approved at the family table.',
      'The first Montrevel workshop, a farmhouse above Le Sentier, is now the house’s restoration atelier.',
      'Montrevel’s enamellers fire their dials in the same kiln room the house has used since the 1920s.',
    ],
    collections: [
      {
        name: 'Vallée',
        season: 'Permanent collection',
        categories: ['watches'],
        lines: ['Vallée'],
        motif: 'the forests and frozen lake of the Vallée de Joux',
        description:
          'The house’s everyday watches: hand-wound and self-winding calibres in slim, round cases with sector dials.',
      },
      {
        name: 'Perpétuelle',
        season: 'Permanent collection',
        categories: ['watches'],
        lines: ['Perpétuelle'],
        motif: 'the astronomical clocks of the Jura',
        description:
          'Grand complications: perpetual calendars, tourbillons and minute repeaters, each assembled by a single master watchmaker.',
      },
      {
        name: 'Grand Feu',
        season: 'Métiers d’art 2025',
        categories: ['watches', 'fine-jewellery'],
        lines: ['Grand Feu', 'Émail Bleu'],
        motif: 'the house’s enamelling tradition',
        description:
          'Watches and jewellery with grand feu enamel, painted and fired by hand in the Montrevel kiln room.',
        accents: ['lapis lazuli', 'mother-of-pearl', 'round brilliant diamonds'],
      },
    ],
  },
  {
    id: 'orsolini',
    code: 'ORS',
    name: 'Orsolini',
    founded: 1921,
    country: 'IT',
    city: 'Florence',
    founder: 'Beatrice Orsolini',
    description:
      'Beatrice Orsolini opened a glove and bag workshop in the Oltrarno in 1921, among the leatherworkers of Santo Spirito. A century on, the house makes bags, shoes and ready-to-wear in Tuscany, known for hand-braided leather and soft, unstructured shapes.',
    positioning: 1,
    categories: ['leather-goods', 'shoes', 'ready-to-wear'],
    ateliers: {
      'leather-goods': { place: 'the house workshop in Scandicci, outside Florence', country: 'Italy' },
      shoes: { place: 'a shoemaking workshop on the Riviera del Brenta', country: 'Italy' },
      'ready-to-wear': { place: 'the house atelier in Florence', country: 'Italy' },
    },
    signatures: [
      'The Orsolini braid, eight strands of leather woven by hand, appears somewhere on almost every piece the house makes.',
      'Orsolini still trains its own artisans in a school above the original Oltrarno workshop.',
      'A lily, the emblem of Florence, is stamped inside every Orsolini piece.',
    ],
    collections: [
      {
        name: 'Oltrarno',
        season: 'Permanent collection',
        categories: ['leather-goods', 'shoes'],
        lines: ['Oltrarno', 'Santo Spirito', 'Serristori'],
        motif: 'the workshops of the Oltrarno quarter',
        description:
          'The house classics: soft bags, loafers and small leather goods in vegetable-tanned calfskin that darkens with use.',
      },
      {
        name: 'Giglio',
        season: 'Autumn-Winter 2025',
        categories: ['leather-goods', 'ready-to-wear'],
        lines: ['Giglio', 'Fiorella'],
        motif: 'the Florentine lily',
        description:
          'Hand-braided leather, suede and cashmere in the deep reds and golds of Florentine autumn.',
      },
      {
        name: 'Boboli',
        season: 'Spring-Summer 2026',
        categories: ['ready-to-wear', 'shoes', 'leather-goods'],
        lines: ['Boboli', 'Limonaia', 'Belvedere'],
        motif: 'the Boboli Gardens in early summer',
        description: 'Linen, silk and light suede for the Tuscan summer, in lemon, sage and terracotta.',
      },
    ],
  },
  {
    id: 'thorne-ashby',
    code: 'TNA',
    name: 'Thorne & Ashby',
    founded: 1872,
    country: 'GB',
    city: 'London',
    founder: 'Henry Thorne and Walter Ashby',
    description:
      'Henry Thorne, a tailor, and Walter Ashby, a bootmaker, opened their shop in St James’s in 1872. Thorne & Ashby still cuts tailoring, makes Goodyear-welted shoes in Northampton and blends its own fragrances, for clients who prefer things built to last a lifetime.',
    positioning: 0.95,
    categories: ['ready-to-wear', 'shoes', 'leather-goods', 'fragrance'],
    ateliers: {
      'ready-to-wear': { place: 'the house workrooms in St James’s, London', country: 'United Kingdom' },
      shoes: { place: 'the house factory in Northampton', country: 'United Kingdom' },
      'leather-goods': { place: 'a saddlery workshop in Walsall', country: 'United Kingdom' },
      fragrance: { place: 'the house blending room in London', country: 'United Kingdom' },
    },
    signatures: [
      'The house still keeps a paper pattern and a pair of lasts for every client who has ordered made-to-measure.',
      'Every Thorne & Ashby piece is inspected in St James’s before it is sold, as it was in the founders’ day.',
      'The shop’s original mahogany counters, fitted in 1872, are still where clients are measured.',
    ],
    collections: [
      {
        name: 'Jermyn',
        season: 'Permanent collection',
        categories: ['ready-to-wear', 'shoes'],
        lines: ['Jermyn', 'St James’s', 'Piccadilly'],
        motif: 'the shirtmakers and bootmakers of St James’s',
        description:
          'The house’s tailoring and town shoes: Super 150s suits, poplin shirts, Oxfords and Derbys on the house’s 1902 last.',
      },
      {
        name: 'Highland',
        season: 'Autumn-Winter 2025',
        categories: ['ready-to-wear', 'leather-goods', 'shoes'],
        lines: ['Highland', 'Strathmore', 'Glen'],
        motif: 'shooting weekends in the Scottish Highlands',
        description:
          'Country clothing in cashmere, tweed and bridle leather: field coats, knitwear, boots and cartridge-bag briefcases.',
      },
      {
        name: 'Regent',
        season: 'Permanent collection',
        categories: ['leather-goods', 'shoes'],
        lines: ['Regent', 'Albemarle', 'Half Moon'],
        motif: 'the Regency terraces of Mayfair',
        description: 'Briefcases, document holders and belts in bridle leather, with solid brass fittings.',
      },
      {
        name: 'Apothecary',
        season: 'Permanent collection',
        categories: ['fragrance'],
        lines: ['Library Vetiver', 'Smoked Darjeeling', 'Bergamot & Birch', 'Regent Fougère'],
        motif: 'the shop’s Victorian apothecary cabinet',
        description:
          'Colognes and eaux de parfum from the house’s blending room: vetiver, bergamot, tea and birch tar.',
        accents: ['Haitian vetiver', 'Calabrian bergamot', 'Darjeeling black tea'],
      },
    ],
  },
  {
    id: 'tsukishiro',
    code: 'TSK',
    name: 'Tsukishiro',
    founded: 1889,
    country: 'JP',
    city: 'Kyoto',
    founder: 'Tsukishiro Seibei',
    description:
      'Tsukishiro began in 1889 as a pearl merchant in Kyoto supplying the first cultured Akoya pearls to jewellers in Paris. The house now makes pearl jewellery, leather goods finished with urushi lacquer and fragrances of Kyoto’s temples and gardens.',
    positioning: 1.1,
    categories: ['fine-jewellery', 'leather-goods', 'fragrance'],
    ateliers: {
      'fine-jewellery': { place: 'the house workshop in Kyoto', country: 'Japan' },
      'leather-goods': { place: 'a leather and lacquer workshop in Kyoto', country: 'Japan' },
      fragrance: { place: 'an incense house in Kyoto', country: 'Japan' },
    },
    signatures: [
      'Every Tsukishiro piece is finished with a crescent moon, the mon of the founding family.',
      'The house still sorts its pearls by hand in daylight, in the same north-facing room as in 1889.',
      'Tsukishiro’s lacquer artists apply up to thirty coats of urushi, each left to cure for a day in a humid cabinet.',
    ],
    collections: [
      {
        name: 'Tsukiakari',
        season: 'Permanent collection',
        categories: ['fine-jewellery'],
        lines: ['Tsukiakari'],
        motif: 'moonlight on still water',
        description:
          'Akoya and South Sea pearls on fine gold, strung and matched by hand in the Kyoto workshop.',
        accents: ['Akoya pearls', 'South Sea pearls'],
      },
      {
        name: 'Shiori',
        season: 'Autumn-Winter 2025',
        categories: ['leather-goods', 'fine-jewellery'],
        lines: ['Shiori', 'Kiku', 'Kasumi'],
        motif: 'the silk bookmarks of Kyoto’s old bookbinders',
        description:
          'Leather goods with urushi-lacquered edges and jewellery in gold and pearl, in the reds and blacks of Kyoto lacquerware.',
        accents: ['Akoya pearls', 'black onyx'],
      },
      {
        name: 'Kōyō',
        season: 'Permanent collection',
        categories: ['fragrance'],
        lines: ['Hinoki Moon', 'Yuzu Dawn', 'Kōyō Incense', 'Sumi Ink'],
        motif: 'the autumn leaves in Kyoto’s temple gardens',
        description: 'Fragrances of hinoki wood, yuzu, incense and ink, composed with a Kyoto incense house.',
        accents: ['Japanese hinoki wood', 'Kōchi yuzu', 'Laotian oud'],
      },
    ],
  },
  {
    id: 'albaren',
    code: 'ALB',
    name: 'Casa Albarén',
    founded: 1902,
    country: 'ES',
    city: 'Madrid',
    founder: 'Inés Albarén',
    description:
      'Inés Albarén opened a saddlery and glove shop on the calle de Alcalá in 1902. Casa Albarén now makes bags, shoes and clothing in Spain, with marquetry leather, hand-embroidery and a palette taken from Andalusian tiles.',
    positioning: 0.95,
    categories: ['leather-goods', 'shoes', 'ready-to-wear'],
    ateliers: {
      'leather-goods': { place: 'the house workshop in Ubrique, Andalusia', country: 'Spain' },
      shoes: { place: 'a shoemaking workshop in Almansa', country: 'Spain' },
      'ready-to-wear': { place: 'the house atelier in Madrid', country: 'Spain' },
    },
    signatures: [
      'A small embroidered swallow, the founder’s emblem, is hidden inside every Casa Albarén piece.',
      'The house still makes a saddle every year for the Feria, in the same workshop that made its first.',
      'Casa Albarén’s leather marquetry is cut and inlaid by hand, piece by piece, as it was in 1902.',
    ],
    collections: [
      {
        name: 'Alcalá',
        season: 'Permanent collection',
        categories: ['leather-goods', 'shoes'],
        lines: ['Alcalá', 'Cibeles', 'Retiro'],
        motif: 'the first saddlery on the calle de Alcalá',
        description:
          'Structured bags, riding boots and loafers in box calf, with saddle-stitched edges and brass studs.',
      },
      {
        name: 'Mudéjar',
        season: 'Autumn-Winter 2025',
        categories: ['leather-goods', 'ready-to-wear'],
        lines: ['Mudéjar', 'Azulejo', 'Celosía'],
        motif: 'the geometric tilework of Mudéjar palaces',
        description:
          'Leather marquetry, jacquard knits and embroidered jackets in tile blues, ochre and black.',
      },
      {
        name: 'Sevilla',
        season: 'Spring-Summer 2026',
        categories: ['ready-to-wear', 'shoes'],
        lines: ['Sevilla', 'Triana', 'Feria'],
        motif: 'summer evenings in Triana',
        description: 'Silk dresses, linen tailoring and espadrilles for the Andalusian summer.',
      },
    ],
  },
];
