/**
 * Session commands: login (RFC 959 §4.1.1, RFC 2577 §5), TLS (RFC 4217), features
 * (RFC 2389), representation settings and other small talk.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALL_PERMISSIONS, READ_PERMISSIONS, WRITE_PERMISSIONS } from './accounts.js';
import { help } from './help.js';
import { mlstFeature, selectFacts } from './list-format.js';
import { type Reply, reply } from './replies.js';
import type { CommandTable, FtpSession } from './session.js';

/** STRU and MODE: `only` is served, the letters of `known` get 504, anything else 501. */
function setting(arg: string, only: string, known: string, ok: string): Reply {
  const value = arg.trim().toUpperCase();
  if (value === only) return reply(200, ok);
  if (value.length === 1 && known.includes(value)) return reply(504, `Unimplemented type ${value}.`);
  return reply(501, `Unrecognized type ${value}.`);
}

/** User names that mean the anonymous, read-only login. */
export const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Compares secrets in constant time (the digest hides the length). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The FEAT lines (RFC 2389): exactly what works on this session. */
export function features(s: FtpSession): string[] {
  const list = ['EPRT', 'EPSV', 'MDTM', 'MFMT', mlstFeature(s.facts), 'PASV', 'REST STREAM', 'SIZE', 'TVFS', 'UTF8'];
  if (s.host.secureContext) list.unshift('AUTH TLS', 'PBSZ', 'PROT');
  return list;
}

async function pass(s: FtpSession, arg: string) {
  const name = s.pendingUser;
  if (name === undefined) return reply(503, 'Login with USER first');
  s.pendingUser = undefined;
  const { options } = s.host;
  if (options.anonymous && ANONYMOUS_NAMES.has(name.toLowerCase())) {
    s.account = { name: 'anonymous', perms: READ_PERMISSIONS, writable: false, sandbox: s.host.sandbox };
    return reply(230, 'Anonymous login ok, access is read-only');
  }
  // Per address, whatever the number of connections (login-throttle.ts): no password is even tried.
  const address = s.conn.remoteAddress;
  if (s.host.logins.blocked(address)) {
    s.after(() => s.conn.end());
    return reply(421, 'Too many failed logins from your address, try again later');
  }
  const account = options.users.find((u) => u.name === name);
  // Compare even for unknown users so the timing does not tell which names exist.
  const ok = sameSecret(account?.pass ?? '\u0000unknown', arg) && account !== undefined;
  if (ok) {
    const perms = account.perms ?? ALL_PERMISSIONS;
    s.account = {
      name,
      perms,
      writable: [...perms].some((p) => WRITE_PERMISSIONS.includes(p)),
      sandbox: s.host.homes.get(name) ?? s.host.sandbox,
    };
    s.cwd = '/';
    s.loginFailures = 0;
    return reply(230, 'Login successful');
  }
  s.loginFailures++;
  s.host.logins.fail(address);
  // RFC 2577 §5: slow down password guessing; the same reply for unknown user and wrong password.
  await sleep(options.loginFailureDelayMs * s.loginFailures, undefined, { ref: false });
  if (s.loginFailures >= options.maxLoginFailures || s.host.logins.blocked(address)) {
    s.after(() => s.conn.end());
    return reply(421, 'Too many failed logins, closing control connection');
  }
  return reply(530, 'Login incorrect');
}

