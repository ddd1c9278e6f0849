/**
 * DNS client: a query over UDP with a timeout and retries, falling back to TCP when the answer
 * comes back truncated (RFC 7766 §5), or over TCP directly. Returns the decoded answer (dns-packet)
 * and a client-side exchange record.
 * @module
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { MinisuiteError, TimeoutError } from '../../shared/errors.js';
import type { ExchangeLog, ExchangeRecord } from '../../shared/exchange.js';
import { formatHostPort, parseHostPort } from '../../shared/net-util.js';
import { Recorder } from '../../shared/recorder.js';
import { answerLine } from './answer-line.js';
import { MAX_UDP_PAYLOAD } from './edns.js';
import { rdataText, typeText } from './format.js';
import { MAX_LABEL_LENGTH, MAX_NAME_WIRE_LENGTH } from './names.js';
import { rcodeName } from './records.js';
import type { DnsTransport } from './responder.js';
import { frame, splitFrames } from './tcp-framing.js';
import { MAX_TCP_MESSAGE } from './truncation.js';

/** Server when none is given: minisuite's own default (SPEC.md). */
export const DEFAULT_SERVER = { host: '127.0.0.1', port: 5300 } as const;
/** How long one attempt waits for its answer. */
export const QUERY_TIMEOUT_MS = 2_000;
/** UDP attempts after the first one. */
export const QUERY_RETRIES = 2;

export interface DnsServerAddress {
  readonly host: string;
  readonly port: number;
}

export interface DnsQueryOptions {
  /** "HOST:PORT", "[::1]:PORT", "HOST" (port 5300) or an address; default 127.0.0.1:5300. */
  readonly server?: string | DnsServerAddress;
  /** Query over TCP from the start; default false. */
  readonly tcp?: boolean;
  /** DNS over TLS (RFC 7858): TCP framing inside TLS, the certificate verified; default false. */
  readonly tls?: boolean;
  /** With `tls`: PEM certificate(s) the server is verified against instead of the system's CAs. */
  readonly ca?: string;
  /** With `tls`: accept any server certificate; default false. */
  readonly insecure?: boolean;
  /** Per attempt; default {@link QUERY_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** UDP retries; default {@link QUERY_RETRIES}. */
  readonly retries?: number;
  /** Send an EDNS OPT advertising {@link MAX_UDP_PAYLOAD}; default true. */
  readonly edns?: boolean;
  /** Set RD; default false (minisuite is authoritative only). */
  readonly recursionDesired?: boolean;
  /** Where the client-side exchange record also goes. */
  readonly log?: ExchangeLog;
}

export interface DnsAnswer {
  /** "NOERROR", "NXDOMAIN", "BADVERS" (extended rcodes included). */
  readonly rcode: string;
  readonly packet: DecodedPacket;
  /** The transport of the answer (tcp after a TC fallback). */
  readonly transport: DnsTransport;
  /** The UDP answer was truncated and the query was repeated over TCP. */
  readonly fellBackToTcp: boolean;
  readonly server: string;
  readonly exchange: ExchangeRecord;
}

const FORBIDDEN = /[\r\n\0]/;

/** Parses "HOST:PORT" / "[v6]:PORT" / "HOST". */
export function parseServer(text: string): DnsServerAddress {
  if (FORBIDDEN.test(text)) throw new MinisuiteError('MS_CLIENT', 'server contains CR, LF or NUL');
  const address = parseHostPort(text, DEFAULT_SERVER.port);
  if (address === undefined) throw new MinisuiteError('MS_CLIENT', `expected HOST:PORT for the server, got '${text}'`);
  return address;
}

