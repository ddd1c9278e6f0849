/**
 * The FTP client: basic-ftp behind a small API on `ftp://user:pass@host:port/path` URLs, with
 * client-side exchange records and progress callbacks. Arguments with CR, LF or NUL are refused
 * (basic-ftp refuses them too; we fail earlier with a clear message).
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { Client, type FileInfo, FTPError } from 'basic-ftp';
import { MinisuiteError, ProtocolError } from '../../shared/errors.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { formatHostPort } from '../../shared/net-util.js';
import { FtpClientLog } from './client-log.js';

/** Default control port of ftp:// URLs (RFC 1738 §3.2). */
export const DEFAULT_FTP_PORT = 21;
/** Default timeout of one client operation. */
export const CLIENT_TIMEOUT_MS = 30_000;

export interface FtpUrl {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** Decoded path, '/' when none. */
  readonly path: string;
}

function refuseControlChars(text: string, what: string): string {
  if (/[\r\n\u0000]/.test(text)) throw new MinisuiteError('MS_USAGE', `${what} must not contain CR, LF or NUL`);
  return text;
}

/** Parses `ftp://user:pass@host:port/path` (user/pass/path percent-decoded; anonymous by default). */
export function parseFtpUrl(text: string): FtpUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MinisuiteError('MS_USAGE', `not a URL: ${text}`);
  }
  if (url.protocol !== 'ftp:') throw new MinisuiteError('MS_USAGE', `expected an ftp:// URL, got ${url.protocol}`);
  const decode = (s: string, what: string) => refuseControlChars(decodeURIComponent(s), what);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : DEFAULT_FTP_PORT,
    user: url.username ? decode(url.username, 'user name') : 'anonymous',
    password: url.password ? decode(url.password, 'password') : 'anonymous@',
    path: decode(url.pathname || '/', 'path') || '/',
  };
}

export interface FtpClientOptions {
  /** Client-side exchange records go here; default none. */
  readonly log?: ExchangeLog;
  /** `true`: explicit TLS (AUTH TLS, PROT P); `'implicit'`: implicit FTPS (TLS from the first byte); default false. */
  readonly tls?: boolean | 'implicit';
  /** Accept any server certificate; default false. */
  readonly insecure?: boolean;
  /** PEM certificate(s) the server is verified against instead of the system's CAs; default none. */
  readonly ca?: string;
  /** Timeout of one operation; default {@link CLIENT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

/** Turns basic-ftp's FTPError into our ProtocolError carrying the reply code. */
function wrap(err: unknown): never {
  if (err instanceof FTPError) throw new ProtocolError(err.code, err.message, { cause: err });
  throw err;
}

let nextSession = 1;

export class FtpClient {
  readonly #client: Client;
  readonly #recorder: FtpClientLog;
  #onBytes: ((bytes: number) => void) | undefined;
  /** Bytes of the current transfer's data connection, as basic-ftp's tracker last reported. */
  #transfer = { bytes: 0, upload: false };

  private constructor(client: Client, recorder: FtpClientLog) {
    this.#client = client;
    this.#recorder = recorder;
    // Always tracked: the transfer's record counts its data bytes, progress or not. basic-ftp
    // reports the final count before the transfer's promise settles.
    client.trackProgress((info) => {
      this.#transfer = { bytes: info.bytes, upload: info.type === 'upload' };
      this.#onBytes?.(info.bytes);
    });
  }

  /** Connects and logs in with the URL's credentials. */
  static async connect(target: string | FtpUrl, options: FtpClientOptions = {}): Promise<FtpClient> {
    const url = typeof target === 'string' ? parseFtpUrl(target) : target;
    const client = new Client(options.timeoutMs ?? CLIENT_TIMEOUT_MS);
    const recorder = new FtpClientLog(
      options.log,
      `ftp-client-${nextSession++}`,
      formatHostPort(url.host, url.port),
      () => (client.ftp.hasTLS ? 'tls' : 'tcp'),
    );
    client.ftp.verbose = true;
    client.ftp.log = (message: string) => recorder.onLog(message);
    try {
      await client.access({
        host: url.host,
        port: url.port,
        user: url.user,
        password: url.password,
        secure: options.tls ?? false,
        ...(options.insecure
          ? { secureOptions: { rejectUnauthorized: false } }
          : options.ca !== undefined
            ? { secureOptions: { ca: options.ca } }
            : {}),
      });
    } catch (err) {
      client.close();
      wrap(err);
    }
    return new FtpClient(client, recorder);
  }

  /** Calls `onBytes(total)` as a transfer progresses; undefined stops it. */
  onProgress(onBytes: ((bytes: number) => void) | undefined): void {
    this.#onBytes = onBytes;
  }

  list(path = '/'): Promise<FileInfo[]> {
    refuseControlChars(path, 'path');
    return this.#transferring(() => this.#client.list(path));
  }

  async download(path: string, destination: Writable | string, startAt = 0): Promise<void> {
    refuseControlChars(path, 'path');
    await this.#transferring(() => this.#client.downloadTo(destination, path, startAt));
  }

  async upload(source: Readable | string, path: string): Promise<void> {
    refuseControlChars(path, 'path');
    await this.#transferring(() => this.#client.uploadFrom(source, path));
  }

  /** Runs one transfer so that its record includes the data connection's bytes. */
  async #transferring<T>(run: () => Promise<T>): Promise<T> {
    this.#transfer = { bytes: 0, upload: false };
    this.#recorder.beginTransfer();
    try {
      return await run().catch(wrap);
    } finally {
      this.#recorder.endTransfer(this.#transfer.bytes, this.#transfer.upload ? 'out' : 'in');
    }
  }

  async size(path: string): Promise<number> {
    return this.#client.size(refuseControlChars(path, 'path')).catch(wrap);
  }

  async remove(path: string): Promise<void> {
    await this.#client.remove(refuseControlChars(path, 'path')).catch(wrap);
  }

  /** Creates a directory (and its parents, like `mkdir -p`), then returns to where it was. */
  async mkdir(path: string): Promise<void> {
    refuseControlChars(path, 'path');
    const here = await this.#client.pwd().catch(wrap);
    await this.#client.ensureDir(path).catch(wrap);
    await this.#client.cd(here).catch(wrap);
  }

  /** Sends a raw command and returns the reply (errors become ProtocolError). */
  async send(command: string): Promise<{ code: number; message: string }> {
    return this.#client.send(refuseControlChars(command, 'command')).catch(wrap);
  }

  close(): void {
    this.#client.close();
  }
}
