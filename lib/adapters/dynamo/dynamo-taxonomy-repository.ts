import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TaxonomyRepository } from '../../catalog/ports.ts';
import { Category, Collection, Maison } from '../../contracts/catalog.ts';

const TAXONOMY = 'TAXONOMY';
type Kind = 'MAISON' | 'COLLECTION' | 'CATEGORY';
const key = (kind: Kind, id: string) => ({ pk: `${kind}#${id}`, sk: kind });

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk, sk, gsi1pk, gsi1sk, ...rest } = item;
  return rest;
}

/** Maisons, collections and categories in the catalog table, all listed through one `gsi1` partition. */
export class DynamoTaxonomyRepository implements TaxonomyRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async get(kind: Kind, id: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key(kind, id) }),
    );
    return Item ? strip(Item) : undefined;
  }

  private async put(kind: Kind, id: string, value: object): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key(kind, id), gsi1pk: TAXONOMY, gsi1sk: `${kind}#${id}`, ...value },
      }),
    );
  }

  async getMaison(id: string) {
    const item = await this.get('MAISON', id);
    return item && Maison.parse(item);
  }
  async getCollection(id: string) {
    const item = await this.get('COLLECTION', id);
    return item && Collection.parse(item);
  }
  async getCategory(id: string) {
    const item = await this.get('CATEGORY', id);
    return item && Category.parse(item);
  }
  putMaison(maison: Maison) {
    return this.put('MAISON', maison.maisonId, maison);
  }
  putCollection(collection: Collection) {
    return this.put('COLLECTION', collection.collectionId, collection);
  }
  putCategory(category: Category) {
    return this.put('CATEGORY', category.categoryId, category);
  }

  async listAll() {
    const out = { maisons: [] as Maison[], collections: [] as Collection[], categories: [] as Category[] };
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :t',
          ExpressionAttributeValues: { ':t': TAXONOMY },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const value = strip(item);
        if (item.sk === 'MAISON') out.maisons.push(Maison.parse(value));
        else if (item.sk === 'COLLECTION') out.collections.push(Collection.parse(value));
        else if (item.sk === 'CATEGORY') out.categories.push(Category.parse(value));
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return out;
  }
}
