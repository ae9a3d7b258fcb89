/**
 * The relay as deployed: server/main.ts compiled by esbuild into one ES module (split at dynamic imports, so
 * the PostgreSQL and Redis drivers still load only when configured), run by plain node. Running the TypeScript
 * through the tsx loader instead costs ~30 MB of RSS per process (its worker thread, sources and source maps).
 * Packages stay in node_modules. Used by `npm start`, `npm run cluster` and the relay benchmarks, so the
 * benchmarks measure what is run.
 */
import { cpSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * V8 flags for a relay process. A relay allocates many short-lived objects per message; left alone, V8 grows
 * its young generation to 16 MB semi-spaces under a burst of connections and keeps it, which measured as ~25 MB
 * more RSS at 1,000 sockets (bench/relay-fanout.ts). Small semi-spaces are scavenged more often: 2 MB kept
 * nearly all of the saving, where 1 MB added about a tenth to the CPU per update in garbage collection.
 */
export const RELAY_NODE_FLAGS = ['--max-semi-space-size=2'];

/**
 * Compiles `entry` (relative to the repository) into `outdir` and returns the compiled entry's path. The
 * PostgreSQL migrations are copied next to it: the store finds them relative to its own module. Packages are
 * found from the compiled files' folder upwards, so an `outdir` outside the checkout gets a link to its
 * node_modules.
 * @param {string} entry
 * @param {string} outdir
 * @returns {Promise<string>}
 */
export async function bundleServer(entry, outdir) {
	rmSync(outdir, { recursive: true, force: true });
	await build({
		entryPoints: [join(root, entry)],
		outdir,
		bundle: true,
		splitting: true,
		platform: 'node',
		format: 'esm',
		packages: 'external',
		target: 'node20',
		logLevel: 'warning'
	});
	cpSync(join(root, 'server/storage/postgres/migrations'), join(outdir, 'migrations'), { recursive: true });
	if (relative(root, outdir).startsWith('..')) symlinkSync(join(root, 'node_modules'), join(outdir, 'node_modules'), 'dir');
	return join(outdir, entry.replace(/^.*\//, '').replace(/\.ts$/, '.js'));
}

/** The relay compiled into .relay/ (git-ignored), for `npm start` and `npm run cluster`. */
export const bundleRelay = () => bundleServer('server/main.ts', join(root, '.relay'));
