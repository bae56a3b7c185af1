/**
 * Normalization of the identifiers risk rules compare: addresses, emails. Customers type the same place
 * many ways ("12 Rue de l'Église", "12 rue de l eglise"; "10 Main St., Apt 4" and "10 MAIN STREET #4"), and
 * a deny list or a velocity counter is only as good as its ability to see they are one.
 */

/** Street-type and designator spellings, folded to one canonical token each. */
const TOKEN_CANON: Readonly<Record<string, string>> = {
  // English street types
  street: 'street',
  str: 'strasse',
  ave: 'avenue',
  av: 'avenue',
  avda: 'avenue',
  avenida: 'avenue',
  avenue: 'avenue',
  blvd: 'boulevard',
  bd: 'boulevard',
  bvd: 'boulevard',
  boul: 'boulevard',
  rd: 'road',
  dr: 'drive',
  ln: 'lane',
  ct: 'court',
  pl: 'place',
  plz: 'plaza',
  sq: 'square',
  hwy: 'highway',
  pkwy: 'parkway',
  cres: 'crescent',
  tce: 'terrace',
  terr: 'terrace',
  // French, Italian, German
  r: 'rue',
  fbg: 'faubourg',
  fg: 'faubourg',
  imp: 'impasse',
  chem: 'chemin',
  qu: 'quai',
  vle: 'viale',
  pza: 'piazza',
  // compass points
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  ne: 'northeast',
  nw: 'northwest',
  se: 'southeast',
  sw: 'southwest',
  // unit and floor designators: the kind of unit does not matter for matching, its identifier does
  apt: 'unit',
  apartment: 'unit',
  appt: 'unit',
  appartement: 'unit',
  suite: 'unit',
  flat: 'unit',
  unit: 'unit',
  fl: 'floor',
  floor: 'floor',
  etage: 'floor',
};

/** Canonical tokens that cannot start a name, so an "St" before them is a street, not a saint. */
const NOT_A_NAME = new Set([
  'unit',
  'floor',
  'north',
  'south',
  'east',
  'west',
  'northeast',
  'northwest',
  'southeast',
  'southwest',
]);
const HOUSE_NUMBER_PREFIXES = new Set(['no', 'nr', 'num', 'number', 'numero']);
const UNIT_DESIGNATORS = new Set(['unit', 'floor']);

/** Case-folds and strips accents, and spells out letters that do not decompose (ß, æ, œ, ø, ł). */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd');
}

