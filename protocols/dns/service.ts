/**
 * The dns service as the CLI and startSuite run it. Placeholder until the dns issue lands.
 * @module
 */
import { MinisuiteError } from '../../shared/errors.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import type { SuiteConfig } from '../../suite/config.js';

export class DnsService implements Service {
  readonly protocol = 'dns' as const;
  readonly port: number;
  constructor(_ctx: ServiceContext, config: SuiteConfig) {
    this.port = config.dns.port;
  }
  async start(): Promise<void> {
    throw new MinisuiteError('MS_LISTEN_FAILED', 'dns: not implemented yet');
  }
  urls(): string[] {
    return [];
  }
  openConnections(): number {
    return 0;
  }
  healthy(): boolean {
    return false;
  }
  async close(): Promise<void> {}
}
