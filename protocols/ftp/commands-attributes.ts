/**
 * Commands that change a file's attributes: `MFMT` (draft-somers-ftp-mfxx §3, "modify fact:
 * modification time", so rclone and lftp keep file times) and `SITE CHMOD` (pyftpdlib's `M`).
 * @module
 */
import fs from 'node:fs/promises';
import { siteHelp } from './help.js';
import { formatTimeVal } from './list-format.js';
import { reply } from './replies.js';
import type { CommandTable } from './session.js';

/** RFC 3659 §2.3 time-val: YYYYMMDDHHMMSS[.sss], always UTC. */
export function parseTimeVal(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,3}))?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC rolls 20240231 over into March: refuse what does not read back the same.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return date;
}

export const ATTRIBUTE_COMMANDS: CommandTable = {
  MFMT: {
    arg: 'required',
    perm: 'T',
    async handler(s, arg) {
      // "MFMT time-val SP pathname"; the path may hold spaces.
      const space = arg.indexOf(' ');
      const when = parseTimeVal(space < 0 ? arg : arg.slice(0, space));
      if (!when || space < 0) return reply(501, 'Syntax: MFMT YYYYMMDDHHMMSS[.sss] path');
      const target = await s.sandbox.existing(s.cwd, arg.slice(space + 1));
      if (!target.stats.isFile()) return reply(550, `${target.virtual}: Not a plain file`);
      await fs.utimes(target.real, target.stats.atime, when);
      // draft-somers-ftp-mfxx §3.2: 213 with the fact as set and the path.
      return reply(213, `Modify=${formatTimeVal(when)}; ${target.virtual}`);
    },
  },
  SITE: {
    arg: 'required',
    // SITE HELP works before login (as pyftpdlib's); SITE CHMOD needs one.
    auth: false,
    async handler(s, arg) {
      const [sub = '', ...rest] = arg.trim().split(/\s+/);
      const verb = sub.toUpperCase();
      if (verb === 'HELP') return siteHelp(rest.join(' '));
      // An unknown SITE command is an unknown command (RFC 959 §4.1.3 leaves SITE to the server).
      if (verb !== 'CHMOD') return reply(500, `Command "SITE ${verb}" not understood.`);
      if (!s.account) return reply(530, 'Please login with USER and PASS');
      const m = /^CHMOD\s+([0-7]{3,4})\s+(.+)$/i.exec(arg.trim());
      if (!s.account.perms.includes('M')) return reply(550, `Permission denied (${s.account.name} lacks 'M')`);
      if (!m) return reply(501, 'Syntax: SITE CHMOD mode path');
      const mode = Number.parseInt(m[1] as string, 8);
      // The owner keeps read and write: the server itself must go on reading and replacing the file.
      if (mode > 0o777 || (mode & 0o600) !== 0o600) return reply(501, 'SITE CHMOD: mode must be 600-777 (owner rw)');
      const target = await s.sandbox.existing(s.cwd, m[2] as string);
      await fs.chmod(target.real, mode);
      return reply(200, 'SITE CHMOD command successful');
    },
  },
};
