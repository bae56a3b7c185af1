import type { EventPattern } from '../../../contracts/events.ts';

export type { EventPattern };

/**
 * EventBridge content filtering, as the event bus applies it to rules and Lambda applies it to
 * event-source filter criteria (the same language, e.g. over DynamoDB stream records).
 *
 * Semantics follow AWS's Event Ruler:
 * - fields are ANDed, the values listed for one field are ORed;
 * - a pattern leaf is always an array; it matches when any leaf value of the event field matches any
 *   condition, so an array-valued field matches when any of its elements does;
 * - a nested pattern object applied to an array of objects matches when one element matches the whole
 *   nested pattern (Ruler's "array-consistent" matching);
 * - only leaves (strings, numbers, booleans, null) are values: an object-valued field counts as
 *   absent for `exists` and never equals anything;
 * - `null` and `""` are distinct values.
 */

const OR = '$or';
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;

/** Thrown by {@link validatePattern} and {@link compilePattern}; `path` points at the offending part. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`Event pattern is not valid: ${path ? `${path}: ` : ''}${reason}`);
    this.path = path;
  }
}

/** A compiled pattern: true when the event matches. */
export type PatternMatcher = (event: unknown) => boolean;

type Predicate = (leaf: unknown) => boolean;
type Scalar = string | number | boolean | null;

const compiled = new WeakMap<object, PatternMatcher>();

/**
 * Checks a pattern the way PutRule / CreateEventSourceMapping would, so a typo fails at start-up with
 * the path of the mistake instead of silently matching nothing.
 */
export function validatePattern(pattern: unknown): asserts pattern is EventPattern {
  compilePattern(pattern);
}

/**
 * Validates once and returns a reusable matcher; the bus compiles each rule with it. Matchers are cached
 * per pattern object, so patterns are treated as immutable once used (manifests declare them as constants).
 */
export function compilePattern(pattern: unknown): PatternMatcher {
  if (typeof pattern === 'object' && pattern !== null) {
    const cached = compiled.get(pattern);
    if (cached) return cached;
  }
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('', 'the pattern must be a JSON object');
  const matcher = compileObject(pattern, '');
  compiled.set(pattern, matcher);
  return matcher;
}

