import { OramaSearchIndex } from '../../lib/adapters/orama/orama-search-index.ts';
import { describeSearchIndexContract } from './search-index.contract.ts';

describeSearchIndexContract('OramaSearchIndex', async () => OramaSearchIndex.create());
