/**
 * The command table: every verb the server knows, whether it needs a login, write access or an
 * argument, and its handler. The handlers are grouped by concern in `commands-*.ts`.
 * @module
 */
import { DATA_COMMANDS } from './commands-data.js';
import { FILE_COMMANDS } from './commands-files.js';
import { SESSION_COMMANDS } from './commands-session.js';
import { TRANSFER_COMMANDS } from './commands-transfer.js';
import type { FtpSession, Outcome } from './session.js';

export interface CommandSpec {
  readonly handler: (session: FtpSession, arg: string) => Outcome | Promise<Outcome>;
  /** Needs a logged-in user; default true (RFC 959: 530 before login). */
  readonly auth?: boolean;
  /** Changes the file system: refused (550) for the read-only anonymous login. */
  readonly write?: boolean;
  /** 'required': an empty argument gets 501. */
  readonly arg?: 'required';
}

export type CommandTable = Readonly<Record<string, CommandSpec>>;

export const COMMANDS: CommandTable = {
  ...SESSION_COMMANDS,
  ...FILE_COMMANDS,
  ...DATA_COMMANDS,
  ...TRANSFER_COMMANDS,
};
