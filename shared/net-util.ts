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

/** Maps IPv4-mapped IPv6 ("::ffff:127.0.0.1") to plain IPv4 so addresses compare equal. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}
