import type { ProductListKey, ProductRepository, TaxonomyRepository } from '../../lib/catalog/ports.ts';
import type { Category, Collection, Maison, Product } from '../../lib/contracts/catalog.ts';
import { VersionConflictError } from '../../lib/errors.ts';
import type { Clock, DomainEvent } from '../../lib/platform/domain-event.ts';
import type { EventPublisher, OutboundEvent } from '../../lib/platform/event-publisher.ts';

export class FixedClock implements Clock {
  constructor(private current = new Date('2026-03-01T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class InMemoryProductRepository implements ProductRepository {
  readonly items = new Map<string, Product>();
  readonly events: DomainEvent[] = [];
  async get(id: string) {
    return this.items.get(id);
  }
  async listNewest(limit: number, after?: ProductListKey) {
    const key = (p: { createdAt: string; productId: string }) => `${p.createdAt}#${p.productId}`;
    return [...this.items.values()]
      .sort((a, b) => key(b).localeCompare(key(a)))
      .filter((p) => !after || key(p) < key(after))
      .slice(0, limit);
  }
  async save(product: Product, expectedVersion: number, events: readonly DomainEvent[]) {
    if ((this.items.get(product.productId)?.version ?? 0) !== expectedVersion)
      throw new VersionConflictError('raced');
    this.items.set(product.productId, structuredClone(product));
    this.events.push(...events);
  }
}

export class InMemoryTaxonomyRepository implements TaxonomyRepository {
  readonly maisons = new Map<string, Maison>();
  readonly collections = new Map<string, Collection>();
  readonly categories = new Map<string, Category>();
  async getMaison(id: string) {
    return this.maisons.get(id);
  }
  async getCollection(id: string) {
    return this.collections.get(id);
  }
  async getCategory(id: string) {
    return this.categories.get(id);
  }
  async putMaison(m: Maison) {
    this.maisons.set(m.maisonId, m);
  }
  async putCollection(c: Collection) {
    this.collections.set(c.collectionId, c);
  }
  async putCategory(c: Category) {
    this.categories.set(c.categoryId, c);
  }
  async listAll() {
    return {
      maisons: [...this.maisons.values()],
      collections: [...this.collections.values()],
      categories: [...this.categories.values()],
    };
  }
}

/** A taxonomy holding the fixture maison, collection and category. */
export async function fixtureTaxonomy(): Promise<InMemoryTaxonomyRepository> {
  const { maison, collection, category } = await import('./catalog-fixtures.ts');
  const taxonomy = new InMemoryTaxonomyRepository();
  await taxonomy.putMaison(maison);
  await taxonomy.putCollection(collection);
  await taxonomy.putCategory(category);
  return taxonomy;
}

/** An event publisher that keeps what it is given and accepts everything. */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutboundEvent[] = [];
  async publish(events: readonly OutboundEvent[]) {
    this.published.push(...events);
    return { failed: [] };
  }
}
