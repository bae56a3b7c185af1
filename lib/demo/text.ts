/** Text helpers for composing demo names, ids and sentences. */

// Names repeat across a large catalog (colours, countries, common product names), and Unicode normalisation
// is the costliest step of generating one, so slugs are remembered.
const slugs = new Map<string, string>();

/** A lower-case slug: `Lac Léman Chronographe` → `lac-leman-chronographe`. */
export function slugify(text: string): string {
  let slug = slugs.get(text);
  if (slug === undefined) {
    slug = toSlug(text);
    if (slugs.size < 200_000) slugs.set(text, slug);
  }
  return slug;
}

function toSlug(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      // English possessives lose the apostrophe (`St James’s` → `st-jamess`); French elisions become a
      // word break (`Pluie d’Or` → `pluie-d-or`).
      .replace(/[’'](?=s\b)/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
  );
}

/** `a`, `a and b`, `a, b and c`. */
export function listOf(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** The indefinite article for a word as it is spoken: `an 18k gold ring`, `a sapphire`. */
export function article(word: string): 'a' | 'an' {
  return /^(?:[aeio]|u(?!ni|se|su)|8|11|18|hour|honest)/i.test(word) ? 'an' : 'a';
}

/** Upper-cases the first letter. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
