/**
 * Ports nothing listens on right now (bound on 127.0.0.1, then released): TCP only, or UDP and
 * TCP both, for DNS servers that listen on the same port for each.
 * @module
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Attempts before {@link freeUdpTcpPort} gives up (a TCP port's UDP twin is rarely taken). */
const UDP_TCP_ATTEMPTS = 50;

/** A port free for both UDP and TCP on 127.0.0.1 right now (a DNS server binds both). */
export async function freeUdpTcpPort(): Promise<number> {
  for (let attempt = 0; attempt < UDP_TCP_ATTEMPTS; attempt++) {
    const tcp = net.createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const port = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise((r) => tcp.close(r))]);
    if (ok) return port;
  }
  throw new Error(`no port free for both UDP and TCP on 127.0.0.1 after ${UDP_TCP_ATTEMPTS} tries`);
}
