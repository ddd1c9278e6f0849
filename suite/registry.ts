/**
 * Which class serves which protocol. Each protocol plugs in here as a {@link Service}.
 * @module
 */
import { DnsService } from '../protocols/dns/service.js';
import { FtpService } from '../protocols/ftp/service.js';
import { HttpService } from '../protocols/http/service.js';
import { SmtpService } from '../protocols/smtp/service.js';
import type { Protocol } from '../shared/exchange.js';
import type { Service, ServiceContext } from '../shared/service.js';
import { dnsOptions, ftpOptions, httpOptions, smtpOptions } from './service-options.js';
import type { SuiteConfig } from './settings.js';

export type ServiceFactory = (ctx: ServiceContext, config: SuiteConfig) => Service;

/** The concrete service class of each protocol, for typed handles. */
export interface ServiceTypes {
  http: HttpService;
  ftp: FtpService;
  smtp: SmtpService;
  dns: DnsService;
}

export const SERVICE_FACTORIES: Readonly<Record<Protocol, ServiceFactory>> = {
  http: (ctx, config) => new HttpService(ctx, httpOptions(config)),
  ftp: (ctx, config) => new FtpService(ctx, ftpOptions(config)),
  smtp: (ctx, config) => new SmtpService(ctx, smtpOptions(config)),
  dns: (ctx, config) => new DnsService(ctx, dnsOptions(config)),
};

/**
 * Start order: DNS last, so its SRV records can name the real ports of the others;
 * HTTP after SMTP, whose mail store the console on it serves.
 */
export const START_ORDER: readonly Protocol[] = ['smtp', 'ftp', 'http', 'dns'];
