/**
 * Implicit TLS for any TCP protocol (HTTPS, SMTPS per RFC 8314, FTPS, DNS over TLS per RFC 7858):
 * a {@link TcpProtocolHandler} that runs the TLS handshake on each admitted connection first and
 * hands the protocol a connection that already speaks TLS. The connection counts against the
 * server's limit from the start, so clients stuck in a handshake cannot crowd others out beyond
 * it, and the handshake has its own timeout.
 * @module
 */
import type tls from 'node:tls';
import { isPeerReset } from './errors.js';
import type { TcpConnection, TcpProtocolHandler, TcpServer } from './tcp-server.js';
import { type UpgradeOptions, upgradeServerSocket } from './tls.js';

export interface ImplicitTlsOptions extends UpgradeOptions {
  /** The server's context (certificate, TLS 1.2+), made once per server. */
  readonly context: tls.SecureContext;
  /** A handshake failed (wrong name, unknown CA, not TLS at all); peer resets are not reported. */
  readonly onHandshakeFailed?: (conn: TcpConnection, error: Error) => void;
}

/** Wraps `handler` so each connection is TLS before the protocol sees it. */
export function implicitTls(handler: TcpProtocolHandler, options: ImplicitTlsOptions): TcpProtocolHandler {
  const ready = new WeakSet<TcpConnection>();
  return {
    onConnection(conn) {
      upgradeServerSocket(conn.socket, options.context, options).then(
        (secure) => {
          if (conn.closed) {
            secure.destroy();
            return;
          }
          conn.replaceSocket(secure);
          ready.add(conn);
          handler.onConnection(conn);
        },
        (err: Error) => {
          const cause = (err as { cause?: unknown }).cause;
          if (!conn.closed && !isPeerReset(cause ?? err)) options.onHandshakeFailed?.(conn, err);
          conn.close();
        },
      );
    },
    // A full server cannot say so in the protocol's words before a handshake: it just closes.
    onIdle(conn) {
      if (ready.has(conn) && handler.onIdle) handler.onIdle(conn);
      else if (!conn.busy) conn.close();
    },
    onShutdown(conn) {
      if (ready.has(conn)) handler.onShutdown?.(conn);
    },
  };
}

/**
 * Starts a protocol's plain listener, then its TLS one (if any); resolves with the plain port.
 * All or nothing: when the TLS port cannot be bound the plain one is closed again.
 */
export async function listenWithTls(plain: TcpServer, secure: TcpServer | undefined): Promise<number> {
  const port = await plain.listen();
  if (secure)
    try {
      await secure.listen();
    } catch (err) {
      await plain.close({ graceMs: 0 });
      throw err;
    }
  return port;
}
