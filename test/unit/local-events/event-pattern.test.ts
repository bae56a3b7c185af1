import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../lib/runtime/local/events/event-pattern.ts';

/** EventBridge's own sample event, used across the docs and Event Ruler's README. */
const ec2Event = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
    eventVersion: '',
    responseElements: null,
    enabled: true,
    tags: ['luxury', 'watch'],
    nested: { deeper: { level: 3 } },
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  },
};

const matches = (pattern: EventPattern, event: unknown = ec2Event) => matchesPattern(pattern, event);

describe('matchesPattern', () => {
  describe('exact values', () => {
    it('matches when every field matches (AND) and any listed value matches (OR)', () => {
      expect(matches({ source: ['aws.ec2'], detail: { state: ['initializing', 'running'] } })).toBe(true);
      expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } })).toBe(false);
      expect(matches({ source: ['aws.s3'], detail: { state: ['running'] } })).toBe(false);
    });

    it('ignores fields the pattern does not mention', () => {
      expect(matches({ 'detail-type': ['EC2 Instance State-change Notification'] })).toBe(true);
    });

    it('matches nested objects at any depth', () => {
      expect(matches({ detail: { nested: { deeper: { level: [3] } } } })).toBe(true);
      expect(matches({ detail: { nested: { deeper: { level: [4] } } } })).toBe(false);
    });

    it('is case-sensitive and type-strict', () => {
      expect(matches({ source: ['AWS.EC2'] })).toBe(false);
      expect(matches({ detail: { 'c-count': ['5'] } })).toBe(false);
      expect(matches({ detail: { 'c-count': [5] } })).toBe(true);
      expect(matches({ detail: { enabled: [true] } })).toBe(true);
      expect(matches({ detail: { enabled: ['true'] } })).toBe(false);
    });

    it('compares numbers by value, so 3.018e2 equals 301.8', () => {
      expect(matches({ detail: { 'x-limit': [3.018e2] } })).toBe(true);
    });

    it('tells null and the empty string apart', () => {
      expect(matches({ detail: { eventVersion: [''] } })).toBe(true);
      expect(matches({ detail: { eventVersion: [null] } })).toBe(false);
      expect(matches({ detail: { responseElements: [null] } })).toBe(true);
      expect(matches({ detail: { responseElements: [''] } })).toBe(false);
    });

    it('never matches a value against a missing field', () => {
      expect(matches({ detail: { missing: ['x'] } })).toBe(false);
      expect(matches({ nowhere: { missing: ['x'] } })).toBe(false);
    });

    it('does not treat an object-valued field as a value', () => {
      expect(matches({ detail: { nested: ['x'] } })).toBe(false);
    });
  });

  describe('array-valued fields', () => {
    it('matches when the event array and the pattern values intersect', () => {
      expect(matches({ detail: { tags: ['watch'] } })).toBe(true);
      expect(matches({ detail: { tags: ['bag', 'luxury'] } })).toBe(true);
      expect(matches({ detail: { tags: ['bag'] } })).toBe(false);
      expect(matches({ resources: [{ prefix: 'arn:aws:ec2:' }] })).toBe(true);
    });

    it('applies a nested pattern to each element of an array of objects', () => {
      expect(matches({ detail: { employees: { firstName: ['Anna'] } } })).toBe(true);
      expect(matches({ detail: { employees: { firstName: ['Zoe'] } } })).toBe(false);
    });

    it('requires the fields of one nested pattern to come from the same element', () => {
      expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } })).toBe(true);
      expect(matches({ detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } })).toBe(false);
    });

    it('flattens nested arrays', () => {
      expect(matches({ a: [3] }, { a: [[1, 2], [3]] })).toBe(true);
      expect(matches({ a: { b: ['x'] } }, { a: [[{ b: 'y' }], [{ b: 'x' }]] })).toBe(true);
    });

    it('treats an empty array like an absent field', () => {
      expect(matches({ a: [{ exists: false }] }, { a: [] })).toBe(true);
      expect(matches({ a: [{ exists: true }] }, { a: [] })).toBe(false);
      expect(matches({ a: { b: [{ exists: false }] } }, { a: [] })).toBe(true);
    });
  });

  describe('prefix and suffix', () => {
    it('matches string prefixes', () => {
      expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(true);
      expect(matches({ time: [{ prefix: '2017-10-03' }] })).toBe(false);
    });

    it('matches string suffixes', () => {
      expect(matches({ source: [{ suffix: 'ec2' }] })).toBe(true);
      expect(matches({ source: [{ suffix: 'EC2' }] })).toBe(false);
    });

    it('takes equals-ignore-case inside prefix and suffix', () => {
      expect(matches({ source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] })).toBe(true);
      expect(matches({ source: [{ suffix: { 'equals-ignore-case': '.EC2' } }] })).toBe(true);
      expect(matches({ source: [{ suffix: { 'equals-ignore-case': '.S3' } }] })).toBe(false);
    });

    it('only applies to strings', () => {
      expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } })).toBe(false);
      expect(matches({ detail: { 'c-count': [{ suffix: '5' }] } })).toBe(false);
    });

    it('works on DynamoDB stream records, as Lambda filter criteria do', () => {
      const record = {
        eventName: 'INSERT',
        dynamodb: { Keys: { pk: { S: 'OUTBOX#01HZX' }, sk: { S: 'OUTBOX' } } },
      };
      const outboxFilter = {
        eventName: ['INSERT'],
        dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } },
      };
      expect(matches(outboxFilter, record)).toBe(true);
      expect(matches(outboxFilter, { ...record, eventName: 'REMOVE' })).toBe(false);
      expect(matches(outboxFilter, { ...record, dynamodb: { Keys: { pk: { S: 'PRODUCT#1' } } } })).toBe(
        false,
      );
    });
  });

  describe('equals-ignore-case', () => {
    it('matches regardless of case, strings only', () => {
      expect(matches({ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } })).toBe(true);
      expect(matches({ detail: { state: [{ 'equals-ignore-case': 'RUN' }] } })).toBe(false);
      expect(matches({ detail: { 'c-count': [{ 'equals-ignore-case': '5' }] } })).toBe(false);
    });
  });

  describe('wildcard', () => {
    it('matches * as any run of characters', () => {
      expect(matches({ 'detail-type': [{ wildcard: 'EC2*Notification' }] })).toBe(true);
      expect(matches({ 'detail-type': [{ wildcard: '*State-change*' }] })).toBe(true);
      expect(matches({ 'detail-type': [{ wildcard: 'EC2*Alarm' }] })).toBe(false);
      expect(matches({ a: [{ wildcard: 'a*b' }] }, { a: 'ab' })).toBe(true);
    });

    it('escapes * and \\ with a backslash and treats regex characters literally', () => {
      expect(matches({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' })).toBe(true);
      expect(matches({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axb' })).toBe(false);
      expect(matches({ a: [{ wildcard: 'a\\\\b' }] }, { a: 'a\\b' })).toBe(true);
      expect(matches({ a: [{ wildcard: 'a.c*' }] }, { a: 'abc' })).toBe(false);
      expect(matches({ a: [{ wildcard: 'a.c*' }] }, { a: 'a.cd' })).toBe(true);
      expect(matches({ a: [{ wildcard: '(x)+' }] }, { a: '(x)+' })).toBe(true);
    });

    it('lets * cross line breaks', () => {
      expect(matches({ a: [{ wildcard: 'a*b' }] }, { a: 'a\nb' })).toBe(true);
    });
  });

  describe('anything-but', () => {
    it('excludes one string or number', () => {
      expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
      expect(matches({ detail: { state: [{ 'anything-but': 'running' }] } })).toBe(false);
      expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } })).toBe(true);
      expect(matches({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } })).toBe(false);
    });

    it('excludes a list', () => {
      expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } })).toBe(true);
      expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } })).toBe(false);
      expect(matches({ detail: { 'd-count': [{ 'anything-but': [1, 2, 3] }] } })).toBe(false);
    });

    it('excludes by prefix, suffix, case-insensitive value and wildcard', () => {
      expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBe(true);
      expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } })).toBe(false);
      expect(matches({ detail: { state: [{ 'anything-but': { suffix: 'ing' } }] } })).toBe(false);
      expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } })).toBe(
        false,
      );
      expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['A', 'B'] } }] } })).toBe(
        true,
      );
      expect(matches({ detail: { state: [{ 'anything-but': { wildcard: 'r*g' } }] } })).toBe(false);
      expect(matches({ detail: { state: [{ 'anything-but': { prefix: ['x', 'ru'] } }] } })).toBe(false);
    });

    it('never matches a missing field', () => {
      expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
    });

    it('matches an array field when any element is not excluded', () => {
      expect(matches({ detail: { tags: [{ 'anything-but': 'luxury' }] } })).toBe(true);
      expect(matches({ detail: { tags: [{ 'anything-but': ['luxury', 'watch'] }] } })).toBe(false);
    });
  });

  describe('numeric', () => {
    it('compares with =, <, <=, >, >=', () => {
      expect(matches({ detail: { 'c-count': [{ numeric: ['=', 5] }] } })).toBe(true);
      expect(matches({ detail: { 'c-count': [{ numeric: ['<', 5] }] } })).toBe(false);
      expect(matches({ detail: { 'c-count': [{ numeric: ['<=', 5] }] } })).toBe(true);
      expect(matches({ detail: { 'c-count': [{ numeric: ['>', 4.99] }] } })).toBe(true);
      expect(matches({ detail: { 'c-count': [{ numeric: ['>=', 6] }] } })).toBe(false);
    });

    it('matches ranges', () => {
      expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } })).toBe(true);
      expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } })).toBe(false);
      expect(matches({ detail: { 'c-count': [{ numeric: ['<=', 5, '>', 0] }] } })).toBe(true);
    });

    it('only applies to JSON numbers', () => {
      expect(matches({ a: [{ numeric: ['>', 0] }] }, { a: '5' })).toBe(false);
      expect(matches({ a: [{ numeric: ['>', 0] }] }, { a: true })).toBe(false);
      expect(matches({ a: [{ numeric: ['>', 0] }] }, { a: [-1, 7] })).toBe(true);
    });
  });

  describe('exists', () => {
    it('matches present and absent leaves', () => {
      expect(matches({ detail: { 'c-count': [{ exists: true }] } })).toBe(true);
      expect(matches({ detail: { 'c-count': [{ exists: false }] } })).toBe(false);
      expect(matches({ detail: { missing: [{ exists: false }] } })).toBe(true);
      expect(matches({ detail: { missing: [{ exists: true }] } })).toBe(false);
      expect(matches({ nowhere: { missing: [{ exists: false }] } })).toBe(true);
    });

    it('counts null as present', () => {
      expect(matches({ detail: { responseElements: [{ exists: true }] } })).toBe(true);
    });

    it('only sees leaves: an object-valued field counts as absent', () => {
      expect(matches({ detail: { nested: [{ exists: false }] } })).toBe(true);
      expect(matches({ detail: { nested: [{ exists: true }] } })).toBe(false);
    });

    it('is ORed with the other values of the same field', () => {
      expect(matches({ detail: { missing: ['x', { exists: false }] } })).toBe(true);
      expect(matches({ detail: { state: ['x', { exists: false }] } })).toBe(false);
    });
  });

  describe('cidr', () => {
    it('matches IPv4 addresses inside the block', () => {
      expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } })).toBe(true);
      expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } })).toBe(false);
      expect(matches({ detail: { 'source-ip': [{ cidr: '0.0.0.0/0' }] } })).toBe(true);
      expect(matches({ detail: { state: [{ cidr: '0.0.0.0/0' }] } })).toBe(false);
    });
  });

  describe('$or', () => {
    it('matches when any branch matches, ANDed with the sibling fields', () => {
      const pattern = {
        source: ['aws.ec2'],
        $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [{ numeric: ['>', 1] }] } }],
      };
      expect(matches(pattern)).toBe(true);
      expect(matches({ ...pattern, source: ['aws.s3'] })).toBe(false);
      expect(
        matches({
          $or: [{ detail: { state: ['stopped'] } }, { detail: { 'c-count': [{ numeric: ['>', 9] }] } }],
        }),
      ).toBe(false);
    });

    it('works nested inside an object and inside another $or', () => {
      expect(matches({ detail: { $or: [{ state: ['running'] }, { 'c-count': [0] }] } })).toBe(true);
      expect(
        matches({
          $or: [
            { source: ['nope'] },
            { region: ['us-east-1'], $or: [{ detail: { state: ['x'] } }, { detail: { 'd-count': [3] } }] },
          ],
        }),
      ).toBe(true);
    });

    it('keeps parallel $or groups independent', () => {
      const pattern = {
        $or: [{ source: ['aws.ec2'] }, { source: ['aws.s3'] }],
        detail: { $or: [{ state: ['stopped'] }, { 'd-count': [3] }] },
      };
      expect(matches(pattern)).toBe(true);
      expect(matches({ ...pattern, detail: { $or: [{ state: ['stopped'] }, { 'd-count': [4] }] } })).toBe(
        false,
      );
    });
  });

  it('reads own properties only, so prototype names are just field names', () => {
    expect(matches({ constructor: [{ exists: false }] }, {})).toBe(true);
    expect(matches({ toString: [{ exists: true }] }, {})).toBe(false);
  });

  it('matches a realistic Vitrine subscription pattern', () => {
    const event = {
      ...ec2Event,
      source: 'vitrine.commerce',
      'detail-type': 'OrderPlaced',
      detail: { data: { orderId: 'o-1', status: 'PAID', total: { amount: 125000 } }, metadata: {} },
    };
    const pattern = {
      source: ['vitrine.commerce'],
      'detail-type': ['OrderPlaced', 'OrderCancelled'],
      detail: { data: { status: ['PAID'], total: { amount: [{ numeric: ['>=', 100000] }] } } },
    };
    expect(matches(pattern, event)).toBe(true);
  });
});

