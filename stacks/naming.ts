import type { FunctionDefinition, ServiceManifest } from '#lib/platform/manifest.ts';

/** `catalog` -> `Catalog`, `get-product` / `getProduct` -> `GetProduct`, `eu-west-1` -> `EuWest1`. */
export function pascalCase(value: string): string {
  return value
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The stable construct id of a manifest function, e.g. `CatalogGetProduct`; renaming it replaces resources. */
export function functionConstructId(service: string, functionKey: string): string {
  return `${pascalCase(service)}${pascalCase(functionKey)}`;
}

/** A function declared in a manifest, with the service that declares it. */
export interface DeclaredFunction {
  readonly service: string;
  readonly key: string;
  readonly id: string;
  readonly definition: FunctionDefinition;
}

/**
 * Every function each regional API stack deploys. Functions whose routes are all local-only (the dev
 * service) and that have no other trigger are skipped: they exist for the local runtime alone. Cognito
 * triggers are skipped too: they deploy beside each zone's user pool (see {@link identityTriggers}).
 */
export function regionalFunctions(services: readonly ServiceManifest[]): DeclaredFunction[] {
  return declared(services).filter(
    ({ definition }) => !isLocalOnly(definition) && !definition.cognitoTrigger,
  );
}

/** The Cognito triggers every zone's user pool deploys beside it, one copy per zone. */
export function identityTriggers(services: readonly ServiceManifest[]): DeclaredFunction[] {
  return declared(services).filter(({ definition }) => definition.cognitoTrigger !== undefined);
}

/** Every function the stacks deploy somewhere: what the bundler builds. */
export function deployedFunctions(services: readonly ServiceManifest[]): DeclaredFunction[] {
  return [...regionalFunctions(services), ...identityTriggers(services)];
}

function declared(services: readonly ServiceManifest[]): DeclaredFunction[] {
  return services.flatMap((service) =>
    Object.entries(service.functions).map(([key, definition]) => ({
      service: service.name,
      key,
      id: functionConstructId(service.name, key),
      definition,
    })),
  );
}

function isLocalOnly(definition: FunctionDefinition): boolean {
  const routes = definition.routes ?? [];
  const otherTriggers =
    (definition.subscriptions?.length ?? 0) +
    (definition.streams?.length ?? 0) +
    (definition.schedules?.length ?? 0);
  return routes.length > 0 && routes.every((route) => route.localOnly) && otherTriggers === 0;
}
