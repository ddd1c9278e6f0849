/**
 * The FTP server: the shared {@link TcpServer} for the control connections, one
 * {@link FtpSession} per connection, the sandboxed root and optional TLS.
 * @module
 */

import fs from 'node:fs/promises';
import path from 'node:path';
import type tls from 'node:tls';
import { MinisuiteError } from '../../shared/errors.js';
import { connectionGate } from '../../shared/faults/connection-gate.js';
import { withDefaults } from '../../shared/options.js';
import { type TcpProtocolHandler, TcpServer } from '../../shared/tcp-server.js';
import { createServerContext } from '../../shared/tls.js';
import { implicitTls, listenWithTls } from '../../shared/tls-listener.js';
import { COMMANDS } from './commands.js';
import { LoginThrottle } from './login-throttle.js';
import { FTP_CLOSE_GRACE_MS, FTP_DEFAULTS, type FtpServerOptions, type ResolvedFtpOptions } from './options.js';
import { formatReply, reply } from './replies.js';
import { Sandbox } from './sandbox.js';
import { FtpSession } from './session.js';
import { removeStaleUploads } from './stale-uploads.js';

/** An account's home as a path under the root ("/" for the root itself); `..` never leaves it. */
function homeOf(home: string | undefined): string {
  const parts = (home ?? '/').split(/[\\/]/).filter((p) => p !== '' && p !== '.' && p !== '..');
  return `/${parts.join('/')}`;
}

export class FtpServer {
  readonly options: ResolvedFtpOptions;
  #tcp: TcpServer;
  /** The implicit-FTPS listener (with `tls`). */
  #tls: TcpServer | undefined;
  #sandbox: Sandbox | undefined;
  #homes = new Map<string, Sandbox>();
  #secureContext: tls.SecureContext | undefined;

  constructor(options: FtpServerOptions) {
    if (!options.root) throw new MinisuiteError('MS_CONFIG', 'ftp: a root folder is required');
    const root = path.resolve(options.root);
    // Type-checked, no cast: a default missing from FTP_DEFAULTS is a compile error here.
    this.options = {
      ...withDefaults(FTP_DEFAULTS, options),
      root,
      uploadDir: path.resolve(options.uploadDir ?? path.join(root, '..', '.ftp-uploads')),
    };
    this.#secureContext = options.tls ? createServerContext(options.tls) : undefined;
    const o = this.options;
    const logins = new LoginThrottle({ maxFailures: o.maxLoginFailuresPerAddress, windowMs: o.loginFailureWindowMs });
    const handler: TcpProtocolHandler = {
      onConnection: (conn) => {
        const sandbox = this.#sandbox;
        if (!sandbox) return conn.close();
        new FtpSession(conn, {
          options: this.options,
          sandbox,
          homes: this.#homes,
          secureContext: this.#secureContext,
          uploadDir: this.options.uploadDir,
          commands: COMMANDS,
          logins,
        });
      },
      onRejected: (socket, reason) => {
        const who = reason === 'address' ? 'from your address' : '';
        socket.write(formatReply(reply(421, `Too many connections${who ? ` ${who}` : ''}, try again later`)));
      },
      onEvicted: (conn) => {
        conn.write(formatReply(reply(421, 'Idle connection closed to make room for another client')));
      },
      onIdle: (conn) => {
        // A transfer in progress keeps the control connection quiet on purpose: look again later.
        if (conn.busy) {
          conn.socket.setTimeout(o.idleTimeoutMs);
          return;
        }
        conn.write(formatReply(reply(421, 'Timeout, closing control connection')));
        conn.end();
      },
      onShutdown: (conn) => {
        conn.write(formatReply(reply(421, 'Server shutting down')));
      },
    };
    const limits = {
      host: o.host,
      maxConnections: o.maxConnections,
      maxConnectionsPerAddress: o.maxConnectionsPerAddress,
      idleTimeoutMs: o.idleTimeoutMs,
      gate: connectionGate(o.faults, 'ftp'),
    };
    this.#tcp = new TcpServer({ ...limits, name: 'ftp', port: o.port }, handler);
    if (this.#secureContext) {
      // One context for the control and data connections of both listeners: its session ticket
      // keys are what lets a data connection resume the control connection's session.
      const { onRejected: _plainOnly, ...secureHandler } = handler;
      this.#tls = new TcpServer(
        { ...limits, name: 'ftps', port: o.ftpsPort ?? 0 },
        implicitTls(secureHandler, { context: this.#secureContext }),
      );
    }
  }

  /** The bound control port (after `listen()`). */
  get port(): number {
    return this.#tcp.port;
  }

  /** The bound implicit-FTPS port, or undefined without `tls`. */
  get ftpsPort(): number | undefined {
    return this.#tls?.port;
  }

  /** The real path of the served root (after `listen()`). */
  get root(): string {
    return this.#sandbox?.root ?? this.options.root;
  }

  /** The sandbox of the served root (after `listen()`). */
  get sandbox(): Sandbox {
    if (!this.#sandbox) throw new MinisuiteError('MS_CLOSED', 'ftp server not started');
    return this.#sandbox;
  }

  get connections(): number {
    return this.#tcp.connections.size + (this.#tls?.connections.size ?? 0);
  }

  get listening(): boolean {
    return this.#tcp.state === 'listening';
  }

  /**
   * Creates the root, each account's home folder under it and the upload folder (removing the
   * `.part` files of uploads a previous process left unfinished), then listens;
   * resolves with the control port.
   */
  async listen(): Promise<number> {
    const sandbox = await Sandbox.open(this.options.root);
    for (const user of this.options.users) {
      const home = homeOf(user.home);
      if (home === '/') continue;
      const dir = path.join(sandbox.root, home);
      await fs.mkdir(dir, { recursive: true });
      const own = await Sandbox.open(dir);
      // A home reached through a symlink that leads out of the root is refused, not served.
      if (!(await sandbox.contains(own.root)))
        throw new MinisuiteError('MS_CONFIG', `ftp: the home of ${user.name} (${home}) leaves the FTP root`);
      this.#homes.set(user.name, own);
    }
    this.#sandbox = sandbox;
    await fs.mkdir(this.options.uploadDir, { recursive: true });
    // Left by a process that died mid-upload: never complete, never to be finished.
    await removeStaleUploads(this.options.uploadDir);
    return listenWithTls(this.#tcp, this.#tls);
  }

  /** Graceful and idempotent: running transfers may finish within `graceMs`, then 421 and close. */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    const graceMs = options.graceMs ?? FTP_CLOSE_GRACE_MS;
    await Promise.all([this.#tcp.close({ graceMs }), this.#tls?.close({ graceMs })]);
  }
}
