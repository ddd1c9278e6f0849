/**
 * Which MAIL FROM / RCPT TO parameters the server knows. RFC 5321 §4.1.1.11: a parameter the
 * server does not recognise or implement is answered 555, not silently taken. smtp-server keeps
 * any `KEY=value` it is given, so the server checks the keys against what its EHLO offers.
 * @module
 */

/** What this server's EHLO offers, as far as parameters depend on it. */
export interface OfferedExtensions {
  /** AUTH is offered: MAIL takes `AUTH=` (RFC 4954 §5). */
  readonly auth: boolean;
}

/** MAIL parameters of the extensions always offered: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531). */
const MAIL_PARAMETERS = new Set(['SIZE', 'BODY', 'SMTPUTF8']);

/**
 * The first parameter of the command that the server does not implement, as the client wrote
 * its keyword (upper case), or undefined. RCPT TO takes none: DSN's NOTIFY/ORCPT are not
 * offered (RFC 3461 needs the DSN keyword in EHLO).
 */
export function unsupportedParameter(
  command: 'MAIL' | 'RCPT',
  args: Readonly<Record<string, unknown>> | false | undefined,
  offered: OfferedExtensions,
): string | undefined {
  if (!args) return undefined;
  for (const key of Object.keys(args)) {
    if (command === 'RCPT') return key;
    if (MAIL_PARAMETERS.has(key) || (key === 'AUTH' && offered.auth)) continue;
    return key;
  }
  return undefined;
}

/** The reply text to an unsupported parameter (the code is 555, its enhanced code 5.5.4). */
export function unsupportedReply(key: string): string {
  return `Unsupported option: ${key}`;
}
