import { randomUUID } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, describe, expect, it } from 'vitest';
import { indexTemplate, searchRequestBody } from '../../lib/adapters/opensearch/opensearch-requests.ts';
import { OpenSearchIndex } from '../../lib/adapters/opensearch/opensearch-search-index.ts';
import { searchQuery } from '../support/search-fixtures.ts';
import { describeSearchIndexContract } from './search-index.contract.ts';

const url = process.env.OPENSEARCH_URL;

// The contract needs a cluster; the request builders below are checked on every run regardless.
if (url) {
  const client = new Client({ node: url });
  const run = `vitrine-contract-${randomUUID().slice(0, 8)}`;
  const aliases: string[] = [];

  describeSearchIndexContract('OpenSearchIndex', async () => {
    const alias = `${run}-${aliases.length}`;
    aliases.push(alias);
    const index = new OpenSearchIndex(client, alias, { refresh: 'wait_for', replicas: 0 });
    await index.ensureIndex();
    return index;
  });

  afterAll(async () => {
    await client.indices.delete({ index: `${run}-*` });
    for (const alias of aliases) await client.indices.deleteIndexTemplate({ name: `${alias}-template` });
  });
}

/** Every field a request body names: query keys, `field`, `fields`, sorts and _source. */
function referencedFields(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) referencedFields(item, out);
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node)) {
    // A query names its field as the key; an aggregation of the same name has a `field` property.
    const isQuery =
      ['term', 'terms', 'range', 'match_phrase'].includes(key) && !('field' in (value as object));
    if (isQuery) {
      for (const field of Object.keys(value as object)) out.add(field);
    } else if (key === 'field' && typeof value === 'string') {
      out.add(value);
    } else if (key === 'fields' && Array.isArray(value)) {
      for (const field of value as string[]) out.add(field.replace(/\^.*$/, ''));
    } else if ((key === 'sort' || key === '_source') && Array.isArray(value)) {
      for (const entry of value) {
        for (const field of typeof entry === 'string' ? [entry] : Object.keys(entry)) {
          if (field !== '_score') out.add(field);
        }
      }
      continue;
    }
    referencedFields(value, out);
  }
  return out;
}

/** The field paths a mapping defines, subfields and object properties included. */
function mappedFields(properties: Record<string, unknown>, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [name, definition] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    const def = definition as { properties?: Record<string, unknown>; fields?: Record<string, unknown> };
    if (def.properties) {
      for (const nested of mappedFields(def.properties, `${path}.`)) out.add(nested);
      continue;
    }
    out.add(path);
    for (const sub of Object.keys(def.fields ?? {})) out.add(`${path}.${sub}`);
  }
  return out;
}

describe('OpenSearchIndex requests', () => {
  const template = indexTemplate('vitrine-products');
  const mapped = mappedFields(template.template.mappings.properties);

  it('queries, filters, aggregates and sorts only on fields the template maps', () => {
    const body = searchRequestBody(
      searchQuery({
        market: 'JP',
        q: 'diamnod ring',
        maison: ['maison-aubert'],
        category: ['rings'],
        collection: ['aubert-etoile'],
        material: ['platinum'],
        priceMin: 100_000,
        priceMax: 5_000_000,
        inStock: true,
        sort: 'price_asc',
      }),
    );

    const referenced = [...referencedFields(body)];

    expect(referenced).toEqual(
      expect.arrayContaining([
        'name',
        'story',
        'maisonId',
        'materials.keyword',
        'prices.JP',
        'inStockMarkets',
      ]),
    );
    expect(referenced.filter((field) => !mapped.has(field))).toEqual([]);
  });

  it('analyzes every text field with an analyzer the template defines', () => {
    const analyzers = Object.keys(template.template.settings.analysis.analyzer);
    const used = Object.values(template.template.mappings.properties)
      .map((def) => (def as { analyzer?: string }).analyzer)
      .filter((a): a is string => a !== undefined);

    expect(used.length).toBeGreaterThan(0);
    expect(used.every((a) => analyzers.includes(a))).toBe(true);
  });
});
