/**
 * HELP and SITE HELP (RFC 959 §4.1.3): the verbs of the command table, eight to a line as
 * pyftpdlib lays them out, or one verb's syntax; an unknown verb is a 501.
 * @module
 */
import { type Reply, reply } from './replies.js';
import type { CommandTable } from './session.js';

/** Syntax of each verb, for `HELP verb` (RFC 959 §5.3.1, RFC 2428, RFC 3659, RFC 4217). */
const SYNTAX: Readonly<Record<string, string>> = {
  ABOR: 'ABOR (abort transfer).',
  ALLO: 'ALLO <SP> bytes (noop; allocate storage).',
  APPE: 'APPE <SP> file-name (append data to file).',
  AUTH: 'AUTH <SP> TLS (set up secure control channel).',
  CDUP: 'CDUP (go to parent directory).',
  CWD: 'CWD [<SP> dir-name] (change working directory).',
  DELE: 'DELE <SP> file-name (delete file).',
  EPRT: 'EPRT <SP> |proto|ip|port| (extended active mode).',
  EPSV: 'EPSV [<SP> proto/"ALL"] (extended passive mode).',
  FEAT: 'FEAT (list all new features supported).',
  HELP: 'HELP [<SP> cmd] (show help).',
  LIST: 'LIST [<SP> path] (list files).',
  MDTM: 'MDTM [<SP> path] (file last modification time).',
  MFMT: 'MFMT <SP> timeval <SP> path (file update last modification time).',
  MKD: 'MKD <SP> path (create directory).',
  MLSD: 'MLSD [<SP> path] (list directory).',
  MLST: 'MLST [<SP> path] (show information about path).',
  MODE: 'MODE <SP> mode (noop; set data transfer mode).',
  NLST: 'NLST [<SP> path] (list path in a compact form).',
  NOOP: 'NOOP (just do nothing).',
  OPTS: 'OPTS <SP> cmd [<SP> option] (set option for command).',
  PASS: 'PASS [<SP> password] (set user password).',
  PASV: 'PASV (open passive data connection).',
  PBSZ: 'PBSZ <SP> 0 (negotiate TLS buffer).',
  PORT: 'PORT <sp> h,h,h,h,p,p (open active data connection).',
  PROT: 'PROT <SP> [C|P] (set up un/secure data channel).',
  PWD: 'PWD (get current working directory).',
  QUIT: 'QUIT (quit current session).',
  REIN: 'REIN (flush account).',
  REST: 'REST <SP> offset (set file offset).',
  RETR: 'RETR <SP> file-name (retrieve a file).',
  RMD: 'RMD <SP> dir-name (remove directory).',
  RNFR: 'RNFR <SP> file-name (rename (source name)).',
  RNTO: 'RNTO <SP> file-name (rename (destination name)).',
  SITE: 'SITE <SP> site-command (execute SITE command).',
  SIZE: 'SIZE <SP> file-name (get file size).',
  STAT: 'STAT [<SP> path name] (server stats [list files]).',
  STOR: 'STOR <SP> file-name (store a file).',
  STOU: 'STOU [<SP> name] (store a file with a unique name).',
  STRU: 'STRU <SP> type (noop; set file structure).',
  SYST: 'SYST (get operating system type).',
  TYPE: 'TYPE <SP> [A | I] (set transfer type).',
  USER: 'USER <SP> user-name (set username).',
  XCUP: 'XCUP (obsolete; go to parent directory).',
  XCWD: 'XCWD [<SP> dir-name] (obsolete; change directory).',
  XMKD: 'XMKD <SP> dir-name (obsolete; create directory).',
  XPWD: 'XPWD (obsolete; get current dir).',
  XRMD: 'XRMD <SP> dir-name (obsolete; remove directory).',
};

/** The SITE commands (commands-attributes.ts) and their syntax. */
export const SITE_SYNTAX: Readonly<Record<string, string>> = {
  CHMOD: 'SITE CHMOD <SP> mode path (change file mode).',
  HELP: 'SITE HELP [<SP> cmd] (show SITE command help).',
};

/** Names eight to a line, each padded to six columns. */
function columns(names: readonly string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 8)
    lines.push(
      names
        .slice(i, i + 8)
        .map((n) => ` ${n.padEnd(6)}`)
        .join(''),
    );
  return lines;
}

/** `HELP` lists the verbs of `commands`; `HELP verb` gives its syntax, 501 for a verb we do not know. */
export function help(commands: CommandTable, arg: string): Reply {
  const verb = arg.trim().toUpperCase();
  if (verb !== '') {
    if (!(verb in commands)) return reply(501, 'Unrecognized command.');
    return reply(214, `Syntax: ${SYNTAX[verb] ?? verb}`);
  }
  const names = Object.keys(commands).sort();
  return reply(214, 'The following commands are recognized:', ...columns(names), 'Help command successful.');
}

/** `SITE HELP [cmd]`, the same for the SITE commands. */
export function siteHelp(arg: string): Reply {
  const verb = arg.trim().toUpperCase();
  if (verb !== '') {
    const syntax = SITE_SYNTAX[verb];
    return syntax ? reply(214, `Syntax: ${syntax}`) : reply(501, 'Unrecognized SITE command.');
  }
  return reply(
    214,
    'The following SITE commands are recognized:',
    ...Object.keys(SITE_SYNTAX),
    'Help SITE command successful.',
  );
}
