/**
 * TLS for STARTTLS (SMTP) and AUTH TLS (FTP): a certificate for localhost, 127.0.0.1 and ::1
 * generated on first use and kept in `DATA/tls`, or one the user gives; and server-side upgrade
 * of an existing plain socket.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { ConfigError, MinisuiteError } from './errors.js';

export interface TlsMaterial {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate. */
  readonly cert: string;
}

/** Days a generated certificate is valid. */
export const GENERATED_CERT_DAYS = 825;

const KEY_FILE = 'key.pem';
const CERT_FILE = 'cert.pem';

/** Makes a self-signed certificate for localhost, 127.0.0.1 and ::1. */
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

function stillValid(cert: string): boolean {
  try {
    const x509 = new X509Certificate(cert);
    return new Date(x509.validTo).getTime() > Date.now() + 86_400_000;
  } catch {
    return false;
  }
}

const pendingByDir = new Map<string, Promise<TlsMaterial>>();

/**
 * Returns the certificate kept in `dir` (normally `DATA/tls`), generating and saving one on first
 * use or when the kept one has expired. Concurrent callers for one folder share one generation.
 */
export function loadOrCreateCertificate(dir: string): Promise<TlsMaterial> {
  const key = path.resolve(dir);
  let pending = pendingByDir.get(key);
  if (!pending) {
    pending = loadOrCreate(key).finally(() => pendingByDir.delete(key));
    pendingByDir.set(key, pending);
  }
  return pending;
}

async function loadOrCreate(dir: string): Promise<TlsMaterial> {
  try {
    const [keyPem, certPem] = await Promise.all([
      fs.readFile(path.join(dir, KEY_FILE), 'utf8'),
      fs.readFile(path.join(dir, CERT_FILE), 'utf8'),
    ]);
    if (stillValid(certPem)) return { key: keyPem, cert: certPem };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new MinisuiteError('MS_TLS', `cannot read the certificate in ${dir}: ${(err as Error).message}`, {
        cause: err,
      });
  }
  const material = await generateLocalhostCertificate();
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Write to temporary names and rename, so a crash never leaves a key without its certificate.
  const tmpKey = path.join(dir, `.${KEY_FILE}.${process.pid}.tmp`);
  const tmpCert = path.join(dir, `.${CERT_FILE}.${process.pid}.tmp`);
  await fs.writeFile(tmpKey, material.key, { mode: 0o600 });
  await fs.writeFile(tmpCert, material.cert, { mode: 0o644 });
  await fs.rename(tmpKey, path.join(dir, KEY_FILE));
  await fs.rename(tmpCert, path.join(dir, CERT_FILE));
  return material;
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
      throw new ConfigError(field, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
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

/**
 * Upgrades an accepted plain socket to TLS as the server (STARTTLS, AUTH TLS) and resolves once
 * the handshake is done. Rejects (and destroys the socket) when the handshake fails or times out.
 */
export function upgradeServerSocket(
  socket: net.Socket,
  context: tls.SecureContext,
  options: { handshakeTimeoutMs?: number } = {},
): Promise<tls.TLSSocket> {
  const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
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
      secure.setNoDelay(true);
      resolve(secure);
    });
  });
}
