/**
 * SMTP faults: what a rule may do to an SMTP exchange, and how a command is described to the
 * engine. A fault reply replaces the command: the command does not run, so a refused RCPT adds
 * no recipient and a refused end of data stores no message (a mail is never half accepted).
 *
 * Commands: the verbs (EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, NOOP, QUIT...), plus
 * `CONNECT` for the greeting and `END-OF-DATA` for the reply to the message itself. The target
 * is the address of MAIL FROM and RCPT TO (`*` does not cross the `@`).
 * @module
 */
import type { FaultProtocol } from '../../shared/faults/rule.js';

/** The pseudo-command of the greeting. */
export const CONNECT = 'CONNECT';
/** The pseudo-command of the reply after the message's final dot (RFC 5321 §4.1.1.4). */
export const END_OF_DATA = 'END-OF-DATA';

const COMMANDS = [
  CONNECT,
  'EHLO',
  'HELO',
  'LHLO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
  'DATA',
  END_OF_DATA,
  'RSET',
  'NOOP',
  'VRFY',
  'EXPN',
  'HELP',
  'QUIT',
];

/** Commands whose argument carries an address (the fault target). */
const WITH_ADDRESS = new Set(['MAIL', 'RCPT']);

export const SMTP_FAULTS: FaultProtocol = {
  tcp: true,
  actions: ['reply', 'close', 'reset', 'delayMs'],
  target: { separators: '@', ignoreCase: true, optionalLeadingSlash: false },
  check(rule) {
    const command = rule.match.command;
    if (command !== undefined && !COMMANDS.includes(command))
      return `match.command: SMTP has no command ${command} (one of ${COMMANDS.join(', ')})`;
    if (rule.match.target !== undefined && command !== undefined && !WITH_ADDRESS.has(command))
      return 'match.target: SMTP targets are the addresses of MAIL FROM and RCPT TO';
    return undefined;
  },
};

/** The address of `MAIL FROM:<a@b>` or `RCPT TO:<a@b> ...`, without the brackets. */
export function commandAddress(verb: string, line: string): string | undefined {
  if (!WITH_ADDRESS.has(verb)) return undefined;
  const m =
    /^[A-Za-z]+\s+(?:FROM|TO)\s*:\s*<([^>]*)>/i.exec(line) ?? /^[A-Za-z]+\s+(?:FROM|TO)\s*:\s*(\S+)/i.exec(line);
  return m?.[1];
}
