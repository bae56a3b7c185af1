import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { OpenSearchIndex } from '../../adapters/opensearch/opensearch-search-index.ts';
import { once } from '../lambda-handler.ts';
import { requireEnv } from './env.ts';

/** The regional OpenSearch domain, signed with the function's role (fine-grained access maps the role). */
export const awsSearchIndex = /* @__PURE__ */ once(() => {
  const region = requireEnv('AWS_REGION');
  const client = new Client({
    ...AwsSigv4Signer({ region, service: 'es', getCredentials: defaultProvider() }),
    node: `https://${requireEnv('SEARCH_ENDPOINT')}`,
  });
  return new OpenSearchIndex(client, requireEnv('SEARCH_INDEX'));
});
