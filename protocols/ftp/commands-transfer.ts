/**
 * Commands that move data over a data connection: RETR, STOR, APPE (RFC 959 §4.1.3), REST
 * offsets (RFC 3659 §5), LIST, NLST, MLSD (RFC 3659 §7), and STAT with a path.
 *
 * Upload rules: a plain STOR writes to a temporary file outside the served tree and renames it
 * into place only when the transfer completed, so an interrupted STOR leaves nothing at the
 * target name. APPE and REST+STOR are resume operations: they write into the existing file in
 * place (APPE at its end; REST n STOR overwrites from n and keeps any bytes past what it writes,
 * as pyftpdlib and vsftpd do), so an interrupted
 * resume keeps the bytes that arrived and can be resumed again.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fromNetworkAscii, toNetworkAscii } from './ascii.js';
import { stripListOptions } from './command-parser.js';
import { entryInfo } from './commands-files.js';
import { DataChannelError } from './data-channel.js';
import { SEND_CHUNK_BYTES, sendFile } from './file-sender.js';
import { formatListing, type ListingKind, readEntries } from './listing.js';
import { quotePath, reply } from './replies.js';
import type { CommandSpec, CommandTable, FtpSession, Outcome, TransferJob } from './session.js';

/** Read size for RETR: large chunks keep per-chunk overhead low on fast links. */
export const RETR_CHUNK_BYTES = SEND_CHUNK_BYTES;
/**
 * Files up to this size are read in one synchronous call and sent in one write: for small files
 * the open/read/close thread-pool round trips cost more than the read itself.
 */
export const SMALL_FILE_BYTES = 64 * 1024;

