/**
 * The esbuild options every bundle of this repository shares (the serving bundle, the actions'):
 * one ES module for Node 24 with its dependencies in it, deterministic (no timestamps; module
 * names relative to the working directory given beside these), so a rebuild is byte-identical.
 * Symlinks are kept as paths: a checkout whose node_modules is a link (a CI cache, a test clone)
 * names its modules `node_modules/…` like any other, not by wherever the link points.
 */
import type { BuildOptions } from 'esbuild';

/** CommonJS dependencies call `require` (node builtins included); an ES module has none, so it is made. */
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
