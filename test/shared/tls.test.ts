import net from 'node:net';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createServerContext, generateLocalhostCertificate, upgradeServerSocket } from '../../shared/tls.js';

describe('TLS upgrade', () => {
  it('upgrades a plain socket, and a client that trusts the certificate verifies it for 127.0.0.1', async () => {
    const material = await generateLocalhostCertificate();
    const context = createServerContext(material);
    const server = net.createServer((socket) => {
      socket.once('data', async (chunk) => {
        if (chunk.toString() !== 'STARTTLS\r\n') {
          socket.destroy();
          return;
        }
        socket.write('220 go ahead\r\n');
        const secure = await upgradeServerSocket(socket, context);
        secure.write('secret hello\r\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const plain = net.connect(port, '127.0.0.1');
    plain.write('STARTTLS\r\n');
    await new Promise((r) => plain.once('data', r));
    const secure = tls.connect({ socket: plain, ca: material.cert, host: '127.0.0.1' });
    const text = await new Promise<string>((resolve, reject) => {
      secure.once('data', (d) => resolve(d.toString()));
      secure.once('error', reject);
    });
    expect(secure.authorized).toBe(true);
    expect(text).toBe('secret hello\r\n');
    secure.destroy();
    server.close();
  });
});
