import { App } from 'aws-cdk-lib';
import { SERVICES } from '#functions/services.ts';
import { ConfigError, parseConfig, type VitrineConfig } from '#lib/config/config.ts';
import { loadConfig } from '#lib/config/load.ts';
import { buildVitrine } from '#stacks/vitrine-app.ts';

const app = new App();

/** The CLI hands cdk.json's context (and any `-c` override) to the app; run directly, read cdk.json. */
function config(): VitrineConfig {
  const fromContext: unknown = app.node.tryGetContext('vitrine');
  return fromContext === undefined ? loadConfig() : parseConfig(fromContext);
}

try {
  buildVitrine(app, { config: config(), services: SERVICES });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the operator's to fix: the message names each key, a stack trace adds nothing.
  console.error(error.message);
  process.exit(1);
}
app.synth();
