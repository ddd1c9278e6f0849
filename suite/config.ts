/**
 * The run configuration: defaults (`settings.ts`), a JSON/YAML file, then flags; validated with
 * zod so every error names its field.
 * @module
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseFtpUser, resolveFtpAccount } from '../protocols/ftp/accounts.js';
import { parseStub, StubError, type StubSpec } from '../protocols/http/stub-schema.js';
import { type Account, parseAccount } from '../shared/account.js';
import { ConfigError, fileReadError } from '../shared/errors.js';
import { PROTOCOLS } from '../shared/exchange.js';
import { parsePortRange } from '../shared/port-range.js';
import { LIMIT_SETTINGS, resolveLimits } from './limit-settings.js';
import { DEFAULT_CONFIG, type SuiteConfig } from './settings.js';

export { type Account, parseAccount } from '../shared/account.js';
export { type PortRange, parsePortRange } from '../shared/port-range.js';
export { DEFAULT_CONFIG, type SuiteConfig } from './settings.js';

/** A DNS name or IP address a certificate can carry (RFC 5280 §4.2.1.6), or a ConfigError. */
export function parseCertificateName(value: string, field: string): string {
  const name = value.trim().replace(/\.$/, '');
  const bare = name.replace(/^\[|\]$/g, '');
  if (net.isIP(bare)) return bare;
  if (!/^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(name))
    throw new ConfigError(field, `'${value}' is not a DNS name or IP address`);
  return name.toLowerCase();
}

const port = z.number().int().min(0).max(65535);
const account = z.union([z.string(), z.object({ name: z.string().min(1), pass: z.string().min(1) }).strict()]);
/** An FTP account: "NAME:PASS[:PERMS[:HOME]]" or an object with pyftpdlib's permission letters. */
const ftpAccount = z.union([
  z.string(),
  z
    .object({
      name: z.string().min(1),
      pass: z.string().min(1),
      perms: z.string().optional(),
      home: z.string().optional(),
    })
    .strict(),
]);

