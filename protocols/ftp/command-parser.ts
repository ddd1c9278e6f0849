/**
 * Pure parsers for the FTP command line and its address arguments (RFC 959 §4.1, RFC 2428).
 * @module
 */
import net from 'node:net';

/** A parsed command: upper-case verb and the raw argument (may be empty). */
export interface Command {
  readonly verb: string;
  readonly arg: string;
}

/**
 * Splits a command line into verb and argument. Telnet IP/Synch bytes that some clients send
 * before ABOR (decoded as U+FFFD or U+00FF..) and leading white space are dropped. The argument
 * keeps its inner and trailing spaces (file names may have them) but loses one separating space.
 */
export function parseCommand(line: string): Command {
  const text = line.replace(/^[\s\u00f2\u00f4\u00ff\ufffd]+/, '');
  // RFC 959 §5.3.2 separates verb and argument by one SP; a TAB is taken as one too, so that
  // `PASS<TAB>secret` is still known as PASS (and masked in every log).
  const space = text.search(/[ \t]/);
  if (space === -1) return { verb: text.toUpperCase(), arg: '' };
  return { verb: text.slice(0, space).toUpperCase(), arg: text.slice(space + 1) };
}

/** A data-connection target named by PORT or EPRT. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parses the PORT argument `h1,h2,h3,h4,p1,p2` (RFC 959 §4.1.2); undefined when malformed. */
export function parsePortArg(arg: string): HostPort | undefined {
  const parts = arg.trim().split(',');
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const n = parts.map(Number);
  if (n.some((x) => x > 255)) return undefined;
  const port = (n[4] ?? 0) * 256 + (n[5] ?? 0);
  if (port === 0) return undefined;
  return { host: n.slice(0, 4).join('.'), port };
}

/**
 * Parses the EPRT argument `<d>proto<d>addr<d>port<d>` (RFC 2428 §2); proto 1 is IPv4, 2 IPv6.
 * Returns 'unsupported' for another protocol number (reply 522), undefined when malformed.
 */
export function parseEprtArg(arg: string): HostPort | 'unsupported' | undefined {
  const text = arg.trim();
  const d = text[0];
  if (d === undefined || text.length < 7 || /[0-9a-zA-Z.:]/.test(d)) return undefined;
  const fields = text.split(d);
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return undefined;
  const [, proto, host = '', portText = ''] = fields;
  if (proto !== '1' && proto !== '2') return /^\d+$/.test(proto ?? '') ? 'unsupported' : undefined;
  if (proto === '1' ? !net.isIPv4(host) : !net.isIPv6(host)) return undefined;
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** The 227 text `Entering Passive Mode (h1,h2,h3,h4,p1,p2).` (RFC 959 §4.1.2). */
export function formatPasv(ipv4: string, port: number): string {
  return `Entering Passive Mode (${ipv4.split('.').join(',')},${port >> 8},${port & 255}).`;
}

/** The 229 text `Entering Extended Passive Mode (|||port|)` (RFC 2428 §3). */
export function formatEpsv(port: number): string {
  return `Entering Extended Passive Mode (|||${port}|)`;
}

/**
 * True when a path argument holds a character no name may contain: any C0 or C1 control
 * character or DEL (NUL, CR, LF, but also ESC and BEL, which would reach other clients'
 * terminals through LIST).
 */
export function hasForbiddenChars(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return /[\u0000-\u001f\u007f-\u009f]/.test(text);
}

/**
 * Strips leading `ls` options from a LIST/NLST argument: `-la dir` → `dir`, `-a` → ''.
 * Clients (lftp, some browsers) send them although RFC 959 defines only a path.
 */
export function stripListOptions(arg: string): string {
  let rest = arg.trim();
  while (/^-[a-zA-Z]+(\s|$)/.test(rest)) rest = rest.replace(/^-[a-zA-Z]+\s*/, '');
  return rest;
}
