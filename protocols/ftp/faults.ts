/**
 * FTP faults: what a rule may do to an FTP exchange, and how a command is described to the
 * engine. A fault reply replaces the command (it does not run: a refused STOR writes nothing);
 * on a transfer command the data actions act on its data connection instead: `closeAfterBytes`
 * cuts it after N bytes (426, and an upload cut short is never published), `drop` opens it and
 * then stalls (until the client, ABOR or the idle timeout ends it: 426), and `latencyMs`,
 * `bandwidthBps`, `sliceBytes` slow down what the server sends on it.
 *
 * Commands: the verbs, plus `CONNECT` for the greeting. The target is the path argument resolved
 * against the working directory (`full/*` and `/full/*` both match `STOR full/x.txt`).
 * @module
 */
import path from 'node:path';
import type { FaultAction, FaultProtocol } from '../../shared/faults/rule.js';
import { stripListOptions } from './command-parser.js';

/** The pseudo-command of the greeting. */
export const CONNECT = 'CONNECT';

/** Commands that move data over a data connection. */
export const TRANSFER_VERBS = new Set(['RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'MLSD']);
/** Transfers in which the server sends (toxics slow what the server sends). */
const SENDING_VERBS = new Set(['RETR', 'LIST', 'NLST', 'MLSD']);
/** Commands whose argument is a path (the fault target). */
const PATH_VERBS = new Set([
  ...TRANSFER_VERBS,
  'CWD',
  'XCWD',
  'MKD',
  'XMKD',
  'RMD',
  'XRMD',
  'DELE',
  'RNFR',
  'RNTO',
  'SIZE',
  'MDTM',
  'MLST',
  'STAT',
]);
const LISTING_VERBS = new Set(['LIST', 'NLST', 'MLSD', 'STAT']);

/** Action fields that act on a transfer's data connection. */
const DATA_FIELDS = ['closeAfterBytes', 'drop', 'latencyMs', 'bandwidthBps', 'sliceBytes'] as const;
const SENDING_FIELDS = ['latencyMs', 'bandwidthBps', 'sliceBytes'] as const;

/** True when `action` acts on the data connection rather than replacing the command. */
export function isDataFault(action: FaultAction): boolean {
  return DATA_FIELDS.some((f) => action[f] !== undefined && action[f] !== false) && action.reply === undefined;
}

/** What FTP lets a rule do; `verbs` are the commands the server knows (its command table's keys). */
export function ftpFaults(verbs: readonly string[]): FaultProtocol {
  return {
    tcp: true,
    actions: ['reply', 'close', 'reset', 'delayMs', ...DATA_FIELDS],
    target: { separators: '/', ignoreCase: false, optionalLeadingSlash: true },
    check(rule) {
      const command = rule.match.command;
      const a = rule.action;
      if (command !== undefined && command !== CONNECT && !verbs.includes(command))
        return `match.command: FTP has no command ${command}`;
      if (command === CONNECT && a.reply !== undefined && !/^[45]/.test(a.reply))
        return 'action.reply: a CONNECT fault replaces the greeting with a failure (4xx or 5xx)';
      const data = DATA_FIELDS.filter((f) => a[f] !== undefined && a[f] !== false);
      if (data.length > 0 && a.reply !== undefined)
        return `action.${data[0]}: acts on the data connection, so it cannot come with a reply`;
      if (data.length > 0 && command !== undefined && !TRANSFER_VERBS.has(command))
        return `action.${data[0]}: acts on a data connection (${[...TRANSFER_VERBS].join(', ')}), not on ${command}`;
      const sending = SENDING_FIELDS.find((f) => a[f] !== undefined);
      if (sending && command !== undefined && !SENDING_VERBS.has(command))
        return `action.${sending}: slows what the server sends (${[...SENDING_VERBS].join(', ')}), not ${command}`;
      return undefined;
    },
  };
}

/** The fault target of `verb arg` in `cwd`: the virtual path, or undefined for commands without one. */
export function commandTarget(verb: string, arg: string, cwd: string): string | undefined {
  if (!PATH_VERBS.has(verb)) return undefined;
  const given = LISTING_VERBS.has(verb) ? stripListOptions(arg) : arg.trim();
  if (given === '' && verb === 'STAT') return undefined;
  return path.posix.resolve(cwd, given || '.');
}

/** Whether `action` means something for `verb` (data actions need a transfer). */
export function appliesToCommand(verb: string): (action: FaultAction) => boolean {
  if (TRANSFER_VERBS.has(verb)) {
    const sending = SENDING_VERBS.has(verb);
    return (action) => sending || !SENDING_FIELDS.some((f) => action[f] !== undefined);
  }
  return (action) => !isDataFault(action);
}