/** Reads a small file from `offset` at once (see {@link SMALL_FILE_BYTES}). */
function readSmall(file: string, offset: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SMALL_FILE_BYTES);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, offset + length);
      if (n === 0 || length + n >= buffer.length) {
        length += n;
        break;
      }
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** RFC 1123 §4.1.3.4: a REST offset the file cannot be positioned at is a 554 (pyftpdlib's text). */
function restBeyond(offset: number, size: number) {
  return reply(554, `REST position (${offset}) > file size (${size})`);
}

async function retr(s: FtpSession, arg: string): Promise<Outcome> {
  // The offset is used up by this RETR whatever becomes of it, as pyftpdlib's is.
  const offset = s.restOffset;
  s.restOffset = 0;
  const target = await s.sandbox.existing(s.cwd, arg);
  if (!target.stats.isFile()) return reply(550, `${target.virtual}: Not a plain file`);
  if (offset > target.stats.size) return restBeyond(offset, target.stats.size);
  const name = path.posix.basename(target.virtual);
  if (s.type === 'A')
    return {
      kind: 'transfer',
      opening: `Opening ASCII mode data connection for ${name} (${target.stats.size} bytes)`,
      readyText: `Data connection already open. Transfer starting for ${name} (${target.stats.size} bytes)`,
      async run(data, ctx) {
        const ascii = toNetworkAscii();
        ascii.on('data', (chunk: Buffer) => (ctx.bytesOut += chunk.length));
        await pipeline(createReadStream(target.real, { start: offset }), ascii, data);
        return reply(226, 'Transfer complete');
      },
    };
  return {
    kind: 'transfer',
    opening: `Opening BINARY mode data connection for ${name} (${target.stats.size} bytes)`,
    readyText: `Data connection already open. Transfer starting for ${name} (${target.stats.size} bytes)`,
    async run(data, ctx) {
      // Not over TLS: python's ssl (TLS 1.3) fails its unwrap() with SHUTDOWN_WHILE_IN_INIT when
      // data and close_notify follow the handshake that closely.
      if (target.stats.size <= SMALL_FILE_BYTES && !('encrypted' in data)) {
        const body = readSmall(target.real, offset);
        const finished = new Promise<void>((resolve, reject) => {
          data.once('error', reject);
          data.end(body, () => resolve());
        });
        // When the kernel took every byte at once, the 226 need not wait a loop turn for the
        // FIN: the data is already ahead of it. Otherwise wait until it is flushed.
        if (data.writableLength > 0) await finished;
        else finished.catch(() => {});
        ctx.bytesOut += body.length;
        return reply(226, 'Transfer complete');
      }
      // Buffers no larger than what is left to send (TLS sends small files this way too).
      const chunkBytes = Math.max(1, Math.min(RETR_CHUNK_BYTES, target.stats.size - offset));
      await sendFile(target.real, data, { offset, chunkBytes, onSent: (n) => (ctx.bytesOut += n) });
      return reply(226, 'Transfer complete');
    },
  };
}

/**
 * Writes the data connection into `file` from `start`; `flush` fsyncs before the file is closed,
 * so a 226 means the bytes are on disk. Resolves with the bytes written.
 */
async function receive(
  data: NodeJS.ReadableStream,
  file: string,
  flags: 'wx' | 'a' | 'r+',
  type: FtpSession['type'],
  start?: number,
) {
  const sink = createWriteStream(file, { flags, mode: 0o644, flush: true, ...(start !== undefined ? { start } : {}) });
  if (type === 'A') await pipeline(data, fromNetworkAscii(), sink);
  else await pipeline(data, sink);
  return sink.bytesWritten;
}

/** A pending REST makes no sense for APPE and STOU: pyftpdlib's 450, and the offset stays pending. */
function restPending(verb: string) {
  return reply(450, `Can't ${verb} while REST request is pending.`);
}

/** Stores into a temporary file and renames it to `target` once the transfer completed. */
function storeJob(s: FtpSession, target: string, opening: string, readyText?: string): TransferJob {
  const temp = path.join(s.host.uploadDir, `${randomUUID()}.part`);
  const type = s.type;
  return {
    kind: 'transfer',
    opening,
    ...(readyText !== undefined ? { readyText } : {}),
    async run(data, ctx) {
      ctx.bytesIn += await receive(data, temp, 'wx', type, 0);
      if (ctx.aborted()) throw new DataChannelError('aborted');
      await fs.rename(temp, target);
      return reply(226, 'Transfer complete');
    },
    cleanup: () => fs.rm(temp, { force: true }),
  };
}

function upload(mode: 'STOR' | 'APPE'): CommandSpec['handler'] {
  return async (s, arg) => {
    if (mode === 'APPE' && s.restOffset > 0) return restPending('APPE');
    const offset = s.restOffset;
    s.restOffset = 0;
    const target = await s.sandbox.creatable(s.cwd, arg);
    const existing = await fs.stat(target.real).catch(() => undefined);
    if (existing?.isDirectory()) return reply(550, `${target.virtual}: Is a directory`);
    const name = path.posix.basename(target.virtual);
    const opening = `Ok to send data for ${name}`;
    if (offset > 0 && !existing) return reply(550, `${target.virtual}: No such file to resume`);
    if (existing && offset > existing.size) return restBeyond(offset, existing.size);
    if (mode === 'APPE' || offset > 0)
      return inPlace(target.real, mode === 'APPE' ? 'a' : 'r+', offset, opening, s.type);
    return storeJob(s, target.real, opening);
  };
}

/** Characters of a STOU suffix (RFC 1123 §4.1.2.9: the server picks a name unique in the directory). */
const UNIQUE_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';
/** Tries at finding an unused STOU name before giving up with 450. */
const STOU_ATTEMPTS = 100;

/**
 * STOU [name]: stores under a new name in the working directory (or the argument's), `name.XXXXXXXX`
 * or `ftpd.XXXXXXXX` as pyftpdlib names them, announced as `150 FILE: name` (RFC 1123 §4.1.2.9).
 */
async function stou(s: FtpSession, arg: string): Promise<Outcome> {
  if (s.restOffset > 0) return restPending('STOU');
  const given = arg.trim();
  const prefix = given === '' ? 'ftpd' : path.posix.basename(given);
  const dir = given === '' ? '.' : path.posix.dirname(given);
  for (let i = 0; i < STOU_ATTEMPTS; i++) {
    const suffix = Array.from(randomBytes(8), (b) => UNIQUE_CHARS[b % UNIQUE_CHARS.length]).join('');
    const name = `${prefix}.${suffix}`;
    const target = await s.sandbox.creatable(s.cwd, path.posix.join(dir, name));
    if (await fs.lstat(target.real).catch(() => undefined)) continue;
    return storeJob(s, target.real, `FILE: ${name}`, `FILE: ${name}`);
  }
  return reply(450, 'No usable unique file name found.');
}

function inPlace(
  real: string,
  flags: 'a' | 'r+',
  offset: number,
  opening: string,
  type: FtpSession['type'],
): TransferJob {
  return {
    kind: 'transfer',
    opening,
    async run(data, ctx) {
      ctx.bytesIn += await receive(data, real, flags, type, flags === 'r+' ? offset : undefined);
      return reply(226, 'Transfer complete');
    },
  };
}

/** Resolves a listing argument: a directory gives its entries, a file gives itself. */
async function entriesOf(s: FtpSession, arg: string) {
  const target = await s.sandbox.existing(s.cwd, stripListOptions(arg) || '.');
  if (target.stats.isDirectory()) return { target, entries: await readEntries(s.sandbox, target.real) };
  return { target, entries: [entryInfo(path.posix.basename(target.virtual), target.stats)] };
}

function listing(kind: ListingKind): CommandSpec['handler'] {
  return async (s, arg) => {
    const { target, entries } = await entriesOf(s, arg);
    // RFC 3659 §7.2.1: 501 for a path that is not a directory. A missing one stays 550, unlike
    // pyftpdlib's 501: rclone (jlaffaye/ftp) takes only 550 as "no such directory" and creates it.
    if (kind === 'MLSD' && !target.stats.isDirectory()) return reply(501, 'No such directory.');
    const body = Buffer.from(formatListing(kind, entries, s.facts, s.account?.perms ?? ''), 'utf8');
    return {
      kind: 'transfer',
      opening: 'Here comes the directory listing',
      async run(data, ctx) {
        await pipeline(Readable.from(body.length > 0 ? [body] : []), data);
        ctx.bytesOut += body.length;
        return reply(226, 'Directory send OK');
      },
    };
  };
}

async function stat(s: FtpSession, arg: string): Promise<Outcome> {
  if (arg.trim() === '') {
    const who = s.account ? `Logged in as ${s.account.name}` : 'Not logged in';
    const state = s.transferring ? 'A transfer is in progress' : 'No transfer in progress';
    const type = `TYPE: ${s.type === 'A' ? 'ASCII' : 'Binary'}; STRUcture: File; MODE: Stream`;
    return reply(
      211,
      'minisuite FTP server status:',
      who,
      `Connected from ${s.conn.peer}`,
      type,
      state,
      'End of status.',
    );
  }
  if (!s.account) return reply(530, 'Please login with USER and PASS');
  const { target, entries } = await entriesOf(s, arg);
  const lines = formatListing('LIST', entries, s.facts, '').split('\r\n').filter(Boolean);
  return { ...reply(213, `Status of ${quotePath(target.virtual)}:`, ...lines, 'End of status.'), raw: true };
}

export const TRANSFER_COMMANDS: CommandTable = {
  RETR: { arg: 'required', perm: 'r', handler: retr },
  STOR: { arg: 'required', perm: 'w', handler: upload('STOR') },
  APPE: { arg: 'required', perm: 'a', handler: upload('APPE') },
  STOU: { perm: 'w', handler: stou },
  LIST: { perm: 'l', handler: listing('LIST') },
  NLST: { perm: 'l', handler: listing('NLST') },
  MLSD: { perm: 'l', handler: listing('MLSD') },
  STAT: { auth: false, handler: stat },
};
