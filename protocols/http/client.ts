/**
 * The HTTP client on Node's fetch (undici). It refuses CR/LF/NUL in the method, URL and headers,
 * maps connection failures to one clear message, streams large bodies to a sink with progress,
 * and records one client-side exchange per request.
 * @module
 */
import type { Writable } from 'node:stream';
import { errorMessage, MinisuiteError } from '../../shared/errors.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { Recorder } from '../../shared/recorder.js';

/** A request that could not be sent or answered (no HTTP status involved). */
export class HttpClientError extends MinisuiteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MS_CLIENT', message, options);
  }
}

export interface HttpRequestOptions {
  /** Default GET. */
  readonly method?: string;
  /** Header fields, as pairs (repeatable) or a record. */
  readonly headers?: readonly (readonly [string, string])[] | Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Where the client-side exchange record goes. */
  readonly log?: ExchangeLog;
  /**
   * Where to stream the body instead of returning it: a stream, or a function that picks one once
   * the status is known (undefined: return the body).
   */
  readonly sink?: Writable | ((status: number, headers: Headers) => Writable | undefined);
  /** Called as body bytes arrive; `total` is the Content-Length when known. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** Give up after this long; default {@link REQUEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /**
   * PEM certificate(s) an https:// server is verified against instead of the system's CAs
   * (e.g. the suite's `DATA/tls/ca.pem`); default none: the system's CAs.
   */
  readonly ca?: string;
  /** Accept any https:// server certificate; default false. Only for a server you cannot verify. */
  readonly insecure?: boolean;
}

export interface HttpClientResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body (empty when it went to `sink`). */
  readonly body: Buffer;
  /** Body bytes received. */
  readonly bytes: number;
}

/** Default time a client request may take end to end. */
export const REQUEST_TIMEOUT_MS = 5 * 60_000;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN = /[\r\n\0]/;

/** Throws when `value` would let an argument inject protocol lines (STYLE.md point 10). */
export function refuseControl(what: string, value: string): void {
  if (FORBIDDEN.test(value)) throw new HttpClientError(`${what} must not contain CR, LF or NUL`);
}

/** Parses a command-line header "Name: value". */
export function parseHeaderArg(text: string): [string, string] {
  refuseControl('header', text);
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!TOKEN.test(name)) throw new HttpClientError(`header '${text}' is not 'Name: value'`);
  return [name, text.slice(colon + 1).trim()];
}

function headerPairs(headers: HttpRequestOptions['headers']): [string, string][] {
  if (!headers) return [];
  const pairs: [string, string][] = Array.isArray(headers)
    ? headers.map(([n, v]) => [n, v])
    : Object.entries(headers as Record<string, string>);
  for (const [name, value] of pairs) {
    if (!TOKEN.test(name)) throw new HttpClientError(`header name '${name}' is not a valid token`);
    refuseControl(`header ${name}`, value);
  }
  return pairs;
}

/** "connection refused" for ECONNREFUSED and friends. */
function describeFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset by the server';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out';
    default:
      return cause?.message ?? errorMessage(err);
  }
}

/** Sends one request; resolves with any HTTP status (the caller decides what is a failure). */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpClientResponse> {
  const method = (options.method ?? 'GET').toUpperCase();
  if (!TOKEN.test(method)) throw new HttpClientError(`method '${method}' is not a valid token`);
  refuseControl('URL', url);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new HttpClientError(`'${url}' is not a URL`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new HttpClientError(`'${url}' is not an http:// or https:// URL`);
  const headers = headerPairs(options.headers);
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const where = target.host;
  const recorder = new Recorder(options.log, {
    protocol: 'http',
    side: 'client',
    transport: target.protocol === 'https:' ? 'tls' : 'tcp',
    session: 'http-client',
    peer: where,
  });
  const exchange = recorder.begin(`${method} ${target.pathname}${target.search}`);
  let received = 0;
  const record = (response: string, ok: boolean) => {
    exchange.bytesIn = received;
    exchange.end(response, ok, body?.length ?? 0);
  };
  const trusting = options.ca !== undefined || options.insecure ? await trustingFetch(options) : undefined;
  try {
    const signal = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      const init = { method, headers, ...(body !== undefined ? { body } : {}), signal, redirect: 'follow' } as const;
      res = trusting ? await trusting.fetch(target, init) : await fetch(target, init);
    } catch (err) {
      const reason = signal.aborted ? 'timed out' : describeFailure(err);
      record(`(${reason})`, false);
      throw new HttpClientError(`${method} ${url}: ${reason}`, { cause: err });
    }
    const totalHeader = Number(res.headers.get('content-length'));
    const total = Number.isFinite(totalHeader) && res.headers.has('content-length') ? totalHeader : undefined;
    const chunks: Buffer[] = [];
    const sink = typeof options.sink === 'function' ? options.sink(res.status, res.headers) : options.sink;
    try {
      if (res.body) {
        for await (const chunk of res.body) {
          const buf = Buffer.from(chunk);
          received += buf.length;
          if (sink) {
            if (!sink.write(buf)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
          } else chunks.push(buf);
          options.onProgress?.(received, total);
        }
      }
    } catch (err) {
      const reason = signal.aborted ? 'timed out' : describeFailure(err);
      record(`${res.status} ${res.statusText} (body incomplete: ${reason})`, false);
      throw new HttpClientError(`${method} ${url}: response body incomplete: ${reason}`, { cause: err });
    }
    record(`${res.status} ${res.statusText}`, res.status < 400);
    return {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
      body: Buffer.concat(chunks),
      bytes: received,
    };
  } finally {
    trusting?.close();
  }
}

/** undici's fetch on an Agent of its own that trusts `ca` (or anything, `insecure`); close it when done. */
interface TrustingFetch {
  fetch(target: URL, init: RequestInit): Promise<Response>;
  close(): void;
}

/**
 * Node's built-in fetch has no per-request CA, so a request with its own trust goes through
 * undici's fetch on an Agent given the CA. Loaded only when needed.
 */
async function trustingFetch(options: Pick<HttpRequestOptions, 'ca' | 'insecure'>): Promise<TrustingFetch> {
  const undici = await import('undici');
  const dispatcher = new undici.Agent({
    connect: options.insecure ? { rejectUnauthorized: false } : { ca: options.ca },
  });
  return {
    // undici's Response is what Node's fetch returns (the same library); only the type packages differ.
    fetch: async (target, init) =>
      (await undici.fetch(target, { ...(init as object), dispatcher })) as unknown as Response,
    close: () => void dispatcher.close().catch(() => {}),
  };
}
