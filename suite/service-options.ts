/**
 * The suite's settings mapped onto each protocol's own options: the one place that knows both.
 * @module
 */
import type { DnsServiceOptions } from '../protocols/dns/options.js';
import type { FtpServiceOptions } from '../protocols/ftp/options.js';
import type { HttpServiceOptions } from '../protocols/http/options.js';
import type { SmtpServiceOptions } from '../protocols/smtp/options.js';
import { limitsOf } from './limit-settings.js';
import { DEFAULT_CONFIG, type SuiteConfig } from './settings.js';

export function httpOptions(config: SuiteConfig): HttpServiceOptions {
  return {
    port: config.http.port,
    httpsPort: config.http.httpsPort,
    stubs: config.http.stubs,
    recordedBodyBytes: config.http.recordedBodyBytes,
    ...limitsOf('http', config.http),
    // The fault API itself is never faulted: a rule on "/**" can still be removed.
    faultExempt: (p) => p === '/api/faults' || p.startsWith('/api/faults/'),
  };
}

/**
 * Passive ports: the configured range is used, skipping ports in use. When the control port is 0
 * (startSuite, tests) and the range is the default one, passive ports are any free port too, so
 * parallel suites never compete for the 50000-50100 range. Give an explicit other range to keep
 * a range with a control port of 0.
 */
export function ftpOptions(config: SuiteConfig): FtpServiceOptions {
  const ftp = config.ftp;
  const standard = DEFAULT_CONFIG.ftp.pasvPorts;
  const anyPasvPort = ftp.port === 0 && ftp.pasvPorts.from === standard.from && ftp.pasvPorts.to === standard.to;
  return {
    port: ftp.port,
    ftpsPort: ftp.ftpsPort,
    users: ftp.users,
    anonymous: ftp.anonymous,
    ...limitsOf('ftp', ftp),
    ...(anyPasvPort ? {} : { pasvPorts: ftp.pasvPorts }),
    ...(ftp.pasvAddress !== undefined ? { pasvAddress: ftp.pasvAddress } : {}),
  };
}

export function smtpOptions(config: SuiteConfig): SmtpServiceOptions {
  const smtp = config.smtp;
  return {
    port: smtp.port,
    smtpsPort: smtp.smtpsPort,
    users: smtp.users,
    maxMessageBytes: smtp.maxSize,
    maxMessages: smtp.maxMessages,
    ...limitsOf('smtp', smtp),
  };
}

/** The built-in zone's SRV records name the configured ports of services not in the run. */
export function dnsOptions(config: SuiteConfig): DnsServiceOptions {
  return {
    port: config.dns.port,
    dotPort: config.dns.dotPort,
    zones: config.dns.zones,
    allowUpdate: config.dns.allowUpdate,
    tsigKeys: config.dns.tsig,
    allowTransfer: config.dns.allowTransfer,
    ...limitsOf('dns', config.dns),
    srvPorts: { http: config.http.port, ftp: config.ftp.port, smtp: config.smtp.port },
  };
}