/** True when `event` matches `pattern` (an EventBridge event, a DynamoDB stream record, any JSON). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return compilePattern(pattern)(event);
}

function compileObject(pattern: unknown, path: string): (node: unknown) => boolean {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError(path, 'must be a JSON object');
  const entries = Object.entries(pattern);
  if (entries.length === 0) {
    throw new InvalidEventPatternError(path, 'must not be an empty object; it would constrain nothing');
  }
  const checks: Array<(obj: Readonly<Record<string, unknown>>) => boolean> = [];
  for (const [key, value] of entries) {
    const at = path ? `${path}.${key}` : key;
    if (key === OR) {
      const branches = compileOr(value, at);
      checks.push((obj) => branches.some((branch) => branch(obj)));
    } else if (Array.isArray(value)) {
      const leaf = compileLeaf(value, at);
      checks.push((obj) => leaf(field(obj, key)));
    } else if (isPlainObject(value)) {
      const child = compileObject(value, at);
      checks.push((obj) => child(field(obj, key)));
    } else {
      throw new InvalidEventPatternError(
        at,
        `must be an array of values (e.g. [${JSON.stringify(value) ?? 'value'}]) or a nested object`,
      );
    }
  }
  const matchOne = (node: unknown) => {
    const obj = isPlainObject(node) ? node : EMPTY;
    return checks.every((check) => check(obj));
  };
  return (node) => {
    if (!Array.isArray(node)) return matchOne(node);
    const elements = node.flat(Number.POSITIVE_INFINITY);
    // An empty array contributes no fields, exactly like an absent one.
    return elements.length === 0 ? matchOne(EMPTY) : elements.some(matchOne);
  };
}

function compileOr(value: unknown, path: string): Array<(node: unknown) => boolean> {
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidEventPatternError(path, '"$or" takes an array of at least two pattern objects');
  }
  return value.map((branch, i) => compileObject(branch, `${path}[${i}]`));
}

function compileLeaf(values: readonly unknown[], path: string): (node: unknown) => boolean {
  if (values.length === 0) {
    throw new InvalidEventPatternError(path, 'must list at least one value; an empty array matches nothing');
  }
  const predicates: Predicate[] = [];
  let whenPresent = false;
  let whenAbsent = false;
  values.forEach((value, i) => {
    const at = `${path}[${i}]`;
    if (isScalar(value)) {
      if (typeof value === 'number') requireFinite(value, at);
      predicates.push((leaf) => leaf === value);
    } else if (isPlainObject(value)) {
      const operator = compileOperator(value, at);
      if (typeof operator === 'function') predicates.push(operator);
      else if (operator.exists) whenPresent = true;
      else whenAbsent = true;
    } else {
      throw new InvalidEventPatternError(
        at,
        'must be a string, number, boolean, null or a matcher object such as {"prefix": "..."}',
      );
    }
  });
  return (node) => {
    const leaves = leavesOf(node);
    if (leaves.length === 0) return whenAbsent;
    if (whenPresent) return true;
    return leaves.some((leaf) => predicates.some((predicate) => predicate(leaf)));
  };
}

function compileOperator(
  spec: Readonly<Record<string, unknown>>,
  path: string,
): Predicate | { exists: boolean } {
  const keys = Object.keys(spec);
  const [op] = keys;
  if (keys.length !== 1 || op === undefined) {
    throw new InvalidEventPatternError(
      path,
      `a matcher object takes exactly one operator, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
  }
  const arg = spec[op];
  const at = `${path}.${op}`;
  switch (op) {
    case 'exists':
      if (typeof arg !== 'boolean') throw new InvalidEventPatternError(at, 'takes true or false');
      return { exists: arg };
    case 'prefix':
      return compileAffix(arg, at, (s, p) => s.startsWith(p));
    case 'suffix':
      return compileAffix(arg, at, (s, p) => s.endsWith(p));
    case 'equals-ignore-case': {
      const expected = fold(requireString(arg, at));
      return (leaf) => typeof leaf === 'string' && fold(leaf) === expected;
    }
    case 'wildcard':
      return compileWildcard(requireString(arg, at), at);
    case 'numeric':
      return compileNumeric(arg, at);
    case 'anything-but':
      return compileAnythingBut(arg, at);
    case 'cidr':
      return compileCidr(requireString(arg, at), at);
    default:
      throw new InvalidEventPatternError(at, `unknown operator; use one of ${OPERATORS.join(', ')}`);
  }
}

/** `prefix` / `suffix`, each also in its `{ "equals-ignore-case": ... }` form. */
function compileAffix(
  arg: unknown,
  path: string,
  test: (value: string, affix: string) => boolean,
): Predicate {
  if (typeof arg === 'string') return (leaf) => typeof leaf === 'string' && test(leaf, arg);
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      const affix = fold(requireString(arg['equals-ignore-case'], `${path}.equals-ignore-case`));
      return (leaf) => typeof leaf === 'string' && test(fold(leaf), affix);
    }
  }
  throw new InvalidEventPatternError(path, 'takes a string or {"equals-ignore-case": "<string>"}');
}

function compileWildcard(expression: string, path: string): Predicate {
  let source = '';
  let previousWasStar = false;
  for (let i = 0; i < expression.length; i++) {
    const char = expression[i] as string;
    if (char === '\\') {
      const next = expression[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(path, 'a backslash may only escape "*" or "\\"');
      }
      source += escapeRegExp(next);
      previousWasStar = false;
      i++;
    } else if (char === '*') {
      if (previousWasStar) {
        throw new InvalidEventPatternError(path, 'consecutive wildcard characters are not allowed');
      }
      source += '.*';
      previousWasStar = true;
    } else {
      source += escapeRegExp(char);
      previousWasStar = false;
    }
  }
  const regExp = new RegExp(`^${source}$`, 'su');
  return (leaf) => typeof leaf === 'string' && regExp.test(leaf);
}

type Comparison = '=' | '<' | '<=' | '>' | '>=';
const COMPARISONS: ReadonlySet<string> = new Set(['=', '<', '<=', '>', '>=']);

