/**
 * The http service as the CLI and startSuite run it. Placeholder until the http issue lands.
 * @module
 */
import { MinisuiteError } from '../../shared/errors.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import type { SuiteConfig } from '../../suite/config.js';

export class HttpService implements Service {
  readonly protocol = 'http' as const;
  readonly port: number;
  constructor(_ctx: ServiceContext, config: SuiteConfig) {
    this.port = config.http.port;
  }
  async start(): Promise<void> {
    throw new MinisuiteError('MS_LISTEN_FAILED', 'http: not implemented yet');
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
