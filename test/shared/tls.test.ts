import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { createServerContext, loadOrCreateCertificate, upgradeServerSocket } from '../../shared/tls.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-tls-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('TLS material', () => {
  it('generates a localhost certificate on first use and keeps it', async () => {
    const dir = path.join(await tmp(), 'tls');
    const first = await loadOrCreateCertificate(dir);
    const x509 = new X509Certificate(first.cert);
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName?.toLowerCase()).toMatch(/ip address:(0:0:0:0:0:0:0:1|::1)/);
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(Date.now() + 30 * 86_400_000);
    const again = await loadOrCreateCertificate(dir);
    expect(again.cert).toBe(first.cert);
    expect((await fs.stat(path.join(dir, 'key.pem'))).mode & 0o077).toBe(0);
  });

  it('shares one generation between concurrent callers', async () => {
    const dir = path.join(await tmp(), 'tls');
    const [a, b] = await Promise.all([loadOrCreateCertificate(dir), loadOrCreateCertificate(dir)]);
    expect(a.cert).toBe(b.cert);
  });

  it('upgrades a plain socket, and a client that trusts the certificate verifies it for 127.0.0.1', async () => {
    const material = await loadOrCreateCertificate(path.join(await tmp(), 'tls'));
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
