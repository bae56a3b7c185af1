import { ConfigError, type VitrineConfig } from '#lib/config/config.ts';
import type { FunctionDefinition, ServiceManifest } from '#lib/platform/manifest.ts';

/**
 * The manifests with this deployment's `concurrency` settings applied over what they declare, so a
 * production account can keep a drop's functions warm while a test account pays for nothing idle.
 * @throws ConfigError naming a setting for a function no manifest declares
 */
export function withConcurrency(
  services: readonly ServiceManifest[],
  config: Pick<VitrineConfig, 'concurrency'>,
): ServiceManifest[] {
  const settings = new Map(Object.entries(config.concurrency));
  const applied = services.map((service) => ({
    ...service,
    functions: Object.fromEntries(
      Object.entries(service.functions).map(([key, definition]) => {
        const ref = `${service.name}.${key}`;
        const setting = settings.get(ref);
        settings.delete(ref);
        return [key, setting ? override(ref, definition, setting) : definition];
      }),
    ),
  }));
  const unknown = [...settings.keys()];
  if (unknown.length > 0) {
    const declared = services.flatMap((s) => Object.keys(s.functions).map((key) => `${s.name}.${key}`));
    throw new ConfigError(
      `Invalid Vitrine configuration in cdk.json context:\n${unknown
        .map(
          (ref) =>
            `  - vitrine.concurrency.${ref}: no manifest declares ${ref} (declared: ${declared.join(', ')})`,
        )
        .join('\n')}`,
    );
  }
  return applied;
}

function override(
  ref: string,
  definition: FunctionDefinition,
  setting: VitrineConfig['concurrency'][string],
): FunctionDefinition {
  const reserved = setting.reserved ?? definition.reservedConcurrency;
  const provisioned = setting.provisioned ?? definition.provisionedConcurrency;
  // Lambda refuses more provisioned environments than the function may ever run.
  if (reserved !== undefined && provisioned !== undefined && provisioned > reserved) {
    throw new ConfigError(
      `Invalid Vitrine configuration in cdk.json context:\n  - vitrine.concurrency.${ref}: provisioned concurrency ${provisioned} exceeds reserved concurrency ${reserved}`,
    );
  }
  const { reservedConcurrency: _r, provisionedConcurrency: _p, ...rest } = definition;
  return {
    ...rest,
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    ...(provisioned ? { provisionedConcurrency: provisioned } : {}),
  };
}
