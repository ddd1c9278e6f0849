/**
 * Small reply helpers shared by the routes: JSON bodies, JSON errors (SPEC.md: `{"error": "..."}`),
 * and a bounded request-body reader.
 * @module
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { ProtocolError } from '../../shared/errors.js';

/** An HTTP failure a handler throws; the server answers it as a JSON error with `status`. */
export class HttpError extends ProtocolError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, message: string, options: { headers?: Record<string, string>; cause?: unknown } = {}) {
    super(status, message, { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** The reason phrase of a status ("Not Found"), or "" for unknown ones. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? '';
}

/** Writes `body` as JSON with the given status (HEAD gets the headers only; node drops the body). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Writes `{"error": message}` with the given status. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJson(res, status, { error: message }, headers);
}

/** Writes a text or HTML body. */
export function sendText(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Bodies already read for the request log (see {@link rememberBody}). */
const readBodies = new WeakMap<IncomingMessage, Buffer>();

/** Hands a body read before routing (by the request log) to the route's later {@link readBody}. */
export function rememberBody(req: IncomingMessage, body: Buffer): void {
  readBodies.set(req, body);
}

/**
 * Reads the whole request body, refusing more than `limit` bytes with 413 (RFC 9110 §15.5.14),
 * whether the length was announced or the body is chunked. `reserve(total)` is asked before
 * each chunk is kept (the server's budget for bodies in flight); false refuses with 503 at once.
 */
export function readBody(req: IncomingMessage, limit: number, reserve?: (total: number) => boolean): Promise<Buffer> {
  const known = readBodies.get(req);
  if (known !== undefined) return Promise.resolve(known);
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // Stop reading: the reply says Connection: close, so the rest is never parsed.
        req.pause();
        reject(bodyTooLarge(limit));
        return;
      }
      if (reserve && !reserve(size)) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(budgetSpent());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onAbort = () => {
      cleanup();
      reject(new HttpError(400, 'request body incomplete'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAbort);
      req.off('error', onAbort);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAbort);
    req.on('error', onAbort);
  });
}

/** RFC 9110 §15.6.4: the server cannot take this body now; another time it may. */
export function budgetSpent(): HttpError {
  return new HttpError(503, 'too many request bodies in flight, try again later', {
    headers: { Connection: 'close', 'Retry-After': '1' },
  });
}

function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `request body larger than ${limit} bytes`, { headers: { Connection: 'close' } });
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
