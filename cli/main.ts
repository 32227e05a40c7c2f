#!/usr/bin/env node
/** The `mlship` command line: a thin dispatcher over the library calls the actions also use. */
import { run } from './run.ts';

process.exitCode = await run(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr });
