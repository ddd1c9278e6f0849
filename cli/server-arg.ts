/**
 * The `--server HOST:PORT` argument of the client commands (`smtp send`, `dns query`), parsed one way.
 * @module
 */
import net from 'node:net';
import { UsageError } from './usage.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `[v6]:PORT`, `HOST`, or a bare IPv6 address (the last two take
 * `defaultPort`). Errors name `flag` and the expected form.
 */
export function parseServer(text: string, defaultPort: number, flag = '--server'): ServerAddress {
  const trimmed = text.trim();
  const bad = () => new UsageError(`${flag}: expected HOST:PORT (e.g. 127.0.0.1:${defaultPort}), got '${text}'`);
  if (/[\r\n\0\s]/.test(trimmed) || trimmed === '') throw bad();
  if (net.isIPv6(trimmed)) return { host: trimmed, port: defaultPort };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(trimmed);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (host === undefined || (m?.[1] !== undefined && !net.isIPv6(host)) || port < 1 || port > 65535) throw bad();
  return { host, port };
}