describe('validatePattern', () => {
  const invalid: Array<[string, unknown, RegExp]> = [
    ['a non-object pattern', ['x'], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['an empty pattern', {}, /must not be an empty object/],
    ['an empty nested object', { detail: {} }, /detail: must not be an empty object/],
    [
      'a bare scalar value',
      { source: 'aws.ec2' },
      /source: must be an array of values \(e\.g\. \["aws\.ec2"\]\)/,
    ],
    ['an undefined value', { source: undefined }, /source: must be an array/],
    ['an empty value list', { source: [] }, /source: must list at least one value/],
    ['a nested array value', { source: [['a']] }, /source\[0\]: must be a string/],
    ['an unknown operator', { a: [{ contains: 'x' }] }, /a\[0\]\.contains: unknown operator/],
    [
      'two operators in one object',
      { a: [{ prefix: 'x', suffix: 'y' }] },
      /exactly one operator, got prefix, suffix/,
    ],
    ['an empty matcher object', { a: [{}] }, /exactly one operator, got none/],
    ['a non-string prefix', { a: [{ prefix: 1 }] }, /a\[0\]\.prefix: takes a string/],
    ['a prefix object with another key', { a: [{ prefix: { wildcard: 'x' } }] }, /equals-ignore-case/],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }, /exists: takes true or false/],
    ['a numeric without operator pairs', { a: [{ numeric: [5] }] }, /numeric: takes/],
    ['an unknown numeric operator', { a: [{ numeric: ['!=', 5] }] }, /numeric: takes/],
    ['a numeric string bound', { a: [{ numeric: ['>', '5'] }] }, /numeric: takes/],
    ['two lower bounds', { a: [{ numeric: ['>', 0, '>=', 5] }] }, /one lower bound/],
    ['an inverted range', { a: [{ numeric: ['>', 5, '<', 1] }] }, /lower bound must be below/],
    ['= in a range', { a: [{ numeric: ['=', 5, '<', 9] }] }, /one lower bound/],
    ['an infinite number', { a: [Number.POSITIVE_INFINITY] }, /must be finite/],
    ['a mixed anything-but list', { a: [{ 'anything-but': ['x', 1] }] }, /only strings or only numbers/],
    ['an empty anything-but list', { a: [{ 'anything-but': [] }] }, /non-empty list/],
    ['anything-but with a boolean', { a: [{ 'anything-but': true }] }, /anything-but: takes/],
    ['anything-but numeric', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, /anything-but: takes/],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, /consecutive wildcard/],
    ['a bad wildcard escape', { a: [{ wildcard: 'a\\b' }] }, /backslash may only escape/],
    ['a trailing backslash', { a: [{ wildcard: 'a\\' }] }, /backslash may only escape/],
    ['an IPv6 cidr', { a: [{ cidr: '2001:db8::/32' }] }, /IPv4 CIDR/],
    ['a cidr with a bad mask', { a: [{ cidr: '10.0.0.0/33' }] }, /IPv4 CIDR/],
    ['a single-branch $or', { $or: [{ a: ['x'] }] }, /\$or: "\$or" takes an array of at least two/],
    ['an $or object', { $or: { a: ['x'] } }, /at least two pattern objects/],
    [
      'an $or branch that is not an object',
      { $or: [{ a: ['x'] }, ['y']] },
      /\$or\[1\]: must be a JSON object/,
    ],
  ];

  it.each(invalid)('rejects %s with the path and the reason', (_, pattern, message) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
    expect(() => validatePattern(pattern)).toThrow(message);
  });

  it('reports the full path of a deep mistake', () => {
    try {
      validatePattern({ detail: { data: { total: { amount: [{ numeric: ['>'] }] } } } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventPatternError);
      expect((error as InvalidEventPatternError).path).toBe('detail.data.total.amount[0].numeric');
    }
  });

  it('accepts every operator in its documented forms', () => {
    expect(() =>
      validatePattern({
        source: ['a', 1, true, null, ''],
        a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'x' } }, { suffix: 'y' }],
        b: [{ suffix: { 'equals-ignore-case': 'y' } }, { 'equals-ignore-case': 'z' }, { wildcard: 'a*b\\*' }],
        c: [
          { 'anything-but': 'x' },
          { 'anything-but': 1 },
          { 'anything-but': ['x', 'y'] },
          { 'anything-but': [1, 2] },
        ],
        d: [{ 'anything-but': { prefix: 'p' } }, { 'anything-but': { suffix: ['s'] } }],
        e: [
          { numeric: ['=', 0] },
          { numeric: ['>=', -1.5, '<', 2e9] },
          { exists: true },
          { cidr: '10.0.0.0/8' },
        ],
        $or: [{ f: ['x'] }, { g: { h: ['y'] } }],
      }),
    ).not.toThrow();
  });

  it('compiles each pattern object once', () => {
    const pattern = { source: ['x'] };
    expect(compilePattern(pattern)).toBe(compilePattern(pattern));
  });
});

