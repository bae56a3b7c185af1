import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build as esbuild, type Message, type Plugin } from 'esbuild';

/** The project root: entries in the manifests are relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where bundles land; gitignored, and reused by the benchmark. */
export const BUNDLE_ROOT = join(PROJECT_ROOT, 'dist', 'functions');

/** The Lambda handler of every bundle: `index.mjs` exporting `handler`. */
export const BUNDLE_HANDLER = 'index.handler';

/** The Node version esbuild targets; the Lambda runtime is at least this. */
export const BUNDLE_TARGET = 'node22';

/**
 * CommonJS dependencies bundled into an ES module still call `require` (for Node built-ins); the banner
 * gives them a working one. Only `require`: declaring `__dirname` here would collide with ES modules
 * that declare their own.
 */
const CJS_SHIM =
  "import { createRequire as __vitrineCreateRequire } from 'node:module'; const require = __vitrineCreateRequire(import.meta.url);";

/** Whether `file` (an absolute path) belongs to the installed package `name`. */
function inPackage(file: string, name: string): boolean {
  return file.split(sep).join('/').includes(`/node_modules/${name}/`);
}

/** A path relative to the project, so virtual modules name no machine-specific directory in source maps. */
function projectPath(file: string): string {
  return relative(PROJECT_ROOT, file).split(sep).join('/');
}

const ZOD_LOCALES = 'vitrine-zod-locales';

/**
 * zod's classic and core APIs re-export every locale (`export * as locales from "../locales/index.js"`),
 * and that namespace keeps all ~45 of them, about 250 KB minified, in every bundle. This resolves that
 * index, when zod's own files import it, to a module exporting `en` alone: the default locale zod
 * registers on its first schema (`config(en())` in `classic/schemas.js`, which imports `en.js` directly)
 * is unchanged, and so is every error message. `z.locales.en` still works; no other locale is in a bundle.
 * An index that no longer re-exports `./en.js` under that name is left alone.
 */
export function zodEnglishLocaleOnly(): Plugin {
  return {
    name: 'zod-english-locale-only',
    setup(build) {
      build.onResolve({ filter: /(^|\/)locales\/index\.js$/ }, (args) => {
        if (!inPackage(args.importer, 'zod')) return undefined;
        const index = resolve(args.resolveDir, args.path);
        const english = join(dirname(index), 'en.js');
        if (
          !existsSync(english) ||
          !/export \{ default as en \} from "\.\/en\.js"/.test(readFileSync(index, 'utf8'))
        ) {
          return undefined;
        }
        return {
          path: projectPath(index),
          namespace: ZOD_LOCALES,
          pluginData: { resolveDir: dirname(index) },
        };
      });
      build.onLoad({ filter: /.*/, namespace: ZOD_LOCALES }, (args) => ({
        contents: 'export { default as en } from "./en.js";\n',
        resolveDir: (args.pluginData as { resolveDir: string }).resolveDir,
        loader: 'js',
      }));
    },
  };
}

const XRAY_SEMVER = 'vitrine-xray-semver';

/**
 * aws-xray-sdk-core requires all of `semver` (about 30 KB minified, and a few dozen regular expressions
 * compiled at load) for one call: `captureAWS`, its AWS SDK v2 patcher, checks
 * `semver.gte(AWS.VERSION, '2.7.15')`. Powertools Tracer instruments SDK v3 clients and never calls it.
 * This gives the SDK an exact `gte` for release versions instead (a pre-release sorts before its release,
 * as in semver); only `semver` imported from aws-xray-sdk-core is replaced.
 */
export function xraySemverGteOnly(): Plugin {
  return {
    name: 'xray-semver-gte-only',
    setup(build) {
      build.onResolve({ filter: /^semver$/ }, (args) =>
        inPackage(args.importer, 'aws-xray-sdk-core')
          ? { path: 'semver-gte', namespace: XRAY_SEMVER }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: XRAY_SEMVER }, () => ({ contents: SEMVER_GTE, loader: 'js' }));
    },
  };
}

/** CommonJS, like the `semver` it stands in for. */
const SEMVER_GTE = `'use strict';
function parse(version) {
  const match = /^v?(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$/.exec(String(version).trim());
  if (!match) throw new TypeError('Invalid Version: ' + version);
  return { numbers: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] };
}
exports.gte = function gte(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.numbers[i] !== y.numbers[i]) return x.numbers[i] > y.numbers[i];
  if (!x.prerelease || !y.prerelease) return !x.prerelease || Boolean(y.prerelease);
  return x.prerelease >= y.prerelease;
};
`;

/** Plugins every function bundle is built with; each keeps behaviour on Lambda identical. */
export const BUNDLE_PLUGINS: readonly (() => Plugin)[] = [zodEnglishLocaleOnly, xraySemverGteOnly];

export interface FunctionBundle {
  /** The entry module, relative to the project root, e.g. `functions/catalog/get-product.ts`. */
  readonly entry: string;
  /** Bundle name, e.g. `catalog-get-product`. */
  readonly name: string;
  /** Absolute directory holding `index.mjs` and its source map: the Lambda asset. */
  readonly directory: string;
  /** Size of `index.mjs` in bytes (what Lambda loads at cold start). */
  readonly sizeBytes: number;
  /** Size of the source map in bytes (not loaded unless an error is mapped). */
  readonly sourceMapBytes: number;
  /** SHA-256 of the bundle and its map; equal bundles give equal asset hashes. */
  readonly sha256: string;
  /** How long the esbuild run that built it took, in milliseconds (shared by a batch). */
  readonly buildMillis: number;
}

const cache = new Map<string, FunctionBundle>();
const builds = new Map<string, number>();

/** The bundle name of an entry: its path under `functions/` without extension, dashes for slashes. */
export function bundleName(entry: string): string {
  const rel = toProjectRelative(entry);
  return rel
    .replace(/^functions\//, '')
    .replace(/\.[cm]?[jt]s$/, '')
    .replaceAll('/', '-');
}

function toProjectRelative(entry: string): string {
  const absolute = isAbsolute(entry) ? entry : resolve(PROJECT_ROOT, entry);
  return relative(PROJECT_ROOT, absolute).split('\\').join('/');
}

/**
 * Writes a file only when its content changed, through a rename so a concurrent reader (another test
 * process hashing the same asset) never sees a half-written file.
 */
function writeIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && Buffer.compare(readFileSync(path), contents) === 0) return;
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, path);
}

/**
 * Bundles one Lambda entry with esbuild into `dist/functions/<name>/index.mjs` (minified ESM for Node,
 * AWS SDK included, external source map). Each entry is built at most once per process, so every
 * regional stack points at the same directory and gets the same asset hash.
 */
export function bundleFunction(entry: string): FunctionBundle {
  return bundleFunctions([entry])[0] as FunctionBundle;
}

/**
 * Bundles several entries in one esbuild run: the modules they share (the AWS SDK, Powertools, zod)
 * are parsed once instead of once per entry. Each output is the same as `bundleFunction` would write;
 * entries already built in this process come from the cache.
 */
export function bundleFunctions(entries: readonly string[]): FunctionBundle[] {
  const wanted = [...new Set(entries.map(toProjectRelative))];
  const missing = wanted.filter((rel) => !cache.has(rel));
  if (missing.length > 0) build(missing);
  return entries.map((entry) => cache.get(toProjectRelative(entry)) as FunctionBundle);
}

/** The esbuild options of every function bundle, for `entries` relative to the project root. */
function bundleOptions(entries: readonly string[]): BuildOptions & { write: false } {
  return {
    entryPoints: entries.map((rel) => ({ in: resolve(PROJECT_ROOT, rel), out: `${bundleName(rel)}/index` })),
    outdir: BUNDLE_ROOT,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    // Prefer ES module builds of dependencies: they tree-shake, CommonJS ones do not.
    mainFields: ['module', 'main'],
    conditions: ['module'],
    minify: true,
    sourcemap: 'external',
    // Paths in the map stay relative to the project, so the bundle is byte-identical on every machine.
    sourceRoot: '',
    legalComments: 'none',
    banner: { js: CJS_SHIM },
    plugins: BUNDLE_PLUGINS.map((plugin) => plugin()),
    write: false,
    logLevel: 'silent',
  };
}

interface ChildOutput {
  readonly files?: readonly { readonly path: string; readonly contents: string }[];
  readonly errors?: readonly Message[];
  readonly message?: string;
}

/**
 * Runs in the child process `build` starts: esbuild's plugins only run under its asynchronous API.
 * Prints the output files (base64) or the errors as one JSON line.
 */
export async function buildInChild(entries: readonly string[]): Promise<void> {
  let output: ChildOutput;
  try {
    const result = await esbuild(bundleOptions(entries));
    output = {
      files: result.outputFiles.map((file) => ({
        path: file.path,
        contents: Buffer.from(file.contents).toString('base64'),
      })),
    };
  } catch (error) {
    output = { errors: (error as { errors?: Message[] }).errors ?? [], message: (error as Error).message };
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

/**
 * Bundles in a child process so the API stays synchronous (CDK constructs are built synchronously) while
 * esbuild runs the plugins, which its synchronous API refuses. tsx loads this module there, as it loads
 * the CDK app.
 */
function runBuild(entries: readonly string[]): { path: string; contents: Uint8Array }[] {
  const script = `import { buildInChild } from ${JSON.stringify(import.meta.url)};\nawait buildInChild(${JSON.stringify(entries)});`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const line = child.stdout?.trim().split('\n').at(-1);
  let output: ChildOutput | undefined;
  try {
    output = line ? (JSON.parse(line) as ChildOutput) : undefined;
  } catch {
    output = undefined;
  }
  if (!output?.files) {
    const detail = (output?.errors ?? [])
      .map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`)
      .join('\n');
    throw new Error(
      `esbuild could not bundle ${entries.join(', ')}:\n${detail || output?.message || child.error?.message || child.stderr}`,
    );
  }
  return output.files.map((file) => ({ path: file.path, contents: Buffer.from(file.contents, 'base64') }));
}

function build(entries: readonly string[]): void {
  for (const rel of entries) {
    if (!existsSync(resolve(PROJECT_ROOT, rel))) {
      throw new Error(`Cannot bundle ${rel}: the entry module does not exist (is it named in a manifest?)`);
    }
  }
  const names = new Map(entries.map((rel) => [rel, bundleName(rel)]));
  const started = performance.now();
  const outputFiles = runBuild(entries);
  const buildMillis = performance.now() - started;

  for (const rel of entries) {
    const name = names.get(rel) as string;
    const directory = join(BUNDLE_ROOT, name);
    mkdirSync(directory, { recursive: true });
    const files = outputFiles
      .filter((file) => dirname(file.path) === directory)
      .sort((a, b) => a.path.localeCompare(b.path));
    const hash = createHash('sha256');
    let sizeBytes = 0;
    let sourceMapBytes = 0;
    for (const file of files) {
      writeIfChanged(file.path, file.contents);
      hash.update(file.contents);
      if (file.path.endsWith('.map')) sourceMapBytes += file.contents.byteLength;
      else sizeBytes += file.contents.byteLength;
    }
    if (sizeBytes === 0) throw new Error(`esbuild wrote no index.mjs for ${rel}`);
    cache.set(rel, {
      entry: rel,
      name,
      directory,
      sizeBytes,
      sourceMapBytes,
      sha256: hash.digest('hex'),
      buildMillis,
    });
    builds.set(rel, (builds.get(rel) ?? 0) + 1);
  }
}

/** How many times esbuild ran per entry in this process; every count should be 1. */
export function bundleBuildCounts(): ReadonlyMap<string, number> {
  return new Map(builds);
}
