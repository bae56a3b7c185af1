import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SERVICES } from '#functions/services.ts';
import type { VitrineConfig } from '#lib/config/config.ts';
import { loadConfig } from '#lib/config/load.ts';
import type { ServiceManifest } from '#lib/platform/manifest.ts';
import { allStacks, buildVitrine, type VitrineStacks } from '#stacks/vitrine-app.ts';

/** cdk.json's context (feature flags and the `vitrine` block), as the CLI would hand it to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthesizedVitrine {
  readonly app: App;
  readonly config: VitrineConfig;
  readonly services: readonly ServiceManifest[];
  readonly stacks: VitrineStacks;
  readonly all: Stack[];
  template(stack: Stack): Template;
}

/**
 * Builds and synthesizes the whole app offline, with the cdk-nag packs registered exactly as `bin/app.ts`
 * does: synthesis throws if any finding is left unacknowledged.
 */
export function synthesizeVitrine(
  options: { config?: VitrineConfig; services?: readonly ServiceManifest[] } = {},
) {
  const config = options.config ?? loadConfig();
  const services = options.services ?? SERVICES;
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'vitrine-cdk-')),
    context: { ...cdkJsonContext(), vitrine: config },
    // CDK's built-in CloudFormation schema check only warns, and takes as long as the rest of synthesis;
    // `npm run synth` still runs it.
    builtinCloudFormationValidation: false,
  });
  const stacks = buildVitrine(app, { config, services });
  app.synth();
  const templates = new Map<Stack, Template>();
  const result: SynthesizedVitrine = {
    app,
    config,
    services,
    stacks,
    all: allStacks(stacks),
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromStack(stack);
        templates.set(stack, template);
      }
      return template;
    },
  };
  return result;
}

export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; Metadata?: unknown }
>;

/** The resources of one type in a template, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Every deployable route of the manifests, as `METHOD /path`. */
export function deployableRoutes(services: readonly ServiceManifest[]): string[] {
  return services
    .flatMap((service) => Object.values(service.functions))
    .flatMap((fn) => fn.routes ?? [])
    .filter((route) => !route.localOnly)
    .map((route) => `${route.method} ${route.path}`)
    .sort();
}

/** Resolves a `ResourceId`/`ParentId` reference of a REST API template to its path. */
function resourcePaths(template: Template): (ref: unknown) => string {
  const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const logicalId = (ref as { Ref?: string }).Ref;
    if (!logicalId || !resources[logicalId]) return ''; // the root resource (Fn::GetAtt RootResourceId)
    const props = resources[logicalId].Properties as { ParentId: unknown; PathPart: string };
    return `${pathOf(props.ParentId)}/${props.PathPart}`;
  };
  return (ref) => pathOf(ref) || '/';
}

/** Every resource path of an API stack's REST API, the root `/` included. */
export function apiResourcePaths(template: Template): string[] {
  const pathOf = resourcePaths(template);
  return [
    '/',
    ...Object.keys(resourcesOf(template, 'AWS::ApiGateway::Resource')).map((id) => pathOf({ Ref: id })),
  ];
}

/**
 * The routes an API stack serves, rebuilt from its template: each method's resource walked up to the
 * REST API root. CORS preflights are included as `OPTIONS /path`.
 */
export function templateRoutes(template: Template): { route: string; properties: Record<string, unknown> }[] {
  const pathOf = resourcePaths(template);
  return Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map((method) => {
    const props = method.Properties as { HttpMethod: string; ResourceId: unknown };
    return { route: `${props.HttpMethod} ${pathOf(props.ResourceId)}`, properties: props };
  });
}
