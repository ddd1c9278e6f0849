/**
 * TLS basics shared by every protocol: a user-given certificate and key, the server context
 * (TLS 1.2 and later), and the server-side upgrade of a plain socket (STARTTLS, AUTH TLS, and
 * the implicit TLS of tls-listener.ts). The suite's own certificates come from tls-ca.ts.
 * @module
 */
import fs from 'node:fs/promises';
import type net from 'node:net';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { ConfigError, fileReadError, MinisuiteError } from './errors.js';

export interface TlsMaterial {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate (chain). */
  readonly cert: string;
}

/** Days a generated certificate is valid. */
export const GENERATED_CERT_DAYS = 825;

/** Makes a self-signed certificate for localhost, 127.0.0.1 and ::1 (for tests of one server alone). */
export async function generateLocalhostCertificate(days = GENERATED_CERT_DAYS): Promise<TlsMaterial> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + days * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * Reads a user-given PEM certificate and key, and checks they belong together (a mismatch would
 * otherwise only show at the first handshake). Errors name the file or the pair.
 */
export async function loadCertificateFiles(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const read = async (file: string, field: string) => {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      throw fileReadError(field, file, err);
    }
  };
  const material = { cert: await read(certFile, '--tls-cert'), key: await read(keyFile, '--tls-key') };
  try {
    tls.createSecureContext(material);
  } catch (err) {
    throw new ConfigError(
      '--tls-cert/--tls-key',
      `${certFile} and ${keyFile} are not a usable certificate and key: ${(err as Error).message}`,
    );
  }
  return material;
}

/** A secure context for servers; build it once per server, not per connection. */
export function createServerContext(material: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({ key: material.key, cert: material.cert, minVersion: 'TLSv1.2' });
}

/** Longest a TLS handshake may take before the connection is dropped. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface UpgradeOptions {
  /** Default {@link TLS_HANDSHAKE_TIMEOUT_MS}. */
  readonly handshakeTimeoutMs?: number;
  /** Application protocols offered in ALPN (RFC 7301), in order of preference; default none. */
  readonly alpn?: readonly string[];
}

/**
 * Upgrades an accepted plain socket to TLS as the server (STARTTLS, AUTH TLS) and resolves once
 * the handshake is done. Rejects (and destroys the socket) when the handshake fails or times out.
 */
export function upgradeServerSocket(
  socket: net.Socket,
  context: tls.SecureContext,
  options: UpgradeOptions = {},
): Promise<tls.TLSSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: context,
      ...(options.alpn ? { ALPNProtocols: [...options.alpn] } : {}),
    });
    const timer = setTimeout(() => fail(new MinisuiteError('MS_TLS', 'TLS handshake timed out')), timeoutMs);
    timer.unref();
    const fail = (err: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(err instanceof MinisuiteError ? err : new MinisuiteError('MS_TLS', err.message, { cause: err }));
    };
    secure.once('error', fail);
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.off('error', fail);
      // What tls.Server does once a handshake is done (node's onServerSocketSecure); node:http2
      // waits for a 'secureConnect' that never comes on a server socket while this is true.
      Object.assign(secure, { secureConnecting: false });
      secure.setNoDelay(true);
      resolve(secure);
    });
  });
}
