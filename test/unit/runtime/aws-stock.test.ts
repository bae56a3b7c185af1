import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoStockStore } from '../../../lib/adapters/dynamo/dynamo-stock-store.ts';
import { HomeRegionStockStore } from '../../../lib/adapters/dynamo/home-region-stock-store.ts';
import { stockHomeRegions } from '../../../lib/inventory/home-region.ts';

const ENV = ['AWS_REGION', 'INVENTORY_TABLE', 'STOCK_HOME_REGIONS'] as const;

async function freshAwsStock(env: Partial<Record<(typeof ENV)[number], string>>) {
  for (const name of ENV) delete process.env[name];
  Object.assign(process.env, env);
  vi.resetModules();
  const { awsStock } = await import('../../../lib/runtime/aws/deps.ts');
  return awsStock();
}

describe('the AWS stock store', () => {
  const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('routes writes by home region when the stacks name several regions', async () => {
    const store = await freshAwsStock({
      AWS_REGION: 'eu-west-1',
      INVENTORY_TABLE: 'vitrine-inventory',
      STOCK_HOME_REGIONS: 'eu-west-1,us-east-1,ap-northeast-1',
    });
    // Class identity differs across module reloads: compare by name.
    expect(store.constructor.name).toBe(HomeRegionStockStore.name);
  });

  it('is the local replica alone for a function that does not write stock', async () => {
    const store = await freshAwsStock({ AWS_REGION: 'eu-west-1', INVENTORY_TABLE: 'vitrine-inventory' });
    expect(store.constructor.name).toBe(DynamoStockStore.name);
  });

  it('reads the region list without blanks or repeats, in order', () => {
    expect(stockHomeRegions(' eu-west-1, us-east-1,,eu-west-1 ')).toEqual(['eu-west-1', 'us-east-1']);
    expect(stockHomeRegions(undefined)).toEqual([]);
  });
});
