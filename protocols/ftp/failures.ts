/**
 * Turns a handler's failure into a reply (STYLE.md: errors become replies, never a crash).
 * @module
 */
import { errorMessage } from '../../shared/errors.js';
import { type Reply, reply } from './replies.js';
import { SandboxError } from './sandbox.js';

/** The reply for a handler failure: sandbox refusals are 550/553, anything else 451. */
export function failureReply(err: unknown): Reply {
  if (err instanceof SandboxError)
    return err.reason === 'forbidden-name' ? reply(553, err.message) : reply(550, err.message);
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return reply(550, 'No such file or directory');
  if (code === 'EEXIST') return reply(550, 'File exists');
  if (code === 'ENOTEMPTY') return reply(550, 'Directory not empty');
  if (code === 'EISDIR' || code === 'ENOTDIR') return reply(550, 'Not a plain file or directory as needed');
  if (code === 'EACCES' || code === 'EPERM') return reply(550, 'Permission denied');
  if (code === 'ENOSPC') return reply(452, 'Insufficient storage space');
  return reply(451, `Local error: ${errorMessage(err)}`);
}