/** Folded words and numbers of a text, without punctuation; `#` reads as a unit designator. */
function rawTokens(text: string): string[] {
  return (
    foldText(text)
      // French elision ("l'Église", "d'Italie") separates words; other apostrophes ("St Mark's") do not.
      .replace(/(^|[^\p{L}\p{N}])(qu|[cdjlmnst])['’`](?=\p{L})/gu, '$1$2 ')
      .replace(/['’`]/g, '')
      .replace(/#/g, ' unit ')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
  );
}

const isNumberLike = (token: string | undefined) => token !== undefined && /\d/.test(token);

/**
 * Canonical tokens of an address line. "St" reads as "saint" before a name and as "street" elsewhere
 * ("12 St James St"); "Ste" as "sainte" before a name and as a suite before a number.
 */
export function addressTokens(text: string): string[] {
  const raw = rawTokens(text);
  const tokens: string[] = [];
  for (const [index, token] of raw.entries()) {
    const next = raw[index + 1];
    const nextIsName =
      next !== undefined &&
      !isNumberLike(next) &&
      !NOT_A_NAME.has(TOKEN_CANON[next] ?? '') &&
      !(next === 'ste' && isNumberLike(raw[index + 2]));
    if (HOUSE_NUMBER_PREFIXES.has(token) && isNumberLike(next)) continue;
    if (token === 'st') tokens.push(nextIsName ? 'saint' : 'street');
    else if (token === 'ste') tokens.push(nextIsName ? 'sainte' : 'unit');
    else if (token.length > 3 && token.endsWith('str') && !isNumberLike(token)) {
      tokens.push(`${token.slice(0, -3)}strasse`);
    } else tokens.push(TOKEN_CANON[token] ?? token);
  }
  // "Haupt Straße" and "Hauptstraße" are the same street; glue the German suffix to its name.
  const glued: string[] = [];
  for (const token of tokens) {
    const previous = glued.at(-1);
    if (
      token === 'strasse' &&
      previous !== undefined &&
      !isNumberLike(previous) &&
      !UNIT_DESIGNATORS.has(previous)
    ) {
      glued[glued.length - 1] = `${previous}strasse`;
    } else glued.push(token);
  }
  return glued;
}

/** Splits tokens into the street part and the unit/floor parts ("unit 4", "floor 2"). */
function splitUnits(tokens: readonly string[]): { street: string[]; unit: string[] } {
  const street: string[] = [];
  const unit: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const next = tokens[index + 1];
    if (UNIT_DESIGNATORS.has(token) && next !== undefined) {
      unit.push(token, next);
      index++;
    } else street.push(token);
  }
  return { street, unit };
}

/** An address in the shape the risk rules compare. */
export interface NormalizedAddress {
  readonly country: string;
  /** Postal code without spaces or dashes, upper case; US ZIP+4 cut to the ZIP. */
  readonly postalCode: string;
  readonly city: string;
  /** The street line without unit or floor designators. */
  readonly street: string;
  /** Unit and floor parts of line 1, then everything in line 2. */
  readonly unit: string;
  /** Identifies the building: two flats in one building share it. */
  readonly buildingKey: string;
  /** Identifies the delivery point, unit included. */
  readonly fullKey: string;
  /** Every token of both lines, space-separated and space-padded, for whole-word marker search. */
  readonly searchText: string;
}

/** The address fields normalization reads. */
export interface AddressLike {
  readonly line1: string;
  readonly line2?: string | undefined;
  readonly city?: string | undefined;
  readonly postalCode?: string | undefined;
  readonly country: string;
}

/** Normalizes a postal code so "sw1a 1aa", "SW1A1AA" and "10001-1234"/"10001" (US) compare equal. */
export function normalizePostalCode(postalCode: string | undefined, country: string): string {
  const compact = foldText(postalCode ?? '')
    .replace(/[^\p{L}\p{N}]/gu, '')
    .toUpperCase();
  return country.toUpperCase() === 'US' && /^\d{9}$/.test(compact) ? compact.slice(0, 5) : compact;
}

/**
 * Normalizes an address for comparison: accents, case, punctuation and whitespace folded; street types,
 * unit designators and house-number prefixes canonical; units moved out of the street line.
 */
export function normalizeAddress(address: AddressLike): NormalizedAddress {
  const country = address.country.trim().toUpperCase();
  const postalCode = normalizePostalCode(address.postalCode, country);
  const city = addressTokens(address.city ?? '').join(' ');
  const line1 = splitUnits(addressTokens(address.line1));
  const line2 = addressTokens(address.line2 ?? '');
  const street = line1.street.join(' ');
  const unit = [...line1.unit, ...line2].join(' ');
  // Without a postal code (Hong Kong, Ireland before Eircode) the city tells buildings apart.
  const place = postalCode || city;
  const buildingKey = `${country}|${place}|${street}`;
  return {
    country,
    postalCode,
    city,
    street,
    unit,
    buildingKey,
    fullKey: `${buildingKey}|${unit}`,
    searchText: ` ${[...line1.street, ...line1.unit, ...line2].join(' ')} `,
  };
}

/**
 * Whether an address matches a list entry. The entry says how precise it is: country and street always;
 * postal code, city and unit only when the entry gives them, so one entry can cover a whole building.
 */
export function addressMatches(address: NormalizedAddress, entry: NormalizedAddress): boolean {
  return (
    address.country === entry.country &&
    address.street === entry.street &&
    (entry.postalCode === '' || address.postalCode === entry.postalCode) &&
    (entry.city === '' || address.city === entry.city) &&
    (entry.unit === '' || address.unit === entry.unit)
  );
}

/** Whether an address contains a marker phrase (for example a forwarder's name) as whole words. */
export function addressMentions(address: NormalizedAddress, marker: string): boolean {
  const phrase = addressTokens(marker).join(' ');
  return phrase !== '' && address.searchText.includes(` ${phrase} `);
}

/** Providers that ignore dots in the local part, so `j.doe@gmail.com` is `jdoe@gmail.com`. */
const DOT_INSENSITIVE_DOMAINS: Readonly<Record<string, string>> = {
  'gmail.com': 'gmail.com',
  'googlemail.com': 'gmail.com',
};

/** An email in the shape the risk rules compare. */
export interface NormalizedEmail {
  /** Lower case, `+tag` removed, provider aliases folded. */
  readonly address: string;
  readonly local: string;
  readonly domain: string;
}

/**
 * Normalizes an email so aliases of one mailbox compare equal: case, a `+tag` sub-address, and the dots
 * and domain alias that Gmail ignores.
 */
export function normalizeEmail(email: string): NormalizedEmail {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  const rawDomain = (at >= 0 ? trimmed.slice(at + 1) : trimmed).replace(/\.$/, '');
  let local = at >= 0 ? trimmed.slice(0, at) : '';
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const domain = DOT_INSENSITIVE_DOMAINS[rawDomain] ?? rawDomain;
  if (DOT_INSENSITIVE_DOMAINS[rawDomain]) local = local.replace(/\./g, '');
  return { address: `${local}@${domain}`, local, domain };
}

/** Whether `domain` is `parent` or one of its subdomains. */
export function isDomainOrSubdomain(domain: string, parent: string): boolean {
  return domain === parent || domain.endsWith(`.${parent}`);
}

/**
 * Whether an email matches a list entry: a full address (`someone@example.com`, compared after
 * normalization) or a domain (`example.com` or `@example.com`, subdomains included).
 */
export function emailMatches(email: NormalizedEmail, entry: string): boolean {
  const trimmed = entry.trim().toLowerCase();
  if (trimmed.includes('@') && !trimmed.startsWith('@'))
    return normalizeEmail(trimmed).address === email.address;
  return isDomainOrSubdomain(email.domain, trimmed.replace(/^@/, '').replace(/\.$/, ''));
}

/**
 * Throwaway-mailbox domains seen on fraudulent luxury orders. Deliberately short: the policy adds the
 * market's own findings through `disposableEmail.extraDomains`.
 */
export const DISPOSABLE_EMAIL_DOMAINS: readonly string[] = [
  '10minutemail.com',
  '20minutemail.com',
  'burnermail.io',
  'discard.email',
  'dispostable.com',
  'emailondeck.com',
  'fakeinbox.com',
  'getairmail.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'guerrillamailblock.com',
  'mailcatch.com',
  'maildrop.cc',
  'mailinator.com',
  'mailnesia.com',
  'mintemail.com',
  'mohmal.com',
  'moakt.com',
  'mytemp.email',
  'sharklasers.com',
  'spamgourmet.com',
  'temp-mail.org',
  'tempail.com',
  'tempmail.com',
  'tempmailo.com',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
  'yopmail.fr',
];

/** Whether the email's domain (or a parent domain) is a throwaway-mailbox service. */
export function isDisposableEmail(email: NormalizedEmail, extraDomains: readonly string[] = []): boolean {
  return [...DISPOSABLE_EMAIL_DOMAINS, ...extraDomains].some((domain) =>
    isDomainOrSubdomain(email.domain, domain.trim().toLowerCase().replace(/^@/, '')),
  );
}

/** The email as staff see it in reasons: first letter of the mailbox, then the domain. */
export function maskEmail(email: NormalizedEmail): string {
  return `${email.local.slice(0, 1)}•••@${email.domain}`;
}
