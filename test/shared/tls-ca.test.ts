import { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { TcpServer } from '../../shared/tcp-server.js';
import { createServerContext } from '../../shared/tls.js';
import { CA_CERT_FILE, CA_KEY_FILE, issueLeaf, loadOrCreateCa, localCaMaterial, readCa } from '../../shared/tls-ca.js';
import { implicitTls } from '../../shared/tls-listener.js';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-ca-'));
  dirs.push(dir);
  return path.join(dir, 'tls');
}
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** A TLS echo server on the implicit-TLS wrapper, presenting `material`. */
async function echoServer(material: { key: string; cert: string }) {
  const failures: string[] = [];
  const server = new TcpServer(
    { name: 'echo' },
    implicitTls(
      { onConnection: (conn) => conn.socket.on('data', (d: Buffer) => conn.write(d)) },
      { context: createServerContext(material), onHandshakeFailed: (_c, err) => failures.push(err.message) },
    ),
  );
  const port = await server.listen();
  return { server, port, failures };
}

function connect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('local CA', () => {
  it('is created on first use with its key private, and kept', async () => {
    const dir = await tmp();
    expect(await readCa(dir)).toBeUndefined();
    const ca = await loadOrCreateCa(dir);
    const x509 = new X509Certificate(ca.cert);
    expect(x509.ca).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect((await fs.stat(path.join(dir, CA_KEY_FILE))).mode & 0o077).toBe(0);
    expect((await fs.stat(dir)).mode & 0o077).toBe(0);
    expect(await fs.readFile(path.join(dir, CA_CERT_FILE), 'utf8')).toBe(ca.cert);
    expect(ca.certFile).toBe(path.join(dir, CA_CERT_FILE));
    // A later start (no in-process memory of the first) reads the same CA back.
    const again = await readCa(dir);
    expect(again?.cert).toBe(ca.cert);
    expect((await loadOrCreateCa(dir)).cert).toBe(ca.cert);
    // The public file is put back when deleted; the key never goes into it.
    await fs.rm(path.join(dir, CA_CERT_FILE));
    await loadOrCreateCa(dir);
    const pub = await fs.readFile(path.join(dir, CA_CERT_FILE), 'utf8');
    expect(pub).toBe(ca.cert);
    expect(pub).not.toContain('PRIVATE KEY');
  });

  it('gives concurrent callers one CA, and each data folder its own', async () => {
    const dir = await tmp();
    const [a, b] = await Promise.all([loadOrCreateCa(dir), loadOrCreateCa(dir)]);
    expect(a.cert).toBe(b.cert);
    const other = await loadOrCreateCa(await tmp());
    expect(other.cert).not.toBe(a.cert);
  });

  it('issues a leaf that clients verify against the CA for every name, and only those', async () => {
    const dir = await tmp();
    const material = await localCaMaterial(dir, ['localhost', '127.0.0.1', '::1', 'api.example.test']);
    const leaf = new X509Certificate(material.cert);
    const ca = new X509Certificate(material.ca);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('api.example.test')).toBe('api.example.test');
    expect(leaf.checkIP('::1')).toBe('::1');
    const { server, port, failures } = await echoServer(material);
    try {
      for (const [host, servername] of [
        ['127.0.0.1', undefined],
        ['127.0.0.1', 'localhost'],
        ['127.0.0.1', 'api.example.test'],
      ] as const) {
        const socket = await connect({ host, port, ca: material.ca, ...(servername ? { servername } : {}) });
        expect(socket.authorized).toBe(true);
        expect(socket.getProtocol()).toMatch(/^TLSv1\.[23]$/);
        socket.write('ping');
        expect((await new Promise<Buffer>((r) => socket.once('data', r))).toString()).toBe('ping');
        socket.destroy();
      }
      await expect(
        connect({ host: '127.0.0.1', port, ca: material.ca, servername: 'wrong.example.test' }),
      ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      // A client that does not know the CA refuses the certificate.
      await expect(connect({ host: '127.0.0.1', port })).rejects.toMatchObject({
        code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      });
      // TLS 1.1 and older are refused by the server.
      await expect(
        connect({ host: '127.0.0.1', port, ca: material.ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }),
      ).rejects.toThrow();
    } finally {
      await server.close({ graceMs: 0 });
    }
    expect(failures.length).toBeGreaterThan(0);
  });

  it('refuses to issue a certificate without names', async () => {
    const ca = await loadOrCreateCa(await tmp());
    await expect(issueLeaf(ca, [' '])).rejects.toThrow(/at least one name/);
  });

  it('closes a connection that never completes its handshake, without a protocol greeting', async () => {
    const material = await localCaMaterial(await tmp(), ['localhost']);
    const { server, port } = await echoServer(material);
    const socket = net.connect(port, '127.0.0.1');
    socket.write('HELO plain text\r\n');
    await new Promise((r) => socket.once('close', r));
    await server.close({ graceMs: 0 });
  });
});
