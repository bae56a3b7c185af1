/**
 * `npm start`: the whole platform on one machine. PORT (default 3000) and VITRINE_DATA_DIR (keep
 * DynamoDB Local's data on disk) are honoured.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const started = performance.now();
const port = Number(process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(1);
}

try {
  const { startLocalPlatform } = await import('../lib/runtime/local/platform.ts');
  const { SERVICES } = await import('../functions/services.ts');
  const platform = await startLocalPlatform({
    port,
    host: process.env.HOST ?? '127.0.0.1',
    services: SERVICES,
    ...(process.env.VITRINE_DATA_DIR ? { dbPath: process.env.VITRINE_DATA_DIR } : {}),
    log: (line) => console.log(line),
  });
  await platform.idle();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    [
      '',
      `  Vitrine is ready in ${seconds} s${platform.seeded ? ` with ${platform.seeded} demo products` : ''}`,
      '',
      `  API            ${platform.url}`,
      `  Documentation  ${platform.url}/docs`,
      `  OpenAPI        ${platform.url}/openapi.json`,
      `  Try            ${platform.url}/v1/products?market=FR`,
      `                 ${platform.url}/v1/search?q=gold&market=JP`,
      `  Dev token      curl -X POST ${platform.url}/v1/dev/token -H 'content-type: application/json' -d '{"sub":"me","groups":["staff"]}'`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Vitrine…`);
    await platform.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  const name = (error as Error).name;
  if (name === 'LocalStartupError' || name === 'ConfigError') {
    console.error(`\nVitrine could not start:\n${(error as Error).message}\n`);
  } else {
    console.error('\nVitrine could not start:', error);
  }
  process.exit(1);
}