/** Schema of a config file (and of the merged settings before normalization). */
export const configFileSchema = z
  .object({
    protocols: z.array(z.enum(PROTOCOLS)).optional(),
    host: z.string().min(1).optional(),
    data: z.string().min(1).optional(),
    log: z.enum(['pretty', 'json']).optional(),
    tls: z.boolean().optional(),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    tlsNames: z.array(z.string().min(1)).optional(),
    http: z
      .object({
        port: port.optional(),
        httpsPort: port.optional(),
        stubs: z.array(z.unknown()).optional(),
        recordedBodyBytes: z.number().int().min(0).optional(),
        ...LIMIT_SETTINGS.http,
      })
      .strict()
      .optional(),
    ftp: z
      .object({
        port: port.optional(),
        users: z.array(ftpAccount).optional(),
        anonymous: z.boolean().optional(),
        pasvPorts: z.string().optional(),
        pasvAddress: z.string().min(1).optional(),
        ftpsPort: port.optional(),
        ...LIMIT_SETTINGS.ftp,
      })
      .strict()
      .optional(),
    smtp: z
      .object({
        port: port.optional(),
        smtpsPort: port.optional(),
        users: z.array(account).optional(),
        maxSize: z.number().int().positive().optional(),
        maxMessages: z.number().int().positive().optional(),
        ...LIMIT_SETTINGS.smtp,
      })
      .strict()
      .optional(),
    dns: z
      .object({
        port: port.optional(),
        zones: z.array(z.string().min(1)).optional(),
        allowUpdate: z.boolean().optional(),
        tsig: z.array(z.string().min(1)).optional(),
        allowTransfer: z.array(z.string().min(1)).optional(),
        dotPort: port.optional(),
        ...LIMIT_SETTINGS.dns,
      })
      .strict()
      .optional(),
    /** Fault rules (SPEC.md, Faults), each checked by the fault engine when the run starts. */
    faults: z.array(z.unknown()).optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** Validates a parsed file or object; the error names the first bad field. */
export function validateConfig(raw: unknown, source: string): ConfigFile {
  return validate(configFileSchema, raw, source);
}

/** `raw` checked against `schema`; else a ConfigError naming `source`, the first bad field and what it expects. */
export function validate<T>(schema: z.ZodType<T>, raw: unknown, source: string): T {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  let message = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') message = `unknown setting ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  throw new ConfigError(`${source} ${where}`, message);
}

/**
 * Reads a JSON or YAML config file. Relative paths inside it (`data`, `dns.zones`) are taken
 * relative to the file's folder.
 */
export function loadConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw fileReadError('--config', file, err);
  }
  let raw: unknown;
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(
      file,
      `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const cfg = validateConfig(raw, file);
  const dir = path.dirname(path.resolve(file));
  const rel = (p: string) => path.resolve(dir, p);
  return {
    ...cfg,
    ...(cfg.data !== undefined ? { data: rel(cfg.data) } : {}),
    ...(cfg.tlsCert !== undefined ? { tlsCert: rel(cfg.tlsCert) } : {}),
    ...(cfg.tlsKey !== undefined ? { tlsKey: rel(cfg.tlsKey) } : {}),
    ...(cfg.dns ? { dns: { ...cfg.dns, ...(cfg.dns.zones ? { zones: cfg.dns.zones.map(rel) } : {}) } } : {}),
  };
}

/** A stub from the config, validated; a bad one is a ConfigError naming its field. */
function configStub(raw: unknown, where: string): StubSpec {
  try {
    return parseStub(raw, where);
  } catch (err) {
    if (err instanceof StubError) throw new ConfigError(err.field, err.message.slice(err.field.length + 2));
    throw err;
  }
}

type AccountInput = string | Account;

function accounts(list: readonly AccountInput[] | undefined, field: string): Account[] {
  return (list ?? []).map((a, i) => (typeof a === 'string' ? parseAccount(a, `${field}[${i}]`) : a));
}

/** Merges layers (later wins) over the defaults and normalizes them. */
export function resolveConfig(...layers: ConfigFile[]): SuiteConfig {
  const m = (key: 'http' | 'ftp' | 'smtp' | 'dns') => Object.assign({}, ...layers.map((l) => l[key] ?? {}));
  const top = Object.assign(
    {},
    ...layers.map(({ http: _h, ftp: _f, smtp: _s, dns: _d, faults: _faults, ...rest }) => rest),
  ) as ConfigFile;
  const ftp = m('ftp') as NonNullable<ConfigFile['ftp']>;
  const smtp = m('smtp') as NonNullable<ConfigFile['smtp']>;
  const dns = m('dns') as NonNullable<ConfigFile['dns']>;
  const http = m('http') as NonNullable<ConfigFile['http']>;
  const d = DEFAULT_CONFIG;
  const protocols = top.protocols && top.protocols.length > 0 ? [...new Set(top.protocols)] : d.protocols;
  return {
    protocols: PROTOCOLS.filter((p) => protocols.includes(p)),
    host: top.host ?? d.host,
    data: top.data ?? d.data,
    log: top.log ?? d.log,
    tls: top.tls ?? d.tls,
    tlsCert: top.tlsCert,
    tlsKey: top.tlsKey,
    tlsNames: top.tlsNames ? top.tlsNames.map((n, i) => parseCertificateName(n, `tlsNames[${i}]`)) : d.tlsNames,
    http: {
      port: http.port ?? d.http.port,
      httpsPort: http.httpsPort ?? d.http.httpsPort,
      stubs: (http.stubs ?? []).map((stub, i) => configStub(stub, `http.stubs[${i}]`)),
      recordedBodyBytes: http.recordedBodyBytes ?? d.http.recordedBodyBytes,
      ...httpLimits(http),
    },
    ftp: {
      port: ftp.port ?? d.ftp.port,
      users: (ftp.users ?? []).map((a, i) =>
        typeof a === 'string' ? parseFtpUser(a, `ftp.users[${i}]`) : resolveFtpAccount(a, `ftp.users[${i}]`),
      ),
      anonymous: ftp.anonymous ?? d.ftp.anonymous,
      pasvPorts: ftp.pasvPorts ? parsePortRange(ftp.pasvPorts, 'ftp.pasvPorts') : d.ftp.pasvPorts,
      pasvAddress: ftp.pasvAddress,
      ftpsPort: ftp.ftpsPort ?? d.ftp.ftpsPort,
      ...resolveLimits('ftp', ftp),
    },
    smtp: {
      port: smtp.port ?? d.smtp.port,
      smtpsPort: smtp.smtpsPort ?? d.smtp.smtpsPort,
      users: accounts(smtp.users, 'smtp.users'),
      maxSize: smtp.maxSize ?? d.smtp.maxSize,
      maxMessages: smtp.maxMessages ?? d.smtp.maxMessages,
      ...resolveLimits('smtp', smtp),
    },
    dns: {
      port: dns.port ?? d.dns.port,
      zones: dns.zones ?? d.dns.zones,
      allowUpdate: dns.allowUpdate ?? d.dns.allowUpdate,
      tsig: dns.tsig ?? d.dns.tsig,
      allowTransfer: dns.allowTransfer ?? d.dns.allowTransfer,
      dotPort: dns.dotPort ?? d.dns.dotPort,
      ...resolveLimits('dns', dns),
    },
    // Rules add up across layers: a --fault comes on top of the config file's rules.
    faults: layers.flatMap((l) => l.faults ?? []),
  };
}

/** HTTP's limits; node refuses a head deadline past the whole request's, so that is said here. */
function httpLimits(http: NonNullable<ConfigFile['http']>) {
  const limits = resolveLimits('http', http);
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new ConfigError(
      'http.headersTimeoutMs',
      `${limits.headersTimeoutMs} is longer than http.requestTimeoutMs (${limits.requestTimeoutMs}); the head is part of the request: make it at most that`,
    );
  return limits;
}
