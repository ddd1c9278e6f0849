/**
 * The SMTP client: nodemailer's SMTP transport (one connection per message) with its transaction
 * log turned into client-side exchange records, one per command and its final reply, secrets masked.
 * @module
 */
import net from 'node:net';
import nodemailer from 'nodemailer';
import { MinisuiteError, ProtocolError } from '../../shared/errors.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { formatHostPort } from '../../shared/net-util.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';
import { formatReply, maskCommand, replyOk } from './exchange-text.js';

export interface SendOptions {
  /** Server host; default 127.0.0.1. */
  readonly host?: string;
  /** Server port; default 2525 (SPEC.md). */
  readonly port?: number;
  /** Envelope and header sender; default `minisuite@localhost`. */
  readonly from?: string;
  /** Recipients (at least one). */
  readonly to: readonly string[];
  /** Subject; default none. */
  readonly subject?: string;
  /** Plain text body; default empty. */
  readonly text?: string;
  /** Account for AUTH; default none. */
  readonly user?: string;
  readonly pass?: string;
  /** Require STARTTLS (fail when not offered); default false: plain text, STARTTLS never tried. */
  readonly starttls?: boolean;
  /** Implicit TLS (SMTPS, RFC 8314): TLS from the first byte; default false. */
  readonly implicitTls?: boolean;
  /** PEM certificate(s) the server is verified against instead of the system's CAs; default none. */
  readonly ca?: string;
  /** With STARTTLS, accept any server certificate; default false: the certificate is verified. */
  readonly insecure?: boolean;
  /** Client-side exchange records go here. */
  readonly log?: ExchangeLog;
  /** Connection, greeting and per-reply timeout; default 10,000 ms. */
  readonly timeoutMs?: number;
}

export interface SendResult {
  /** The server's final reply to the message ("250 2.6.0 Stored ..."). */
  readonly response: string;
  readonly accepted: string[];
  readonly rejected: string[];
  readonly messageId: string;
}

/** Default `--server` (SPEC.md). */
export const DEFAULT_SMTP_HOST = '127.0.0.1';
export const DEFAULT_SMTP_PORT = 2525;
export const DEFAULT_FROM = 'minisuite@localhost';

let sessions = 0;

/** Throws when a value would smuggle CR, LF or NUL into a command or header line. */
export function assertSafe(name: string, value: string | undefined): void {
  if (value !== undefined && /[\r\n\u0000]/.test(value))
    throw new MinisuiteError('MS_CLIENT', `${name} must not contain CR, LF or NUL`);
}

/** Sends one message; resolves with the server's acknowledgement, rejects with a ProtocolError carrying the reply code. */
export async function sendMail(options: SendOptions): Promise<SendResult> {
  const host = options.host ?? DEFAULT_SMTP_HOST;
  const port = options.port ?? DEFAULT_SMTP_PORT;
  const from = options.from ?? DEFAULT_FROM;
  if (options.to.length === 0) throw new MinisuiteError('MS_CLIENT', 'at least one recipient is needed');
  for (const [name, value] of [
    ['--from', from],
    ['--subject', options.subject],
    ['--user', options.user],
    ['--pass', options.pass],
    ['--server', host],
    ...options.to.map((t) => ['--to', t] as const),
  ] as const)
    assertSafe(name, value);
  if ((options.user === undefined) !== (options.pass === undefined))
    throw new MinisuiteError('MS_CLIENT', 'user and pass go together');
  const recorder = new SmtpClientLog(options.log, `smtp-c${++sessions}`, formatHostPort(host, port));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: options.implicitTls === true,
    ignoreTLS: !options.starttls,
    requireTLS: options.starttls === true,
    // SNI takes host names only (RFC 6066 §3); an IP address is checked against the certificate's IP entries.
    tls: options.insecure
      ? { rejectUnauthorized: false }
      : { ...(options.ca !== undefined ? { ca: options.ca } : {}), ...(net.isIP(host) ? {} : { servername: host }) },
    ...(options.user !== undefined ? { auth: { user: options.user, pass: options.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    transactionLog: true,
    logger: recorder.logger,
  });
  try {
    const info = await transport.sendMail({
      from,
      to: [...options.to],
      subject: options.subject ?? '',
      text: options.text ?? '',
    });
    return {
      response: String(info.response),
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      messageId: String(info.messageId),
    };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message?: string; code?: string };
    if (typeof e.responseCode === 'number')
      throw new ProtocolError(e.responseCode, e.response ?? e.message ?? 'refused', { cause: err });
    throw new MinisuiteError('MS_CLIENT', `${formatHostPort(host, port)}: ${e.message ?? String(err)}`, { cause: err });
  } finally {
    transport.close();
  }
}

interface Open {
  readonly exchange: OpenExchange;
  verb: string;
  /** Got a 334/354: the next client lines belong to this exchange. */
  continuing: boolean;
}

/** Pairs nodemailer's transaction log lines ("client" commands, "server" replies) into records. */
class SmtpClientLog {
  #recorder: Recorder;
  #open: Open[] = [];

  constructor(log: ExchangeLog | undefined, session: string, peer: string) {
    this.#recorder = new Recorder(log, { protocol: 'smtp', side: 'client', transport: 'tcp', session, peer });
  }

  /** A bunyan-style logger for nodemailer: only the transaction entries matter. */
  readonly logger = {
    debug: (entry: { tnx?: string } | undefined, message?: unknown) => {
      if (typeof message !== 'string') return;
      if (entry?.tnx === 'client') this.#client(message);
      else if (entry?.tnx === 'server') this.#server(message);
    },
    info: (entry: { tnx?: string; outByteCount?: number } | undefined) => {
      // The message body is not in the transaction log; its size comes with this entry.
      const head = this.#open[0];
      if (entry?.tnx === 'message' && head?.verb === 'DATA' && typeof entry.outByteCount === 'number')
        head.exchange.bytesOut += entry.outByteCount;
    },
    warn: () => {},
    error: () => {},
    trace: () => {},
    fatal: () => {},
    level: () => {},
  };

  #client(line: string): void {
    const head = this.#open[0];
    if (head?.continuing) {
      // An AUTH answer or the end of DATA: part of the open exchange; secrets never shown.
      head.exchange.bytesOut += Buffer.byteLength(line) + 2;
      head.continuing = false;
      if (head.verb === 'AUTH') head.exchange.request = maskCommand(head.exchange.request, true);
      return;
    }
    const request = maskCommand(line);
    const exchange = this.#recorder.begin(request);
    exchange.bytesOut = Buffer.byteLength(line) + 2;
    this.#open.push({ exchange, verb: (request.split(' ', 1)[0] ?? '').toUpperCase(), continuing: false });
  }

  #server(text: string): void {
    const lines = text.split(/\r?\n/);
    const code = Number(/^(\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
    const body = lines.map((l) => l.slice(4));
    const bytesIn = lines.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
    const head = this.#open[0];
    if (!head) {
      this.#recorder.begin('(connect)', bytesIn).end(formatReply(code, body), replyOk(code));
      return;
    }
    head.exchange.bytesIn += bytesIn;
    if (code === 334 || code === 354) {
      head.continuing = true;
      return;
    }
    this.#open.shift();
    head.exchange.end(formatReply(code, body), replyOk(code));
    if (head.verb === 'STARTTLS' && code === 220) this.#recorder.transport = 'tls';
  }
}