function compileNumeric(arg: unknown, path: string): Predicate {
  const usage = 'takes ["<op>", <number>] or a range such as [">", 0, "<=", 5]; ops are =, <, <=, >, >=';
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    throw new InvalidEventPatternError(path, usage);
  }
  const bounds: Array<[Comparison, number]> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const value = arg[i + 1];
    if (typeof op !== 'string' || !COMPARISONS.has(op) || typeof value !== 'number') {
      throw new InvalidEventPatternError(path, usage);
    }
    requireFinite(value, path);
    bounds.push([op as Comparison, value]);
  }
  if (bounds.length === 2) {
    const [[op1, v1], [op2, v2]] = bounds as [[Comparison, number], [Comparison, number]];
    const lower = op1.startsWith('>') ? v1 : op2.startsWith('>') ? v2 : undefined;
    const upper = op1.startsWith('<') ? v1 : op2.startsWith('<') ? v2 : undefined;
    if (lower === undefined || upper === undefined) {
      throw new InvalidEventPatternError(
        path,
        'a range needs one lower bound (> or >=) and one upper (< or <=)',
      );
    }
    if (lower >= upper) throw new InvalidEventPatternError(path, 'the lower bound must be below the upper');
  }
  return (leaf) => typeof leaf === 'number' && bounds.every(([op, bound]) => compare(leaf, op, bound));
}

function compare(value: number, op: Comparison, bound: number): boolean {
  switch (op) {
    case '=':
      return value === bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

function compileAnythingBut(arg: unknown, path: string): Predicate {
  if (typeof arg === 'string') return (leaf) => leaf !== arg;
  if (typeof arg === 'number') {
    requireFinite(arg, path);
    return (leaf) => leaf !== arg;
  }
  if (Array.isArray(arg)) {
    const allStrings = arg.every((v) => typeof v === 'string');
    const allNumbers = arg.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (arg.length === 0 || !(allStrings || allNumbers)) {
      throw new InvalidEventPatternError(path, 'takes a non-empty list of only strings or only numbers');
    }
    const excluded = new Set<unknown>(arg);
    return (leaf) => !excluded.has(leaf);
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const [op] = keys;
    if (
      keys.length === 1 &&
      (op === 'prefix' || op === 'suffix' || op === 'equals-ignore-case' || op === 'wildcard')
    ) {
      const at = `${path}.${op}`;
      const raw = arg[op];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0)
        throw new InvalidEventPatternError(at, 'takes a string or a non-empty list of strings');
      const positives = values.map((value, i) => {
        const s = requireString(value, Array.isArray(raw) ? `${at}[${i}]` : at);
        if (op === 'prefix') return compileAffix(s, at, (v, p) => v.startsWith(p));
        if (op === 'suffix') return compileAffix(s, at, (v, p) => v.endsWith(p));
        if (op === 'wildcard') return compileWildcard(s, at);
        const expected = fold(s);
        return (leaf: unknown) => typeof leaf === 'string' && fold(leaf) === expected;
      });
      return (leaf) => !positives.some((positive) => positive(leaf));
    }
  }
  throw new InvalidEventPatternError(
    path,
    'takes a string, a number, a list of either, or one of {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}',
  );
}

/** IPv4 only: Vitrine matches no addresses today, and IPv6 would double this code for no user. */
function compileCidr(block: string, path: string): Predicate {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(block);
  const base = match ? ipv4ToInt(match[1] as string) : undefined;
  const bits = match ? Number(match[2]) : Number.NaN;
  if (base === undefined || !(bits >= 0 && bits <= 32)) {
    throw new InvalidEventPatternError(
      path,
      'takes an IPv4 CIDR block such as "10.0.0.0/24" (IPv6 is not supported locally)',
    );
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (base & mask) >>> 0;
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    const address = ipv4ToInt(leaf);
    return address !== undefined && (address & mask) >>> 0 === network;
  };
}

function ipv4ToInt(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let result = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    result = result * 256 + Number(part);
  }
  return result;
}

/** The leaf values at one field: arrays are flattened, objects are not leaves. */
function leavesOf(node: unknown): Scalar[] {
  if (node === undefined) return [];
  if (Array.isArray(node)) return node.flat(Number.POSITIVE_INFINITY).filter(isScalar);
  return isScalar(node) ? [node] : [];
}

/** Own properties only: a field named "constructor" must not find Object's prototype. */
function field(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new InvalidEventPatternError(path, 'takes a string');
  return value;
}

function requireFinite(value: number, path: string): void {
  if (!Number.isFinite(value)) throw new InvalidEventPatternError(path, 'numbers must be finite');
}

function fold(value: string): string {
  return value.toLowerCase();
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