describe('matchesPattern properties', () => {
  const scalar = fc.oneof(
    fc.constantFrom('a', 'b', 'A', '', 'ab'),
    fc.integer({ min: -3, max: 3 }),
    fc.boolean(),
    fc.constant(null),
  );
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '*', '\\', '.'), maxLength: 5 });

  it('{x: [v]} matches exactly the events whose x is v', () => {
    fc.assert(
      fc.property(scalar, scalar, (v, w) => {
        expect(matches({ x: [v] }, { x: w })).toBe(w === v);
      }),
    );
  });

  it('a value list is the OR of its values', () => {
    fc.assert(
      fc.property(fc.array(scalar, { minLength: 1, maxLength: 4 }), scalar, (values, w) => {
        expect(matches({ x: values }, { x: w })).toBe(values.some((v) => matches({ x: [v] }, { x: w })));
      }),
    );
  });

  it('an array-valued field matches iff some element matches', () => {
    fc.assert(
      fc.property(scalar, fc.array(scalar, { maxLength: 4 }), (v, elements) => {
        expect(matches({ x: [v] }, { x: elements })).toBe(elements.includes(v));
      }),
    );
  });

  it('anything-but is the complement of exact match on present values', () => {
    const excluded = fc.oneof(fc.constantFrom('a', 'b', ''), fc.integer({ min: -3, max: 3 }));
    fc.assert(
      fc.property(excluded, scalar, (v, w) => {
        expect(matches({ x: [{ 'anything-but': v }] }, { x: w })).toBe(!matches({ x: [v] }, { x: w }));
      }),
    );
  });

  it('anything-but prefix is the complement of prefix on strings', () => {
    fc.assert(
      fc.property(word, word, (p, s) => {
        expect(matches({ x: [{ 'anything-but': { prefix: p } }] }, { x: s })).toBe(
          !matches({ x: [{ prefix: p }] }, { x: s }),
        );
      }),
    );
  });

  it('prefix, suffix and equals-ignore-case agree with the string functions', () => {
    fc.assert(
      fc.property(word, word, (p, s) => {
        expect(matches({ x: [{ prefix: p }] }, { x: s })).toBe(s.startsWith(p));
        expect(matches({ x: [{ suffix: p }] }, { x: s })).toBe(s.endsWith(p));
        expect(matches({ x: [{ 'equals-ignore-case': p }] }, { x: s })).toBe(
          p.toLowerCase() === s.toLowerCase(),
        );
      }),
    );
  });

  it('a wildcard without * is an exact match of the unescaped text', () => {
    const plain = fc.string({ unit: fc.constantFrom('a', 'b', '.', '(', '$'), maxLength: 5 });
    fc.assert(
      fc.property(plain, plain, (p, s) => {
        expect(matches({ x: [{ wildcard: p }] }, { x: s })).toBe(p === s);
      }),
    );
  });

  it('a numeric range is the conjunction of its bounds', () => {
    const n = fc.integer({ min: -10, max: 10 });
    fc.assert(
      fc.property(n, n, n, (a, b, value) => {
        fc.pre(a < b);
        expect(matches({ x: [{ numeric: ['>', a, '<=', b] }] }, { x: value })).toBe(value > a && value <= b);
        expect(matches({ x: [{ numeric: ['>=', a, '<', b] }] }, { x: value })).toBe(value >= a && value < b);
      }),
    );
  });

  it('exists true and exists false are complements', () => {
    const node = fc.oneof(
      fc.constant(undefined),
      scalar,
      fc.array(scalar, { maxLength: 2 }),
      fc.constant({ y: 1 }),
    );
    fc.assert(
      fc.property(node, (value) => {
        const event = value === undefined ? {} : { x: value };
        expect(matches({ x: [{ exists: true }] }, event)).toBe(!matches({ x: [{ exists: false }] }, event));
      }),
    );
  });

  // Random small patterns over a small field set, so that matches and misses both happen often.
  const fieldNames = fc.constantFrom('a', 'b', 'c');
  const condition = fc.oneof(
    scalar,
    fc.record({ prefix: fc.constantFrom('a', 'b', '') }),
    fc.record({ 'anything-but': fc.constantFrom('a', 'b') }),
    fc.record({ numeric: fc.constantFrom(['>', 0], ['<=', 1], ['>=', -1, '<', 2]) }),
    fc.record({ exists: fc.boolean() }),
  );
  const leafPattern = fc.dictionary(fieldNames, fc.array(condition, { minLength: 1, maxLength: 3 }), {
    minKeys: 1,
    maxKeys: 2,
  });
  const pattern: fc.Arbitrary<EventPattern> = fc.oneof(
    leafPattern,
    fc.record({ n: leafPattern }),
    fc.tuple(leafPattern, fc.record({ n: leafPattern })).map(([a, b]) => ({ ...a, ...b })),
  );
  const eventValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }));
  const flatEvent = fc.dictionary(fieldNames, eventValue, { maxKeys: 3 });
  const event = fc
    .tuple(flatEvent, fc.option(flatEvent, { nil: undefined }))
    .map(([top, n]) => (n === undefined ? top : { ...top, n }));

  it('accepts every generated pattern', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        expect(() => validatePattern(p)).not.toThrow();
      }),
    );
  });

  it('$or equals the OR of its branches', () => {
    fc.assert(
      fc.property(pattern, pattern, event, (p, q, e) => {
        expect(matches({ $or: [p, q] }, e)).toBe(matches(p, e) || matches(q, e));
      }),
    );
  });

  it('$or beside other fields is ANDed with them', () => {
    fc.assert(
      fc.property(leafPattern, pattern, pattern, event, (base, p, q, e) => {
        expect(matches({ ...base, $or: [p, q] }, e)).toBe(
          matches(base, e) && (matches(p, e) || matches(q, e)),
        );
      }),
    );
  });

  it('fields of one pattern are ANDed', () => {
    fc.assert(
      fc.property(leafPattern, leafPattern, event, (p, q, e) => {
        const merged = { ...p, ...q };
        const expected = Object.keys(merged).every((key) =>
          matches({ [key]: merged[key] } as EventPattern, e),
        );
        expect(matches(merged, e)).toBe(expected);
      }),
    );
  });
});
