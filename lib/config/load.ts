import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig, type VitrineConfig } from './config.ts';

const CDK_JSON = fileURLToPath(new URL('../../cdk.json', import.meta.url));

/** Reads the `vitrine` context from cdk.json, the single source of deployment configuration. */
export function loadConfig(path: string = CDK_JSON): VitrineConfig {
  const cdkJson = JSON.parse(readFileSync(path, 'utf8')) as { context?: Record<string, unknown> };
  return parseConfig(cdkJson.context?.vitrine);
}
