/**
 * `minisuite http ...` client commands. Placeholder until the http issue lands.
 * @module
 */
import type { CliIo } from '../../cli/io.js';

export async function main(_argv: string[], io: CliIo): Promise<number> {
  io.stderr.write('minisuite http: client not implemented yet\n');
  return 2;
}
