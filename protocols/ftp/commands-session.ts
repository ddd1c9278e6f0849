/**
 * Session commands: login (RFC 959 §4.1.1, RFC 2577 §5), TLS (RFC 4217), features
 * (RFC 2389), representation settings and other small talk.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALL_PERMISSIONS, READ_PERMISSIONS, WRITE_PERMISSIONS } from './accounts.js';
import { mlstFeature, selectFacts } from './list-format.js';
import { reply } from './replies.js';
import type { CommandTable, FtpSession } from './session.js';

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
      s.account = undefined;
      s.pendingUser = arg.trim();
      return ANONYMOUS_NAMES.has(s.pendingUser.toLowerCase()) && s.host.options.anonymous
        ? reply(331, 'Anonymous login ok, send your e-mail address as password')
        : reply(331, 'Please specify the password');
    },
  },
  PASS: { auth: false, handler: pass },
  QUIT: {
    auth: false,
    handler(s) {
      s.after(() => s.conn.end());
      return reply(221, 'Goodbye');
    },
  },
  NOOP: { auth: false, handler: () => reply(200, 'NOOP ok') },
  SYST: { handler: () => reply(215, 'UNIX Type: L8') },
  FEAT: { auth: false, handler: (s) => reply(211, 'Features:', ...features(s), 'End') },
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
    handler: () =>
      reply(
        214,
        'The following commands are recognized:',
        'ABOR ALLO APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HELP LIST MDTM MKD MLSD MLST MODE NLST NOOP OPTS',
        'PASS PASV PBSZ PORT PROT PWD QUIT REST RETR RMD RNFR RNTO SIZE STAT STOR STRU SYST TYPE USER',
        'Help OK',
      ),
  },
  TYPE: {
    arg: 'required',
    handler(_s, arg) {
      const t = arg.trim().toUpperCase().replace(/\s+/g, ' ');
      // ASCII is accepted and served as-is, like vsftpd's default (no LF/CRLF rewriting).
      if (t === 'A' || t === 'A N') return reply(200, 'Switching to ASCII mode');
      if (t === 'I' || t === 'L 8') return reply(200, 'Switching to Binary mode');
      return reply(504, `Type ${arg} not supported`);
    },
  },
  STRU: {
    arg: 'required',
    handler: (_s, arg) =>
      arg.trim().toUpperCase() === 'F' ? reply(200, 'Structure set to F') : reply(504, 'Only file structure'),
  },
  MODE: {
    arg: 'required',
    handler: (_s, arg) =>
      arg.trim().toUpperCase() === 'S' ? reply(200, 'Mode set to S') : reply(504, 'Only stream mode'),
  },
  ALLO: { handler: () => reply(202, 'ALLO not needed') },
  REST: {
    arg: 'required',
    handler(s, arg) {
      if (!/^\d{1,15}$/.test(arg.trim())) return reply(501, 'REST needs a byte offset');
      s.restOffset = Number(arg.trim());
      return reply(350, `Restarting at ${s.restOffset}. Send STOR or RETR`);
    },
  },
  ABOR: {
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
