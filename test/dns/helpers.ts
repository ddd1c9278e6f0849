/**
 * Helpers of the DNS tests: a server on a free port with a test zone, raw UDP/TCP exchanges.
 * @module
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { DnsServer, type DnsServerOptions } from '../../protocols/dns/server.js';
import { frame, splitFrames } from '../../protocols/dns/tcp-framing.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { ExchangeLog } from '../../shared/exchange.js';

export const TEST_ZONE = `$ORIGIN example.test.
$TTL 300
@        SOA ns hostmaster 1 3600 600 86400 120
@        NS  ns
@        MX  10 mail
@        CAA 0 issue "ca.example.test"
ns       A   192.0.2.53
mail     A   192.0.2.25
www      A   192.0.2.80
www      AAAA 2001:db8::80
alias    CNAME www
_http._tcp SRV 1 2 8080 www
txt      TXT "hello" "world"
${Array.from({ length: 8 }, (_, i) => `big TXT "${String(i).repeat(120)}"`).join('\n')}
`;

export async function startTestServer(options: Partial<DnsServerOptions> = {}) {
  const log = new ExchangeLog();
  const zones = [zoneFromText(TEST_ZONE, { file: 'test.zone' })];
  const server = new DnsServer({ zones: () => zones, log, port: 0, ...options });
  const port = await server.listen();
  return { server, port, log, zones };
}

export function encodeQuery(name: string, type = 'A', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, questions: [{ name, type: type as 'A', class: 'IN' }] });
}

/** Sends one datagram and resolves with the first answer (or undefined after `timeoutMs`). */
export function udpAsk(port: number, message: Buffer, timeoutMs = 2_000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (value: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    socket.on('message', (data) => finish(data));
    socket.send(message, port, '127.0.0.1');
  });
}

/** A TCP connection that collects answer frames. */
export class TcpPeer {
  readonly socket: net.Socket;
  readonly frames: Buffer[] = [];
  #rest: Buffer = Buffer.alloc(0);
  readonly closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const split = splitFrames(Buffer.concat([this.#rest, chunk]), 65_535);
      this.#rest = split.rest;
      this.frames.push(...split.frames.map((f) => Buffer.from(f)));
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static connect(port: number): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' }, () => resolve(new TcpPeer(socket)));
      socket.once('error', reject);
    });
  }

  send(message: Buffer, framed = true): void {
    this.socket.write(framed ? frame(message) : message);
  }

  async waitFrames(count: number, timeoutMs = 5_000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (Date.now() > deadline) throw new Error(`got ${this.frames.length} of ${count} frames`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.frames;
  }

  async closedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return result;
  }
}

/** dns-packet's decode, with the rcode it sets but @types/dns-packet does not declare. */
export function decodeAnswer(buf: Buffer): dnsPacket.DecodedPacket & { rcode: string } {
  return dnsPacket.decode(buf) as dnsPacket.DecodedPacket & { rcode: string };
}
