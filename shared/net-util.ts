/**
 * Small address helpers.
 * @module
 */
import net from 'node:net';

/** "127.0.0.1:53", "[::1]:53". */
export function formatHostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL host part: IPv6 in brackets. */
export function urlHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** True for an address only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeAddress(host.toLowerCase());
  return h === 'localhost' || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

/** Maps IPv4-mapped IPv6 ("::ffff:127.0.0.1") to plain IPv4 so addresses compare equal. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** The address part of "127.0.0.1:53211" or "[::1]:53211" (the inverse of {@link formatHostPort}). */
export function hostOfPeer(peer: string): string {
  if (peer.startsWith('[')) return peer.slice(1, peer.indexOf(']'));
  const colon = peer.lastIndexOf(':');
  return colon > 0 ? peer.slice(0, colon) : peer;
}

/** The names every leaf carries: the loopback names, then the listen address (unless a wildcard). */
export function defaultCertificateNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  if (host !== '0.0.0.0' && host !== '::' && host !== '') names.push(host.replace(/^\[|\]$/g, ''));
  return names;
}

/**
 * Parses `HOST:PORT`, `[v6]:PORT`, `HOST` or a bare IPv6 address (the last two take
 * `defaultPort`); undefined when it is none of these (CR, LF, NUL or spaces, a port outside
 * 1-65535). The one parser of every `--server` argument and `server` option.
 */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || /[\r\n\0\s]/.test(trimmed)) return undefined;
  if (net.isIPv6(trimmed)) return { host: trimmed, port: defaultPort };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(trimmed);
  const host = m?.[1] ?? m?.[2];
  const port = m?.[3] === undefined ? defaultPort : Number(m[3]);
  if (host === undefined || (m?.[1] !== undefined && !net.isIPv6(host)) || port < 1 || port > 65535) return undefined;
  return { host, port };
}