export const SESSION_COMMANDS: CommandTable = {
  USER: {
    auth: false,
    arg: 'required',
    handler(s, arg) {
      // A new USER starts the login again: every account setting is flushed (RFC 959 §4.1.1).
      s.flushAccount();
      s.pendingUser = arg.trim();
      return ANONYMOUS_NAMES.has(s.pendingUser.toLowerCase()) && s.host.options.anonymous
        ? reply(331, 'Anonymous login ok, send your e-mail address as password')
        : reply(331, 'Please specify the password');
    },
  },
  PASS: { auth: false, handler: pass },
  QUIT: {
    auth: false,
    arg: 'none',
    handler(s) {
      s.after(() => s.conn.end());
      return reply(221, 'Goodbye');
    },
  },
  NOOP: { auth: false, arg: 'none', handler: () => reply(200, 'NOOP ok') },
  // Answered before login too, as pyftpdlib does: clients ask it first to pick a LIST parser.
  SYST: { auth: false, arg: 'none', handler: () => reply(215, 'UNIX Type: L8') },
  FEAT: { auth: false, arg: 'none', handler: (s) => reply(211, 'Features:', ...features(s), 'End') },
  REIN: {
    arg: 'none',
    handler(s) {
      // RFC 959 §4.1.1: back to the state right after the greeting. pyftpdlib's reply code.
      s.flushAccount();
      return reply(230, 'Ready for new user.');
    },
  },
  OPTS: {
    auth: false,
    arg: 'required',
    handler(s, arg) {
      const [option = '', ...rest] = arg.trim().split(/\s+/);
      const value = rest.join(' ');
      if (option.toUpperCase() === 'UTF8')
        // RFC 2640 practice: names are always UTF-8 here; OFF cannot be honoured.
        return value.toUpperCase() === 'OFF'
          ? reply(504, 'UTF8 cannot be switched off')
          : reply(200, 'Always in UTF8 mode');
      if (option.toUpperCase() === 'MLST') {
        s.facts = selectFacts(value);
        return reply(200, `MLST OPTS ${s.facts.map((f) => `${f};`).join('')}`);
      }
      return reply(501, `Option ${option} not understood`);
    },
  },
  HELP: {
    auth: false,
    handler: (s, arg) => help(s.host.commands, arg),
  },
  TYPE: {
    arg: 'required',
    handler(s, arg) {
      // RFC 959 §3.1.1: A (with its default format N) and L 7 are ASCII, I and L 8 binary; the
      // separating spaces are optional, as pyftpdlib reads them.
      const t = arg.toUpperCase().replace(/\s+/g, '');
      if (t === 'A' || t === 'AN' || t === 'L7') {
        s.type = 'A';
        return reply(200, 'Type set to: ASCII.');
      }
      if (t === 'I' || t === 'L8') {
        s.type = 'I';
        return reply(200, 'Type set to: Binary.');
      }
      return reply(504, `Unsupported type "${arg.trim()}".`);
    },
  },
  // RFC 959 §5.3.2 values: the known ones we do not implement get 504, anything else 501.
  STRU: { arg: 'required', handler: (_s, arg) => setting(arg, 'F', 'PR', 'File transfer structure set to: F.') },
  MODE: { arg: 'required', handler: (_s, arg) => setting(arg, 'S', 'BC', 'Transfer mode set to: S') },
  ALLO: { arg: 'required', handler: () => reply(202, 'No storage allocation necessary.') },
  REST: {
    arg: 'required',
    handler(s, arg) {
      // An offset into an ASCII stream is not an offset into the file: refused, as pyftpdlib does.
      if (s.type === 'A') return reply(501, 'Resuming transfers not allowed in ASCII mode.');
      if (!/^\d{1,15}$/.test(arg.trim())) return reply(501, 'Invalid parameter.');
      s.restOffset = Number(arg.trim());
      return reply(350, `Restarting at position ${s.restOffset}.`);
    },
  },
  ABOR: {
    arg: 'none',
    async handler(s) {
      return (await s.abortTransfer()) ? reply(226, 'ABOR successful') : reply(225, 'No transfer to abort');
    },
  },
  AUTH: {
    auth: false,
    arg: 'required',
    handler(s, arg) {
      const mech = arg.trim().toUpperCase();
      if (!s.host.secureContext) return reply(502, 'TLS is not enabled on this server (start with --tls)');
      if (s.secure) return reply(503, 'Already using TLS');
      // RFC 4217 §4: AUTH TLS; AUTH SSL is the older name clients still send, served the same way.
      if (mech !== 'TLS' && mech !== 'SSL' && mech !== 'TLS-C') return reply(504, `AUTH ${mech} not supported`);
      s.after(() => s.upgradeControl());
      return reply(234, `Proceed with negotiation`);
    },
  },
  PBSZ: {
    auth: false,
    arg: 'required',
    handler(s) {
      if (!s.secure) return reply(503, 'PBSZ needs AUTH TLS first');
      s.pbsz = true;
      // RFC 4217 §8: for TLS the buffer size is 0.
      return reply(200, 'PBSZ=0');
    },
  },
  PROT: {
    auth: false,
    arg: 'required',
    handler(s, arg) {
      if (!s.secure || !s.pbsz) return reply(503, 'PROT needs AUTH TLS and PBSZ first');
      const level = arg.trim().toUpperCase();
      if (level === 'P' || level === 'C') {
        s.protectData = level === 'P';
        return reply(200, `Protection level set to ${level}`);
      }
      return reply(level === 'S' || level === 'E' ? 536 : 504, `Protection level ${level} not supported`);
    },
  },
};
