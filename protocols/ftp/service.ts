/**
 * The ftp service as the CLI and startSuite run it, with helpers for tests on the served root:
 * the {@link FtpServer} on `DATA/files`, uploads in progress in `DATA/ftp-uploads`.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { urlHost } from '../../shared/net-util.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import type { EntryInfo } from './list-format.js';
import { readEntries } from './listing.js';
import type { FtpServiceOptions } from './options.js';
import { FtpServer } from './server.js';

export class FtpService implements Service {
  readonly protocol = 'ftp' as const;
  readonly server: FtpServer;
  #host: string;

  constructor(ctx: ServiceContext, options: FtpServiceOptions = {}) {
    this.#host = ctx.host;
    this.server = new FtpServer({
      ...options,
      root: path.join(ctx.dataDir, 'files'),
      uploadDir: path.join(ctx.dataDir, 'ftp-uploads'),
      host: ctx.host,
      ...(ctx.tls ? { tls: ctx.tls } : {}),
      log: ctx.log,
      faults: ctx.faults,
    });
  }

  get port(): number {
    return this.server.port;
  }

  /** `ftp://127.0.0.1:2121`. */
  get url(): string {
    return `ftp://${urlHost(this.#host)}:${this.port}`;
  }

  /** The served folder (`DATA/files`). */
  get root(): string {
    return this.server.root;
  }

  async start(): Promise<void> {
    await this.server.listen();
  }

  /** The implicit-FTPS port when TLS is on. */
  get tlsPort(): number | undefined {
    return this.server.ftpsPort;
  }

  /** `ftps://127.0.0.1:9900` (implicit FTPS) when TLS is on, else undefined. */
  get ftpsUrl(): string | undefined {
    const port = this.server.ftpsPort;
    return port === undefined ? undefined : `ftps://${urlHost(this.#host)}:${port}`;
  }

  urls(): string[] {
    const ftps = this.ftpsUrl;
    return ftps ? [this.url, ftps] : [this.url];
  }

  openConnections(): number {
    return this.server.connections;
  }

  healthy(): boolean {
    return this.server.listening;
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    return this.server.close(options);
  }

  /** Reads a file of the served tree (`/a/b.txt` or `a/b.txt`). A path leaving the root rejects. */
  async readFile(file: string): Promise<Buffer> {
    return fs.readFile(this.#real(file));
  }

  /** Writes a file into the served tree, creating folders as needed. A path leaving the root rejects. */
  async writeFile(file: string, data: string | Uint8Array): Promise<void> {
    const real = this.#real(file);
    await fs.mkdir(path.dirname(real), { recursive: true });
    await fs.writeFile(real, data);
  }

  /** Entries of a folder of the served tree (default the root). A path leaving the root rejects. */
  async list(dir = '/'): Promise<EntryInfo[]> {
    return readEntries(this.server.sandbox, this.#real(dir));
  }

  /** Throws for a path that leaves the root: callers are async, so that becomes their rejection. */
  #real(file: string): string {
    const parts = file.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw new Error(`path must stay inside the FTP root: ${file}`);
    return path.join(this.root, ...parts);
  }
}