/** Checks a query name: no CR/LF/NUL, labels of 1-63 bytes, at most 255 bytes in wire form. */
export function checkName(name: string): string {
  if (FORBIDDEN.test(name)) throw new MinisuiteError('MS_CLIENT', 'name contains CR, LF or NUL');
  const trimmed = name.endsWith('.') && name !== '.' ? name.slice(0, -1) : name;
  if (trimmed === '.' || trimmed === '') return '.';
  const labels = trimmed.split('.');
  let wire = 1;
  for (const label of labels) {
    const size = Buffer.byteLength(label);
    if (size === 0) throw new MinisuiteError('MS_CLIENT', `empty label in '${name}'`);
    if (size > MAX_LABEL_LENGTH)
      throw new MinisuiteError('MS_CLIENT', `label '${label.slice(0, 20)}…' is longer than ${MAX_LABEL_LENGTH} bytes`);
    wire += size + 1;
  }
  if (wire > MAX_NAME_WIRE_LENGTH)
    throw new MinisuiteError('MS_CLIENT', `name is longer than ${MAX_NAME_WIRE_LENGTH} bytes`);
  return trimmed;
}

/** dns-packet's name of a type given as "A", "aaaa" or "TYPE99" (RFC 3597). */
export function checkType(type: string): RecordType {
  const upper = type.toUpperCase();
  const numeric = /^TYPE(\d{1,5})$/.exec(upper);
  if (numeric) {
    const code = Number(numeric[1]);
    if (code < 1 || code > 65535) throw new MinisuiteError('MS_CLIENT', `record type '${type}' is out of range`);
    return `UNKNOWN_${code}` as RecordType;
  }
  if (upper === 'OPT' || typeCodeOf(upper) === undefined)
    throw new MinisuiteError('MS_CLIENT', `unknown record type '${type}'`);
  return upper as RecordType;
}

/** The code dns-packet gives a type name, found by encoding a question (its table is not exported). */
function typeCodeOf(upper: string): number | undefined {
  try {
    const buf = dnsPacket.encode({ questions: [{ name: 'a', type: upper as RecordType }] });
    const code = buf.readUInt16BE(buf.length - 4);
    return code === 0 ? undefined : code;
  } catch {
    return undefined;
  }
}

/** The full rcode: header bits plus the OPT's extended bits (RFC 6891 §6.1.3). */
export function fullRcode(buf: Buffer, packet: DecodedPacket): number {
  const opt = packet.additionals?.find((a) => a.type === 'OPT');
  const extended = opt && 'extendedRcode' in opt ? opt.extendedRcode : 0;
  return (extended << 4) | (buf.readUInt16BE(2) & 0xf);
}

function withTimeout<T>(what: string, ms: number, run: (done: (err: Error | null, value?: T) => void) => () => void) {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {};
    const timer = setTimeout(() => finish(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
    const finish = (err: Error | null, value?: T) => {
      clearTimeout(timer);
      cleanup();
      if (err) reject(err);
      else resolve(value as T);
    };
    cleanup = run(finish);
  });
}

async function overUdp(message: Buffer, server: DnsServerAddress, timeoutMs: number, retries: number) {
  const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
  const id = message.readUInt16BE(0);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTimeout<Buffer>(`udp ${formatHostPort(server.host, server.port)}`, timeoutMs, (done) => {
          const onMessage = (data: Buffer) => {
            // Only the answer to this query counts (RFC 5452 §4.3: match ID and question).
            if (data.length >= 12 && data.readUInt16BE(0) === id && data[2] !== undefined && data[2] & 0x80)
              done(null, data);
          };
          const onError = (err: Error) => done(new MinisuiteError('MS_CLIENT', `udp: ${err.message}`, { cause: err }));
          socket.on('message', onMessage);
          socket.on('error', onError);
          socket.send(message, server.port, server.host);
          return () => {
            socket.off('message', onMessage);
            socket.off('error', onError);
          };
        });
      } catch (err) {
        if (!(err instanceof TimeoutError) || attempt >= retries) throw err;
      }
    }
  } finally {
    socket.close();
  }
}

/** TLS settings of a DNS-over-TLS query. */
interface DotTrust {
  readonly ca?: string | undefined;
  readonly insecure?: boolean | undefined;
}

