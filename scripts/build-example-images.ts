// SPDX-License-Identifier: Apache-2.0
/**
 * Builds the images of examples/fibonacci offline, no registry: redis and
 * postgres from Debian packages (debootstrap + apt in a chroot), and the
 * client, server and worker apps on the host's node binary. Archives are
 * cached under $SKIFF_IMAGE_CACHE (default ~/.cache/skiff) by recipe hash;
 * load them with `skiff image import`.
 *
 *   node dist/scripts/build-example-images.js [--rebuild] [--quiet]
 *
 * prints one line per image: NAME ARCHIVE SIZE BUILD-TIME.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  archiveFileName, buildDebianImage, imageCacheDir, nodeDirectoryFiles, nodeDirectoryImage, postgresImage, recipeHash, redisImage,
  type BuiltImage, type NodeDirectoryImageOptions,
} from '../src/images/debian/index.js';

const REPO = resolve(new URL('../..', import.meta.url).pathname.replace(/\/dist\/?$/, ''));
/** FIBONACCI_DIR is the example's directory in the checkout. */
export const FIBONACCI_DIR = join(REPO, 'examples', 'fibonacci');

/** FIB_APP_IMAGES are the app images the manifests reference. */
export const FIB_APP_IMAGES = {
  client: 'skiff.dev/fib-client:1',
  server: 'skiff.dev/fib-server:1',
  worker: 'skiff.dev/fib-worker:1',
} as const;

/** ExampleBuildOptions tune buildExampleImages. */
export interface ExampleBuildOptions {
  cacheDir?: string;
  rebuild?: boolean;
  log?: (line: string) => void;
}

function appImageOptions(): NodeDirectoryImageOptions[] {
  const dir = (d: string) => join(FIBONACCI_DIR, d);
  return [
    { name: FIB_APP_IMAGES.client, dirs: { client: dir('client') }, main: 'client/index.js', ports: [3000] },
    { name: FIB_APP_IMAGES.server, dirs: { server: dir('server'), lib: dir('lib') }, main: 'server/index.js', ports: [5000] },
    { name: FIB_APP_IMAGES.worker, dirs: { worker: dir('worker'), lib: dir('lib') }, main: 'worker/index.js' },
  ];
}

// App images are quick to build but still cached, keyed by the app's files and the node binary.
function buildAppImage(o: NodeDirectoryImageOptions, cacheDir: string, rebuild: boolean): BuiltImage {
  const node = statSync(process.execPath);
  const files = nodeDirectoryFiles(o.dirs);
  const hash = recipeHash({ o, files: files.map((f) => [f.path, 'data' in f ? f.data.toString('base64') : '']), node: [process.version, node.size] });
  const archivePath = join(cacheDir, 'images', archiveFileName(o.name, hash));
  if (!rebuild && existsSync(archivePath)) return { name: o.name, archivePath, bytes: statSync(archivePath).size, buildMs: 0, cached: true };
  const t0 = Date.now();
  const archive = nodeDirectoryImage(o);
  mkdirSync(join(cacheDir, 'images'), { recursive: true });
  writeFileSync(`${archivePath}.tmp`, archive);
  renameSync(`${archivePath}.tmp`, archivePath);
  return { name: o.name, archivePath, bytes: archive.length, buildMs: Date.now() - t0, cached: false };
}

/** buildExampleImages builds (or takes from the cache) every image of the fibonacci example. */
export async function buildExampleImages(opts: ExampleBuildOptions = {}): Promise<BuiltImage[]> {
  const cacheDir = opts.cacheDir ?? imageCacheDir();
  const release = await lockCache(cacheDir);
  try {
    const built: BuiltImage[] = [];
    for (const recipe of [redisImage(), postgresImage()]) {
      built.push(await buildDebianImage(recipe, { cacheDir, rebuild: opts.rebuild, log: opts.log }));
    }
    for (const o of appImageOptions()) built.push(buildAppImage(o, cacheDir, Boolean(opts.rebuild)));
    return built;
  } finally {
    release();
  }
}

/**
 * lockCache serialises builders of one cache directory (two test files may
 * build at once on a fresh machine, and the cache's temporary paths are
 * shared). mkdir is atomic; a lock whose owner died is taken over.
 */
async function lockCache(cacheDir: string): Promise<() => void> {
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(cacheDir, 'build.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the owner has not written its pid yet
      }
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function main(args: string[]): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('building Debian images needs root (debootstrap, chroot, mounts)');
  const quiet = args.includes('--quiet');
  const images = await buildExampleImages({ rebuild: args.includes('--rebuild'), log: quiet ? undefined : (l) => process.stderr.write(`  ${l}\n`) });
  for (const i of images) {
    const how = i.cached ? 'cached' : `built in ${(i.buildMs / 1000).toFixed(1)}s`;
    process.stdout.write(`${i.name.padEnd(34)} ${i.archivePath}  ${(i.bytes / 2 ** 20).toFixed(1)} MiB  ${how}\n`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`build-example-images: ${err.message}\n`);
    process.exit(1);
  });
}
