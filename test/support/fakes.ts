import {
  type ProductListKey,
  type ProductRepository,
  SkuTakenError,
  type TaxonomyRepository,
} from '../../lib/catalog/ports.ts';
import { type Cart, CartCheckedOutError, checkOutCart } from '../../lib/commerce/cart.ts';
import type { CartRepository } from '../../lib/commerce/cart-repository.ts';
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
  /** SKU → the product that owns it, as the DynamoDB adapter's pointer items. */
  readonly skus = new Map<string, string>();
  async get(id: string) {
    return this.items.get(id);
  }
  async getBySku(sku: string) {
    const product = await this.get(this.skus.get(sku) ?? '');
    const variant = product?.variants.find((v) => v.sku === sku);
    return product && variant ? { product, variant } : undefined;
  }
  async listNewest(limit: number, after?: ProductListKey) {
    const key = (p: { createdAt: string; productId: string }) => `${p.createdAt}#${p.productId}`;
    return [...this.items.values()]
      .sort((a, b) => key(b).localeCompare(key(a)))
      .filter((p) => !after || key(p) < key(after))
      .slice(0, limit);
  }
  async save(product: Product, expectedVersion: number, events: readonly DomainEvent[]) {
    const stored = this.items.get(product.productId);
    if ((stored?.version ?? 0) !== expectedVersion) throw new VersionConflictError('raced');
    const taken = product.variants.filter(
      (v) => (this.skus.get(v.sku) ?? product.productId) !== product.productId,
    );
    if (taken.length > 0) {
      const owner = this.skus.get(taken[0]?.sku ?? '');
      throw new SkuTakenError(`SKU ${taken[0]?.sku} already belongs to product ${owner}`, {
        skus: taken.map((v) => v.sku),
        productId: owner,
      });
    }
    for (const v of stored?.variants ?? []) {
      if (this.skus.get(v.sku) === product.productId) this.skus.delete(v.sku);
    }
    for (const v of product.variants) this.skus.set(v.sku, product.productId);
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

/** Carts in memory, with the DynamoDB adapter's version checks. */
export class InMemoryCartRepository implements CartRepository {
  readonly carts = new Map<string, Cart>();
  async get(cartId: string) {
    const cart = this.carts.get(cartId);
    return cart && structuredClone(cart);
  }
  async create(cart: Cart) {
    if (this.carts.has(cart.cartId)) throw new VersionConflictError('taken');
    this.carts.set(cart.cartId, structuredClone(cart));
  }
  async save(cart: Cart, expectedVersion: number) {
    if (this.carts.get(cart.cartId)?.version !== expectedVersion) throw new VersionConflictError('raced');
    this.carts.set(cart.cartId, structuredClone(cart));
  }
  async markCheckedOut(cartId: string, expectedVersion: number, options: { now: Date; checkoutId?: string }) {
    const stored = this.carts.get(cartId);
    if (stored?.status === 'checked_out') {
      if (options.checkoutId === undefined || stored.checkoutId === options.checkoutId)
        return structuredClone(stored);
      throw new CartCheckedOutError('taken by another checkout');
    }
    if (!stored || stored.version !== expectedVersion) throw new VersionConflictError('raced');
    const next = checkOutCart(stored, options.now, options.checkoutId);
    this.carts.set(cartId, next);
    return structuredClone(next);
  }
}