function overTcp(message: Buffer, server: DnsServerAddress, timeoutMs: number, dot?: DotTrust): Promise<Buffer> {
  const where = formatHostPort(server.host, server.port);
  const name = dot ? 'tls' : 'tcp';
  return withTimeout<Buffer>(`${name} ${where}`, timeoutMs, (done) => {
    const socket = dot
      ? tls.connect({
          host: server.host,
          port: server.port,
          ...(net.isIP(server.host) ? {} : { servername: server.host }),
          ...(dot.insecure ? { rejectUnauthorized: false } : dot.ca !== undefined ? { ca: dot.ca } : {}),
        })
      : net.connect({ host: server.host, port: server.port });
    let pending: Buffer = Buffer.alloc(0);
    socket.on(dot ? 'secureConnect' : 'connect', () => socket.write(frame(message)));
    socket.on('data', (chunk: Buffer) => {
      const split = splitFrames(Buffer.concat([pending, chunk]), MAX_TCP_MESSAGE);
      pending = split.rest;
      const answer = split.frames.find((f) => f.length >= 2 && f.readUInt16BE(0) === message.readUInt16BE(0));
      if (answer) done(null, Buffer.from(answer));
    });
    socket.on('error', (err) =>
      done(new MinisuiteError('MS_CLIENT', `${name} ${where}: ${err.message}`, { cause: err })),
    );
    socket.on('close', () => done(new MinisuiteError('MS_CLIENT', `${name} ${where}: closed without an answer`)));
    return () => socket.destroy();
  });
}

/** The client's response line: the answer data, as the server's (answer-line.ts). */
function answerSummary(rcode: string, packet: DecodedPacket): string {
  const items = (packet.answers ?? []).map((a) => ({ type: typeText(a.type), text: rdataText(a) }));
  return answerLine(rcode, items, packet.flag_tc === true);
}

/** Asks `server` for `type` records of `name`. Rejects with TimeoutError when nothing answers. */
export async function query(name: string, type = 'A', options: DnsQueryOptions = {}): Promise<DnsAnswer> {
  const qname = checkName(name);
  const qtype = checkType(type);
  const server = typeof options.server === 'string' ? parseServer(options.server) : (options.server ?? DEFAULT_SERVER);
  const timeoutMs = options.timeoutMs ?? QUERY_TIMEOUT_MS;
  const edns = options.edns ?? true;
  const message = dnsPacket.encode({
    type: 'query',
    id: Math.floor(Math.random() * 65536),
    flags: options.recursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ name: qname, type: qtype, class: 'IN' }],
    additionals: edns
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: MAX_UDP_PAYLOAD,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [],
  });
  const peer = formatHostPort(server.host, server.port);
  const recorder = new Recorder(options.log, {
    protocol: 'dns',
    side: 'client',
    transport: options.tls ? 'tls' : options.tcp ? 'tcp' : 'udp',
    session: 'dns-client',
    peer,
  });
  const exchange = recorder.begin(`${qtype.replace(/^UNKNOWN_/, 'TYPE')} ${qname}`, 0);
  let transport: DnsTransport = options.tls ? 'tls' : options.tcp ? 'tcp' : 'udp';
  let fellBackToTcp = false;
  let raw =
    transport === 'tls'
      ? await overTcp(message, server, timeoutMs, { ca: options.ca, insecure: options.insecure })
      : transport === 'tcp'
        ? await overTcp(message, server, timeoutMs)
        : await overUdp(message, server, timeoutMs, options.retries ?? QUERY_RETRIES);
  if (transport === 'udp' && (raw.readUInt16BE(2) & 0x0200) !== 0) {
    transport = 'tcp';
    fellBackToTcp = true;
    raw = await overTcp(message, server, timeoutMs);
  }
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(raw);
  } catch (err) {
    throw new MinisuiteError('MS_PROTOCOL', `malformed answer from the server: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const rcode = rcodeName(fullRcode(raw, packet));
  recorder.transport = transport;
  exchange.bytesIn = raw.length;
  const response = answerSummary(rcode, packet);
  const ok = rcode === 'NOERROR' || rcode === 'NXDOMAIN';
  const record: ExchangeRecord = exchange.end(response, ok, message.length) ?? {
    ...recorder.fields,
    id: 0,
    time: new Date(exchange.time).toISOString(),
    request: exchange.request,
    response,
    ok,
    bytesIn: exchange.bytesIn,
    bytesOut: exchange.bytesOut,
    durationMs: exchange.elapsedMs(),
  };
  return { rcode, packet, transport, fellBackToTcp, server: peer, exchange: record };
}
