/**
 * The limits of each server that are settings of a run (config file, `startSuite({ limits })`):
 * one table per protocol, each entry its zod check, named as the protocol's own option, so the
 * value goes through unchanged. Defaults are the protocols' own (`*_DEFAULTS`). SECURITY.md and the
 * README's Limits section say what each one does.
 * @module
 */
import { z } from 'zod';
import { DNS_DEFAULTS } from '../protocols/dns/options.js';
import { FTP_DEFAULTS } from '../protocols/ftp/options.js';
import { HTTP_DEFAULTS } from '../protocols/http/options.js';
import { SMTP_DEFAULTS } from '../protocols/smtp/options.js';

/**
 * A whole number of `unit`, `min` or more; a bad value says what is expected and what it got
 * (`expected a whole number of milliseconds, 1 or more, got -5`). `zero` says what 0 means when
 * 0 is allowed.
 */
function whole(unit: string, min: number, zero?: string) {
  const expected = `expected a whole number of ${unit}, ${min} or more${zero ? ` (0 ${zero})` : ''}`;
  const error = (issue: { input?: unknown }) => `${expected}, got ${JSON.stringify(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).optional();
}

const connections = whole('connections', 1);
const ms = whole('milliseconds', 1);
const msOrOff = (what: string) => whole('milliseconds', 0, `turns ${what} off`);
const bytes = whole('bytes', 1);

/** Limit settings per protocol; each key is also the protocol's option of that name. */
export const LIMIT_SETTINGS = {
  http: {
    maxConnections: connections,
    maxConnectionsPerAddress: connections,
    idleTimeoutMs: msOrOff('the idle timeout'),
    maxHeaderBytes: bytes,
    headersTimeoutMs: ms,
    requestTimeoutMs: ms,
    maxBodyBytes: bytes,
    maxBodyBytesInFlight: bytes,
    maxBodyBytesInFlightPerAddress: bytes,
    maxStreams: whole('streams', 1),
    maxStreamsPerAddress: whole('streams', 1),
    keepAliveTimeoutMs: ms,
  },
  ftp: {
    maxConnections: connections,
    maxConnectionsPerAddress: connections,
    idleTimeoutMs: msOrOff('the idle timeout'),
    maxLineLength: whole('bytes', 512),
    maxBadCommands: whole('commands', 1),
    maxLoginFailures: whole('failures', 1),
    loginFailureDelayMs: whole('milliseconds', 0, 'answers a failed login at once'),
    maxLoginFailuresPerAddress: whole('failures', 0, 'turns the per-address throttle off'),
    loginFailureWindowMs: ms,
    dataConnectTimeoutMs: ms,
  },
  smtp: {
    maxRecipients: whole('recipients', 1),
    maxLineLength: whole('bytes', 512),
    maxConnections: connections,
    maxConnectionsPerAddress: connections,
    idleTimeoutMs: msOrOff('the idle timeout'),
    commandDeadlineMs: msOrOff('the deadline'),
  },
  dns: {
    maxConnections: connections,
    maxConnectionsPerAddress: connections,
    idleTimeoutMs: msOrOff('the idle timeout'),
    queryDeadlineMs: msOrOff('the deadline'),
    maxTcpQueryBytes: whole('bytes', 12),
    recvBufferSize: bytes,
    answerCacheEntries: whole('entries', 0, 'turns the answer cache off'),
  },
} as const;

type LimitProtocol = keyof typeof LIMIT_SETTINGS;
/** The resolved limits of one protocol: every setting of its table, a number. */
export type Limits<P extends LimitProtocol> = { readonly [K in keyof (typeof LIMIT_SETTINGS)[P]]: number };
/** Limits as given (a config file layer, `startSuite({ limits })`): any of them. */
export type LimitInput = { readonly [P in LimitProtocol]?: Partial<Limits<P>> };

function pick<P extends LimitProtocol>(protocol: P, from: Readonly<Record<string, unknown>>): Limits<P> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(LIMIT_SETTINGS[protocol])) out[key] = from[key] as number;
  return out as Limits<P>;
}

/** The protocols' own defaults for every limit setting. */
export const DEFAULT_LIMITS: { readonly [P in LimitProtocol]: Limits<P> } = Object.freeze({
  http: pick('http', HTTP_DEFAULTS),
  ftp: pick('ftp', FTP_DEFAULTS),
  smtp: pick('smtp', SMTP_DEFAULTS),
  dns: pick('dns', DNS_DEFAULTS),
});

/** The limits of `protocol` from merged layers (`given`, any keys) over the defaults. */
export function resolveLimits<P extends LimitProtocol>(
  protocol: P,
  given: Readonly<Record<string, unknown>>,
): Limits<P> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(LIMIT_SETTINGS[protocol]))
    out[key] =
      (given[key] as number | undefined) ?? ((DEFAULT_LIMITS[protocol] as Record<string, number>)[key] as number);
  return out as Limits<P>;
}

/** Just the limit settings of a protocol's resolved settings, for its service options. */
export function limitsOf<P extends LimitProtocol>(protocol: P, settings: Limits<P>): Limits<P> {
  return pick(protocol, settings as Readonly<Record<string, unknown>>);
}

/** The schema of `startSuite({ limits })`: the same checks, per protocol, nothing else. */
export const limitInputSchema = z
  .object({
    http: z.object(LIMIT_SETTINGS.http).strict().optional(),
    ftp: z.object(LIMIT_SETTINGS.ftp).strict().optional(),
    smtp: z.object(LIMIT_SETTINGS.smtp).strict().optional(),
    dns: z.object(LIMIT_SETTINGS.dns).strict().optional(),
  })
  .strict();
