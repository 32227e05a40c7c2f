#!/usr/bin/env node
/** The `mlship` command line: a thin dispatcher over the library calls the actions also use. */
import module from 'node:module';

// Node's on-disk cache of compiled (and type-stripped) modules, as Python keeps .pyc files:
// without it, stripping and compiling the ~200 modules of `mlship train` took ~0.25 s of every run.
// It lives in the OS temp folder, is keyed by each file's contents, and is skipped if unwritable.
module.enableCompileCache?.();
const { run } = await import('./run.ts');

process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });
