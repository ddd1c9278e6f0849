/**
 * A range of ports, as `--ftp-pasv-ports A-B` gives it.
 * @module
 */
import { ConfigError } from './errors.js';

/** Ports `from` to `to`, both included. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Parses "A-B" into a port range; a bad one is a ConfigError naming `field`. */
export function parsePortRange(text: string, field: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65535 || from > to)
    throw new ConfigError(field, `expected a port range A-B within 1-65535, got '${text}'`);
  return { from, to };
}
