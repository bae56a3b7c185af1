import type { Category, Collection, Maison, ProductInput } from '../../lib/contracts/catalog.ts';

export const maison: Maison = {
  maisonId: 'maison-aurele',
  name: 'Maison Aurèle',
  founded: 1847,
  country: 'FR',
  description: 'Parisian jeweller of the Place Vendôme.',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
export const collection: Collection = {
  collectionId: 'constellation',
  maisonId: 'maison-aurele',
  name: 'Constellation',
  description: 'Star-set high jewellery.',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
export const category: Category = {
  categoryId: 'fine-jewellery',
  name: 'Fine jewellery',
  description: 'Rings, necklaces and bracelets.',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** A valid product body; override any field. */
export function productInput(overrides: Partial<ProductInput> = {}): ProductInput {
  return {
    name: 'Étoile Polaire ring',
    maisonId: 'maison-aurele',
    collectionId: 'constellation',
    categoryId: 'fine-jewellery',
    status: 'active',
    description: 'A solitaire diamond held by six claws of 18k yellow gold.',
    story: {
      craftsmanship: 'Set by hand over forty hours in the atelier of the Rue de la Paix.',
      materials: ['18k yellow gold', 'diamond'],
      provenance: 'Diamonds traced from mine to atelier.',
      heritage: 'Recalls the brooch made for the 1889 Exposition Universelle.',
    },
    media: [
      {
        type: 'image',
        url: 'https://media.vitrine.example/etoile.jpg',
        alt: 'The ring on black velvet',
        role: 'hero',
      },
    ],
    variants: [
      { sku: 'AUR-ETP-50', size: '50' },
      { sku: 'AUR-ETP-52', size: '52' },
    ],
    prices: [
      { market: 'FR', currency: 'EUR', amount: 1_250_000 },
      { market: 'JP', currency: 'JPY', amount: 2_100_000 },
      { market: 'US', currency: 'USD', amount: 1_350_000 },
    ],
    tags: ['solitaire'],
    ...overrides,
  };
}
