import { beforeEach, describe, expect, it } from 'vitest';
import { type CatalogDeps, upsertProduct } from '../../../lib/catalog/use-cases.ts';
import { PreconditionFailedError, UnknownReferenceError, VersionConflictError } from '../../../lib/errors.ts';
import { maison, productInput } from '../../support/catalog-fixtures.ts';
import { FixedClock, fixtureTaxonomy, InMemoryProductRepository } from '../../support/fakes.ts';

describe('upsertProduct', () => {
  let products: InMemoryProductRepository;
  let deps: CatalogDeps;
  let clock: FixedClock;

  beforeEach(async () => {
    products = new InMemoryProductRepository();
    const taxonomy = await fixtureTaxonomy();
    clock = new FixedClock();
    deps = { products, taxonomy, clock };
  });

  const upsert = (overrides = {}, extra: { ifMatch?: number } = {}) =>
    upsertProduct(deps, {
      productId: 'etoile-polaire',
      input: productInput(overrides),
      correlationId: 'req-1',
      ...extra,
    });

  it('creates a product at version 1 with denormalized references and one ProductUpserted event', async () => {
    const outcome = await upsert();

    expect(outcome).toMatchObject({ created: true, changed: true });
    expect(outcome.product).toMatchObject({
      version: 1,
      maison: { id: 'maison-aurele', name: 'Maison Aurèle' },
      collection: { id: 'constellation', name: 'Constellation' },
      inStockMarkets: [],
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    expect(products.events).toHaveLength(1);
    expect(products.events[0]?.definition.detailType).toBe('ProductUpserted');
    expect(products.events[0]?.metadata).toMatchObject({
      eventId: 'product:etoile-polaire:v1',
      correlationId: 'req-1',
    });
  });

  it('writes nothing and raises no event when the same body is sent again', async () => {
    await upsert();
    clock.advance(60_000);
    const replay = await upsert();

    expect(replay).toMatchObject({ created: false, changed: false });
    expect(replay.product.version).toBe(1);
    expect(products.events).toHaveLength(1);
  });

  it('replaces the content, keeps createdAt and stock, and bumps the version', async () => {
    await upsert();
    const stored = products.items.get('etoile-polaire');
    if (stored) stored.inStockMarkets = ['FR'];
    clock.advance(60_000);
    const outcome = await upsert({ name: 'Étoile Polaire solitaire' });

    expect(outcome.product).toMatchObject({
      version: 2,
      name: 'Étoile Polaire solitaire',
      createdAt: '2026-03-01T10:00:00.000Z',
      updatedAt: '2026-03-01T10:01:00.000Z',
      inStockMarkets: ['FR'],
    });
  });

  it('rejects unknown maisons, categories and collections of another maison', async () => {
    await expect(upsert({ maisonId: 'nobody' })).rejects.toBeInstanceOf(UnknownReferenceError);
    await expect(upsert({ categoryId: 'nothing' })).rejects.toBeInstanceOf(UnknownReferenceError);
    await deps.taxonomy.putMaison({ ...maison, maisonId: 'other-house' });
    await expect(upsert({ maisonId: 'other-house' })).rejects.toThrow(/has no collection constellation/);
  });

  it('honours If-Match: the current version passes, any other fails with 412', async () => {
    await expect(upsert({}, { ifMatch: 1 })).rejects.toBeInstanceOf(PreconditionFailedError);
    await upsert({}, { ifMatch: 0 });
    await expect(upsert({ name: 'Changed' }, { ifMatch: 0 })).rejects.toBeInstanceOf(PreconditionFailedError);
    const outcome = await upsert({ name: 'Changed' }, { ifMatch: 1 });
    expect(outcome.product.version).toBe(2);
  });

  it('retries on a concurrent writer and gives up after five lost races', async () => {
    await upsert();
    let conflicts = 0;
    const save = products.save.bind(products);
    products.save = async (...args) => {
      if (conflicts++ < 2) throw new VersionConflictError('raced');
      return save(...args);
    };
    expect((await upsert({ name: 'Third time lucky' })).product.version).toBe(2);

    products.save = async () => {
      throw new VersionConflictError('always');
    };
    await expect(upsert({ name: 'Never' })).rejects.toBeInstanceOf(VersionConflictError);
  });
});
