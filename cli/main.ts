#!/usr/bin/env node
/**
 * Entry of the `minisuite` binary.
 * @module
 */
import { run } from './run.js';

const code = await run(process.argv.slice(2));
// Let stdout drain normally; if a stray handle would keep the process alive, leave anyway.
process.exitCode = code;
setTimeout(() => process.exit(code), 500).unref();
