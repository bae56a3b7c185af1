import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildResult, buildSync, type Message } from 'esbuild';

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

function build(entries: readonly string[]): void {
  for (const rel of entries) {
    if (!existsSync(resolve(PROJECT_ROOT, rel))) {
      throw new Error(`Cannot bundle ${rel}: the entry module does not exist (is it named in a manifest?)`);
    }
  }
  const names = new Map(entries.map((rel) => [rel, bundleName(rel)]));
  const started = performance.now();
  let result: BuildResult<{ write: false }>;
  try {
    result = buildSync({
      entryPoints: entries.map((rel) => ({ in: resolve(PROJECT_ROOT, rel), out: `${names.get(rel)}/index` })),
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
      write: false,
      logLevel: 'silent',
    });
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const detail = errors
      .map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`)
      .join('\n');
    throw new Error(`esbuild could not bundle ${entries.join(', ')}:\n${detail || (error as Error).message}`);
  }
  const buildMillis = performance.now() - started;

  for (const rel of entries) {
    const name = names.get(rel) as string;
    const directory = join(BUNDLE_ROOT, name);
    mkdirSync(directory, { recursive: true });
    const files = result.outputFiles
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
