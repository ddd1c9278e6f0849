/**
 * The resolved settings of one run and their defaults (SPEC.md for `minisuite start`; the SMTP
 * limits are SMTP's own defaults). `config.ts` reads and merges layers over them.
 * @module
 */

import type { ResolvedFtpAccount } from '../protocols/ftp/accounts.js';
import { RECORDED_BODY_BYTES } from '../protocols/http/request-log.js';
import type { StubSpec } from '../protocols/http/stub-schema.js';
import { SMTP_DEFAULTS, SMTP_SERVICE_DEFAULTS } from '../protocols/smtp/options.js';
import type { Account } from '../shared/account.js';
import { PROTOCOLS, type Protocol } from '../shared/exchange.js';
import type { PortRange } from '../shared/port-range.js';
import { DEFAULT_LIMITS, type Limits } from './limit-settings.js';

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
  /** Names the generated certificate is valid for besides localhost, 127.0.0.1, ::1, `host` and the built-in zone's. */
  readonly tlsNames: readonly string[];
  readonly http: {
    readonly port: number;
    /** HTTPS (h2 and HTTP/1.1, and DoH) with `tls`. */
    readonly httpsPort: number;
    /** Stubs set at start (validated, SPEC "HTTP stubs"). */
    readonly stubs: readonly StubSpec[];
    /** Body bytes kept per recorded request. */
    readonly recordedBodyBytes: number;
  } & Limits<'http'>;
  readonly ftp: {
    readonly port: number;
    readonly users: readonly ResolvedFtpAccount[];
    readonly anonymous: boolean;
    readonly pasvPorts: PortRange;
    readonly pasvAddress: string | undefined;
    /** Implicit FTPS with `tls`. */
    readonly ftpsPort: number;
  } & Limits<'ftp'>;
  readonly smtp: {
    readonly port: number;
    /** Implicit TLS (RFC 8314) with `tls`. */
    readonly smtpsPort: number;
    readonly users: readonly Account[];
    readonly maxSize: number;
    /** Messages the store keeps; past it the oldest are removed. */
    readonly maxMessages: number;
  } & Limits<'smtp'>;
  readonly dns: {
    readonly port: number;
    readonly zones: readonly string[];
    /** Unsigned RFC 2136 updates accepted. */
    readonly allowUpdate: boolean;
    /** TSIG keys, NAME:ALG:SECRET. */
    readonly tsig: readonly string[];
    /** Peer addresses allowed to AXFR. */
    readonly allowTransfer: readonly string[];
    /** DNS over TLS (RFC 7858) port, with `tls`. */
    readonly dotPort: number;
  } & Limits<'dns'>;
  /** Fault rules of the config file and of `--fault`, in that order. */
  readonly faults: readonly unknown[];
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
  tlsNames: [],
  http: { port: 8080, httpsPort: 8443, stubs: [], recordedBodyBytes: RECORDED_BODY_BYTES, ...DEFAULT_LIMITS.http },
  ftp: {
    port: 2121,
    users: [],
    anonymous: true,
    pasvPorts: { from: 50000, to: 50100 },
    pasvAddress: undefined,
    ftpsPort: 9900,
    ...DEFAULT_LIMITS.ftp,
  },
  smtp: {
    port: 2525,
    smtpsPort: 4650,
    users: [],
    maxSize: SMTP_DEFAULTS.maxMessageBytes,
    maxMessages: SMTP_SERVICE_DEFAULTS.maxMessages,
    ...DEFAULT_LIMITS.smtp,
  },
  dns: { port: 5300, zones: [], allowUpdate: false, tsig: [], allowTransfer: [], dotPort: 8530, ...DEFAULT_LIMITS.dns },
  faults: [],
});
