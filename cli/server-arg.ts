/**
 * The `--server HOST:PORT` argument of the client commands (`smtp send`, `dns query`), parsed one way.
 * @module
 */
import { parseHostPort } from '../shared/net-util.js';
import { UsageError } from './usage.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `[v6]:PORT`, `HOST`, or a bare IPv6 address (shared/net-util.ts's one
 * parser); errors name `flag` and the expected form.
 */
export function parseServer(text: string, defaultPort: number, flag = '--server'): ServerAddress {
  const address = parseHostPort(text, defaultPort);
  if (address === undefined)
    throw new UsageError(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:${defaultPort}), got '${text}'`);
  return address;
}
