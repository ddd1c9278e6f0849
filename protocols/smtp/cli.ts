/**
 * `minisuite smtp ...` client commands. Placeholder until the smtp issue lands.
 * @module
 */
import type { CliIo } from '../../cli/io.js';

export async function main(_argv: string[], io: CliIo): Promise<number> {
  io.stderr.write('minisuite smtp: client not implemented yet\n');
  return 2;
}
