/**
 * The esbuild options every bundle of this repository shares (the serving bundle, the actions'):
 * ES modules for Node 24 with their dependencies in them, deterministic (no timestamps; module
 * names relative to the working directory given beside these), so a rebuild is byte-identical.
 * Symlinks are kept as paths: a checkout whose node_modules is a link (a CI cache, a test clone)
 * names its modules `node_modules/…` like any other, not by wherever the link points.
 */
import type { BuildOptions } from 'esbuild';

/**
 * CommonJS dependencies call `require` (node builtins included); an ES module has none, so it is
 * made. esbuild puts the banner atop every output file, each chunk of a split bundle too: a chunk
 * is a module of its own, whose CommonJS code calls its own `require`.
 */
const REQUIRE_BANNER = "import { createRequire as __mlshipCreateRequire } from 'node:module';\nconst require = __mlshipCreateRequire(import.meta.url);";

export const NODE24_ESM_BUNDLE = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  banner: { js: REQUIRE_BANNER },
  legalComments: 'eof',
  logLevel: 'silent',
  preserveSymlinks: true,
} as const satisfies BuildOptions;
