/**
 * Flags of `minisuite start` (SPEC.md) turned into a config layer. Every error names the flag.
 * @module
 */
import { parseFtpUser } from '../protocols/ftp/accounts.js';
import { ConfigError } from '../shared/errors.js';
import { PROTOCOLS, type Protocol } from '../shared/exchange.js';
import { FaultRuleError } from '../shared/faults/rule.js';
import { parseFaultLine } from '../shared/faults/syntax.js';
import {
  type ConfigFile,
  loadConfigFile,
  parseAccount,
  parseCertificateName,
  parsePortRange,
  validateConfig,
} from '../suite/config.js';
import { createFaultEngine } from '../suite/faults.js';
import { closest, HelpRequested, listOf, parseCommand, UsageError } from './usage.js';

export const START_USAGE = `usage: minisuite start [http] [ftp] [smtp] [dns] [options]
  --host ADDR            listen address               (default 127.0.0.1)
  --http-port N          HTTP port                    (default 8080)
  --https-port N         with --tls: HTTPS port, h2 and HTTP/1.1 (default 8443)
  --ftp-port N           FTP control port             (default 2121)
  --ftps-port N          with --tls: implicit FTPS    (default 9900)
  --smtp-port N          SMTP port                    (default 2525)
  --smtps-port N         with --tls: implicit TLS, RFC 8314 (default 4650)
  --dns-port N           DNS port, UDP and TCP        (default 5300)
  --dot-port N           with --tls: DNS over TLS, RFC 7858 (default 8530)
  --data DIR             data root                    (default ./minisuite-data)
  --zone FILE            DNS zone file, repeatable    (default: built-in suite.test)
  --ftp-user NAME:PASS[:PERMS[:HOME]]
                         FTP account, repeatable; PERMS pyftpdlib's letters (default all,
                         elradfmwMT), HOME its / under the FTP root (created on start)
  --no-anonymous         turn anonymous FTP off
  --ftp-pasv-ports A-B   passive data ports           (default 50000-50100)
  --smtp-user NAME:PASS  SMTP account, repeatable; AUTH is then required
  --smtp-max-size BYTES  largest message              (default 10485760)
  --smtp-max-messages N  messages kept, oldest removed first (default 10000)
  --tls                  TLS on every protocol, with a certificate from the data folder's own CA
                         (DIR/tls, made on first use; minisuite tls ca prints it)
  --tls-name NAME        with --tls: one more name for the certificate, repeatable
                         (always: localhost, 127.0.0.1, ::1, --host, the built-in zone's names)
  --tls-cert FILE        with --tls: your PEM certificate instead (needs --tls-key)
  --tls-key FILE         with --tls: the PEM private key of --tls-cert
  --dns-allow-update     accept unsigned dynamic updates (RFC 2136; nsupdate)
  --dns-tsig NAME:ALG:SECRET
                         TSIG key (hmac-sha256, base64 secret) allowed to update
                         and transfer; repeatable
  --dns-allow-transfer ADDR
                         peer address allowed to AXFR; repeatable (default none)
  --fault SPEC           a fault rule in one line, repeatable, e.g.
                         'smtp RCPT *@blocked.test reply="451 4.7.1 Try again later" times=1'
  --config FILE          JSON or YAML settings; flags override it
  --log pretty|json      console format               (default pretty)
  -h, --help             this text`;

const OPTIONS = {
  host: { type: 'string' },
  'http-port': { type: 'string' },
  'https-port': { type: 'string' },
  'ftp-port': { type: 'string' },
  'ftps-port': { type: 'string' },
  'smtp-port': { type: 'string' },
  'smtps-port': { type: 'string' },
  'dns-port': { type: 'string' },
  'dot-port': { type: 'string' },
  data: { type: 'string' },
  zone: { type: 'string', multiple: true },
  'dns-allow-update': { type: 'boolean' },
  'dns-tsig': { type: 'string', multiple: true },
  'dns-allow-transfer': { type: 'string', multiple: true },
  'ftp-user': { type: 'string', multiple: true },
  'no-anonymous': { type: 'boolean' },
  'ftp-pasv-ports': { type: 'string' },
  'smtp-user': { type: 'string', multiple: true },
  'smtp-max-size': { type: 'string' },
  'smtp-max-messages': { type: 'string' },
  tls: { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  fault: { type: 'string', multiple: true },
  'tls-name': { type: 'string', multiple: true },
  config: { type: 'string' },
  log: { type: 'string' },
} as const;

function portFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new ConfigError(flag, `expected a port number 0-65535, got '${value}'`);
  return Number(value);
}

export interface StartArgs {
  readonly help: boolean;
  /** Layers for resolveConfig: the config file (if any), then the flags. */
  readonly layers: ConfigFile[];
}

