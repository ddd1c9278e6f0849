/**
 * The command table: every verb the server knows, whether it needs a login, a permission letter or
 * an argument, and its handler. The handlers are grouped by concern in `commands-*.ts`.
 * @module
 */
import { ATTRIBUTE_COMMANDS } from './commands-attributes.js';
import { DATA_COMMANDS } from './commands-data.js';
import { FILE_COMMANDS } from './commands-files.js';
import { SESSION_COMMANDS } from './commands-session.js';
import { TRANSFER_COMMANDS } from './commands-transfer.js';
import type { CommandTable } from './session.js';

export type { CommandSpec, CommandTable } from './session.js';

export const COMMANDS: CommandTable = {
  ...SESSION_COMMANDS,
  ...FILE_COMMANDS,
  ...DATA_COMMANDS,
  ...TRANSFER_COMMANDS,
  ...ATTRIBUTE_COMMANDS,
};
