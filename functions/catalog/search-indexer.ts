import { productFromItem } from '#lib/adapters/dynamo/dynamo-product-repository.ts';
import { awsSearchIndex } from '#lib/runtime/aws/search.ts';
import { lambdaHandler } from '#lib/runtime/lambda-handler.ts';
import { logger } from '#lib/runtime/observability.ts';
import { newImageOf, streamHandler } from '#lib/runtime/stream/stream-handler.ts';
import { toSearchDocument } from '#lib/search/document.ts';
import type { SearchIndex } from '#lib/search/search-index.ts';

/**
 * Bulk-indexes the products a stream batch touched. Documents carry the item version as their external
 * version, so a redelivered or reordered batch can never put an older product over a newer one.
 */
export const makeHandler = (deps: { search: SearchIndex }) =>
  streamHandler(async (records) => {
    const latest = new Map<string, ReturnType<typeof toSearchDocument>>();
    for (const record of records) {
      const image = newImageOf(record);
      if (!image) continue;
      const doc = toSearchDocument(productFromItem(image));
      const held = latest.get(doc.productId);
      if (!held || held.version < doc.version) latest.set(doc.productId, doc);
    }
    if (latest.size === 0) return { failed: [] };
    try {
      const outcome = await deps.search.index([...latest.values()]);
      logger.info('Indexed products', { ...outcome });
      return { failed: [] };
    } catch (error) {
      logger.error('Bulk indexing failed; the batch will be retried', error as Error);
      return { failed: records };
    }
  });

export const handler = lambdaHandler(() => makeHandler({ search: awsSearchIndex() }));
