/**
 * The run configuration: defaults (SPEC.md), a JSON/YAML file, then flags; validated with zod so
 * every error names its field.
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  MAX_COMMAND_LINE_LENGTH,
  MAX_MESSAGE_BYTES,
  MAX_RECIPIENTS,
  MAX_SMTP_CONNECTIONS,
  SMTP_IDLE_TIMEOUT_MS,
} from '../protocols/smtp/limits.js';
import { ConfigError } from '../shared/errors.js';
import { PROTOCOLS, type Protocol } from '../shared/exchange.js';

export interface Account {
  readonly name: string;
  readonly pass: string;
}

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Parses "NAME:PASS" (the password may contain ':'). */
export function parseAccount(text: string, field: string): Account {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new ConfigError(field, `expected NAME:PASS, got '${text}'`);
  const name = text.slice(0, colon);
  if (/[\s\u0000-\u001f]/.test(name)) throw new ConfigError(field, `account name '${name}' contains white space`);
  return { name, pass: text.slice(colon + 1) };
}

/** Parses "A-B" into a port range. */
export function parsePortRange(text: string, field: string): PortRange {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1 || to > 65535 || from > to)
    throw new ConfigError(field, `expected a port range A-B within 1-65535, got '${text}'`);
  return { from, to };
}

const port = z.number().int().min(0).max(65535);
const account = z.union([z.string(), z.object({ name: z.string().min(1), pass: z.string().min(1) }).strict()]);

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
    http: z.object({ port: port.optional() }).strict().optional(),
    ftp: z
      .object({
        port: port.optional(),
        users: z.array(account).optional(),
        anonymous: z.boolean().optional(),
        pasvPorts: z.string().optional(),
        pasvAddress: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    smtp: z
      .object({
        port: port.optional(),
        users: z.array(account).optional(),
        maxSize: z.number().int().positive().optional(),
        maxRecipients: z.number().int().positive().optional(),
        maxLineLength: z.number().int().min(512).optional(),
        maxConnections: z.number().int().positive().optional(),
        idleTimeoutMs: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    dns: z
      .object({ port: port.optional(), zones: z.array(z.string().min(1)).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** The resolved settings of one run. */
export interface SuiteConfig {
  readonly protocols: readonly Protocol[];
  readonly host: string;
  readonly data: string;
  readonly log: 'pretty' | 'json';
  readonly tls: boolean;
  /** PEM certificate (chain) file to use instead of the generated one; with `tlsKey`. */
  readonly tlsCert: string | undefined;
  /** PEM private key file of `tlsCert`. */
  readonly tlsKey: string | undefined;
  readonly http: { readonly port: number };
  readonly ftp: {
    readonly port: number;
    readonly users: readonly Account[];
    readonly anonymous: boolean;
    readonly pasvPorts: PortRange;
    readonly pasvAddress: string | undefined;
  };
  readonly smtp: {
    readonly port: number;
    readonly users: readonly Account[];
    readonly maxSize: number;
    /** Recipients per message (more get 452). */
    readonly maxRecipients: number;
    /** Longest command line in bytes (RFC 5321 §4.5.3.1.4: at least 512). */
    readonly maxLineLength: number;
    readonly maxConnections: number;
    /** Idle session timeout; 0 disables. */
    readonly idleTimeoutMs: number;
  };
  readonly dns: { readonly port: number; readonly zones: readonly string[] };
}

/** SPEC.md defaults of `minisuite start`. */
export const DEFAULT_CONFIG: SuiteConfig = Object.freeze({
  protocols: PROTOCOLS,
  host: '127.0.0.1',
  data: './minisuite-data',
  log: 'pretty',
  tls: false,
  tlsCert: undefined,
  tlsKey: undefined,
  http: { port: 8080 },
  ftp: { port: 2121, users: [], anonymous: true, pasvPorts: { from: 50000, to: 50100 }, pasvAddress: undefined },
  smtp: {
    port: 2525,
    users: [],
    maxSize: MAX_MESSAGE_BYTES,
    maxRecipients: MAX_RECIPIENTS,
    maxLineLength: MAX_COMMAND_LINE_LENGTH,
    maxConnections: MAX_SMTP_CONNECTIONS,
    idleTimeoutMs: SMTP_IDLE_TIMEOUT_MS,
  },
  dns: { port: 5300, zones: [] },
});

/** Validates a parsed file or object; the error names the first bad field. */
export function validateConfig(raw: unknown, source: string): ConfigFile {
  const result = configFileSchema.safeParse(raw ?? {});
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
    throw new ConfigError('--config', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
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

type AccountInput = string | Account;

function accounts(list: readonly AccountInput[] | undefined, field: string): Account[] {
  return (list ?? []).map((a, i) => (typeof a === 'string' ? parseAccount(a, `${field}[${i}]`) : a));
}

/** Merges layers (later wins) over the defaults and normalizes them. */
export function resolveConfig(...layers: ConfigFile[]): SuiteConfig {
  const m = (key: 'http' | 'ftp' | 'smtp' | 'dns') => Object.assign({}, ...layers.map((l) => l[key] ?? {}));
  const top = Object.assign(
    {},
    ...layers.map(({ http: _h, ftp: _f, smtp: _s, dns: _d, ...rest }) => rest),
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
    http: { port: http.port ?? d.http.port },
    ftp: {
      port: ftp.port ?? d.ftp.port,
      users: accounts(ftp.users, 'ftp.users'),
      anonymous: ftp.anonymous ?? d.ftp.anonymous,
      pasvPorts: ftp.pasvPorts ? parsePortRange(ftp.pasvPorts, 'ftp.pasvPorts') : d.ftp.pasvPorts,
      pasvAddress: ftp.pasvAddress,
    },
    smtp: {
      port: smtp.port ?? d.smtp.port,
      users: accounts(smtp.users, 'smtp.users'),
      maxSize: smtp.maxSize ?? d.smtp.maxSize,
      maxRecipients: smtp.maxRecipients ?? d.smtp.maxRecipients,
      maxLineLength: smtp.maxLineLength ?? d.smtp.maxLineLength,
      maxConnections: smtp.maxConnections ?? d.smtp.maxConnections,
      idleTimeoutMs: smtp.idleTimeoutMs ?? d.smtp.idleTimeoutMs,
    },
    dns: { port: dns.port ?? d.dns.port, zones: dns.zones ?? d.dns.zones },
  };
}
