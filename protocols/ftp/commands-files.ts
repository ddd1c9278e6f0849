/**
 * File and directory commands on the sandbox (RFC 959 §4.1.1/§4.1.3, RFC 3659 SIZE/MDTM/MLST).
 * Every path goes through {@link Sandbox}; its refusals become 550/553 replies.
 * @module
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import { type EntryInfo, formatFacts, formatTimeVal } from './list-format.js';
import { quotePath, reply } from './replies.js';
import { virtualPath } from './sandbox.js';
import type { CommandSpec, CommandTable, FtpSession } from './session.js';

/** What the listing formats need from a `stat`. */
export function entryInfo(name: string, stats: Stats): EntryInfo {
  return {
    name,
    isDirectory: stats.isDirectory(),
    size: stats.size,
    mtime: stats.mtime,
    mode: stats.mode & 0o777,
    nlink: stats.nlink,
    dev: stats.dev,
    ino: stats.ino,
    uid: stats.uid,
    gid: stats.gid,
  };
}

const pwd: CommandSpec = { arg: 'none', handler: (s) => reply(257, `${quotePath(s.cwd)} is the current directory.`) };

const cwd: CommandSpec = {
  perm: 'e',
  async handler(s, arg) {
    // A bare CWD goes to the home directory, as pyftpdlib's does.
    const target = await s.sandbox.existing(s.cwd, arg.trim() === '' ? '/' : arg);
    if (!target.stats.isDirectory()) return reply(550, `${target.virtual}: Not a directory`);
    s.cwd = target.virtual;
    return reply(250, `Directory changed to ${target.virtual}`);
  },
};

const cdup: CommandSpec = {
  arg: 'none',
  perm: 'e',
  handler(s) {
    s.cwd = virtualPath(s.cwd, '..');
    return reply(250, `Directory changed to ${s.cwd}`);
  },
};

const mkd: CommandSpec = {
  arg: 'required',
  perm: 'm',
  async handler(s, arg) {
    const target = await s.sandbox.creatable(s.cwd, arg);
    await fs.mkdir(target.real);
    return reply(257, `${quotePath(target.virtual)} created`);
  },
};

const rmd: CommandSpec = {
  arg: 'required',
  perm: 'd',
  async handler(s, arg) {
    const target = await s.sandbox.existing(s.cwd, arg);
    if (target.virtual === '/') return reply(550, 'Cannot remove the root directory');
    if (!target.stats.isDirectory()) return reply(550, `${target.virtual}: Not a directory`);
    await fs.rmdir(target.real);
    return reply(250, 'Directory removed');
  },
};

async function mlst(s: FtpSession, arg: string) {
  const target = await s.sandbox.existing(s.cwd, arg.trim() === '' ? '.' : arg);
  const facts = formatFacts(entryInfo(target.virtual, target.stats), s.facts, s.account?.perms ?? '');
  // RFC 3659 §7.2: the facts line starts with exactly one space (formatReply indents it).
  return reply(250, `Listing ${quotePath(target.virtual)}:`, facts, 'End MLST.');
}

export const FILE_COMMANDS: CommandTable = {
  PWD: pwd,
  XPWD: pwd,
  CWD: cwd,
  XCWD: cwd,
  CDUP: cdup,
  XCUP: cdup,
  MKD: mkd,
  XMKD: mkd,
  RMD: rmd,
  XRMD: rmd,
  DELE: {
    arg: 'required',
    perm: 'd',
    async handler(s, arg) {
      const target = await s.sandbox.existing(s.cwd, arg);
      if (target.stats.isDirectory()) return reply(550, `${target.virtual}: Is a directory (use RMD)`);
      await fs.unlink(target.entry);
      return reply(250, 'File deleted');
    },
  },
  RNFR: {
    arg: 'required',
    perm: 'f',
    async handler(s, arg) {
      const source = await s.sandbox.existing(s.cwd, arg);
      if (source.virtual === '/') return reply(550, 'Cannot rename the root directory');
      s.renameFrom = { real: source.entry, virtual: source.virtual };
      return reply(350, 'Ready for RNTO');
    },
  },
  RNTO: {
    arg: 'required',
    perm: 'f',
    async handler(s, arg) {
      const source = s.renameFrom;
      s.renameFrom = undefined;
      if (!source) return reply(503, 'RNFR first');
      const target = await s.sandbox.creatable(s.cwd, arg);
      await fs.rename(source.real, target.real);
      return reply(250, 'Rename successful');
    },
  },
  SIZE: {
    arg: 'required',
    perm: 'l',
    async handler(s, arg) {
      // RFC 3659 §4: in ASCII mode the size is what a transfer would send, with every LF made CRLF;
      // like pyftpdlib we refuse rather than read the whole file to count them.
      if (s.type === 'A') return reply(550, 'SIZE not allowed in ASCII mode.');
      const target = await s.sandbox.existing(s.cwd, arg);
      if (!target.stats.isFile()) return reply(550, `${target.virtual} is not retrievable.`);
      return reply(213, String(target.stats.size));
    },
  },
  MDTM: {
    arg: 'required',
    perm: 'l',
    async handler(s, arg) {
      const target = await s.sandbox.existing(s.cwd, arg);
      // RFC 3659 §3.1: the modification time of a file; both pyftpdlib and vsftpd refuse directories.
      if (!target.stats.isFile()) return reply(550, `${target.virtual} is not retrievable`);
      return reply(213, formatTimeVal(target.stats.mtime));
    },
  },
  MLST: { perm: 'l', handler: mlst },
};