/** Parses `minisuite start` arguments; throws ConfigError naming the flag. */
export function parseStartArgs(argv: string[]): StartArgs {
  let parsed: ReturnType<typeof parseCommand<typeof OPTIONS>>;
  try {
    parsed = parseCommand(argv, OPTIONS);
  } catch (err) {
    if (err instanceof HelpRequested) return { help: true, layers: [] };
    throw err;
  }
  const v = parsed.values;
  const protocols: Protocol[] = [];
  for (const name of parsed.positionals) {
    if (!(PROTOCOLS as readonly string[]).includes(name)) {
      const guess = closest(name, PROTOCOLS);
      // `npm start --http-port 9000` hands us only "9000": npm took the flag for itself.
      const npm = /^\d+$/.test(name) ? ' (with npm start, flags go after --: npm start -- --http-port 9000)' : '';
      throw new UsageError(
        `unknown protocol '${name}'; ${guess !== undefined ? `did you mean ${guess}?` : `expected ${listOf(PROTOCOLS)}`}${npm}`,
      );
    }
    protocols.push(name as Protocol);
  }
  let maxSize: number | undefined;
  if (v['smtp-max-size'] !== undefined) {
    if (!/^\d+$/.test(v['smtp-max-size']) || Number(v['smtp-max-size']) < 1)
      throw new ConfigError('--smtp-max-size', `expected a positive number of bytes, got '${v['smtp-max-size']}'`);
    maxSize = Number(v['smtp-max-size']);
  }
  let maxMessages: number | undefined;
  if (v['smtp-max-messages'] !== undefined) {
    if (!/^\d+$/.test(v['smtp-max-messages']) || Number(v['smtp-max-messages']) < 1)
      throw new ConfigError(
        '--smtp-max-messages',
        `expected a positive number of messages, got '${v['smtp-max-messages']}'`,
      );
    maxMessages = Number(v['smtp-max-messages']);
  }
  if (v.log !== undefined && v.log !== 'pretty' && v.log !== 'json')
    throw new ConfigError('--log', `expected pretty or json, got '${v.log}'`);
  if (v['ftp-pasv-ports'] !== undefined) parsePortRange(v['ftp-pasv-ports'], '--ftp-pasv-ports');
  const faults = (v.fault ?? []).map(faultFlag);
  const ftpUsers = (v['ftp-user'] ?? []).map((u) => parseFtpUser(u, '--ftp-user'));
  const smtpUsers = (v['smtp-user'] ?? []).map((u) => parseAccount(u, '--smtp-user'));
  const flags = validateConfig(
    strip({
      protocols: protocols.length > 0 ? protocols : undefined,
      host: v.host,
      data: v.data,
      log: v.log,
      tls: v.tls,
      tlsCert: v['tls-cert'],
      tlsKey: v['tls-key'],
      tlsNames: v['tls-name']?.map((n) => parseCertificateName(n, '--tls-name')),
      http: strip({
        port: portFlag(v['http-port'], '--http-port'),
        httpsPort: portFlag(v['https-port'], '--https-port'),
      }),
      ftp: strip({
        port: portFlag(v['ftp-port'], '--ftp-port'),
        ftpsPort: portFlag(v['ftps-port'], '--ftps-port'),
        users: ftpUsers.length > 0 ? ftpUsers : undefined,
        anonymous: v['no-anonymous'] ? false : undefined,
        pasvPorts: v['ftp-pasv-ports'],
      }),
      smtp: strip({
        port: portFlag(v['smtp-port'], '--smtp-port'),
        smtpsPort: portFlag(v['smtps-port'], '--smtps-port'),
        users: smtpUsers.length > 0 ? smtpUsers : undefined,
        maxSize,
        maxMessages,
      }),
      dns: strip({
        port: portFlag(v['dns-port'], '--dns-port'),
        zones: v.zone,
        allowUpdate: v['dns-allow-update'],
        tsig: v['dns-tsig'],
        allowTransfer: v['dns-allow-transfer'],
        dotPort: portFlag(v['dot-port'], '--dot-port'),
      }),
      faults: faults.length > 0 ? faults : undefined,
    }),
    'flags',
  );
  const layers: ConfigFile[] = [];
  if (v.config !== undefined) layers.push(loadConfigFile(v.config));
  layers.push(flags);
  return { help: false, layers };
}

/** One `--fault SPEC`, parsed and checked: an error quotes the line and names the rule's field. */
function faultFlag(line: string): unknown {
  try {
    const rule = parseFaultLine(line);
    createFaultEngine().validate(rule);
    return rule;
  } catch (err) {
    if (err instanceof FaultRuleError) throw new ConfigError('--fault', `'${line}': ${err.message}`);
    throw err;
  }
}

/** Drops undefined values (and objects left empty) so a layer only says what was given. */
function strip<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(obj)) {
    if (val === undefined) continue;
    if (typeof val === 'object' && val !== null && !Array.isArray(val) && Object.keys(val).length === 0) continue;
    out[k] = val;
  }
  return out as T;
}
