/**
 * The local certificate authority of one data folder: created on first TLS use in `DATA/tls`,
 * kept there (its key mode 0600, never logged or sent anywhere), and used to issue the leaf
 * certificate the servers present, so clients verify against one CA instead of skipping
 * verification. The X.509 work is @peculiar/x509's; keys are ECDSA P-256 from WebCrypto.
 * @module
 */
import crypto, { X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { MinisuiteError } from './errors.js';
import type { TlsMaterial } from './tls.js';

/** Days the CA is valid: long, since every client that trusts it would have to trust a new one. */
export const CA_VALID_DAYS = 3650;
/** Days a leaf is valid: within the 398 days browsers accept. A new leaf is issued every start. */
export const LEAF_VALID_DAYS = 397;
/** A CA this close to expiry is replaced by a new one (which clients must then trust anew). */
const CA_RENEW_BEFORE_MS = 30 * 86_400_000;
/** Clocks of the machines involved may disagree a little. */
const BACKDATE_MS = 5 * 60_000;

/** The folder of a data folder that holds the CA, its key and the issued leaf (`DATA/tls`). */
export const TLS_FOLDER = 'tls';

/** `DATA/tls` of the data folder `dataDir`: where the suite keeps its CA, and clients look for it. */
export function tlsFolder(dataDir: string): string {
  return path.join(dataDir, TLS_FOLDER);
}

/** File with the CA certificate (public; what clients are told to trust). */
export const CA_CERT_FILE = 'ca.pem';
/** File with the CA key and certificate together (mode 0600); its creation is the commit point. */
export const CA_KEY_FILE = 'ca-key.pem';

const KEY_ALGORITHM: crypto.webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: crypto.webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
type X509Keys = crypto.webcrypto.CryptoKeyPair &
  Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
/** Node's WebCrypto is the standard one; only the library's DOM-based type names differ. */
const webcrypto = crypto.webcrypto as unknown as X509Crypto;
const subtle = crypto.webcrypto.subtle;

/** The CA of a data folder. */
export interface LocalCa {
  /** PEM certificate of the CA. */
  readonly cert: string;
  /** Absolute path of {@link CA_CERT_FILE}. */
  readonly certFile: string;
  /** PEM (PKCS#8) private key. Stays in memory and in `DATA/tls`. */
  readonly key: string;
}

/** A leaf issued by the local CA, with the CA beside it. */
export interface IssuedMaterial extends TlsMaterial {
  readonly ca: string;
  readonly caFile: string;
  /** The names (DNS names and IP addresses) the leaf is valid for. */
  readonly names: readonly string[];
}

const pendingByDir = new Map<string, Promise<LocalCa>>();

/**
 * Returns the CA kept in `dir` (normally `DATA/tls`), creating it on first use. Concurrent callers
 * in this process share one creation; another process creating one at the same moment loses the
 * race cleanly (the key file is created exclusively) and both use the winner's.
 */
export function loadOrCreateCa(dir: string): Promise<LocalCa> {
  const key = path.resolve(dir);
  let pending = pendingByDir.get(key);
  if (!pending) {
    pending = loadOrCreate(key).finally(() => pendingByDir.delete(key));
    pendingByDir.set(key, pending);
  }
  return pending;
}

/** Reads the CA of `dir` without creating one; undefined when there is none yet. */
export async function readCa(dir: string): Promise<LocalCa | undefined> {
  const file = path.join(dir, CA_KEY_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MinisuiteError('MS_TLS', `cannot read the CA in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
  if (!keyPem || !certPem)
    throw new MinisuiteError('MS_TLS', `${file} is not a minisuite CA (remove the folder ${dir} to make a new one)`);
  return { cert: certPem, key: keyPem, certFile: path.join(dir, CA_CERT_FILE) };
}

async function loadOrCreate(dir: string): Promise<LocalCa> {
  let ca = await readCa(dir);
  if (ca && new Date(new X509Certificate(ca.cert).validTo).getTime() < Date.now() + CA_RENEW_BEFORE_MS) {
    await fs.rm(path.join(dir, CA_KEY_FILE), { force: true });
    ca = undefined;
  }
  if (!ca) ca = await createCa(dir);
  await writePublicCert(ca);
  return ca;
}

async function createCa(dir: string): Promise<LocalCa> {
  await fs.mkdir(path.dirname(dir), { recursive: true });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as X509Keys;
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      // Dated and numbered, so several suites' CAs in one trust store can be told apart.
      name: `CN=minisuite local CA ${notBefore.toISOString().slice(0, 10)} ${crypto.randomBytes(3).toString('hex')}, O=minisuite`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + CA_VALID_DAYS * 86_400_000),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        // RFC 5280 §4.2.1.9: critical, and no intermediates below it.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  const keyPem = await exportKey(keys.privateKey);
  const certPem = `${cert.toString('pem').trimEnd()}\n`;
  // Written in full under a temporary name, then linked into place: link fails if another
  // process got there first, so nobody ever sees half a CA or two CAs.
  const tmp = path.join(dir, `.${CA_KEY_FILE}.${process.pid}.${crypto.randomUUID()}.tmp`);
  await fs.writeFile(tmp, `${keyPem}\n${certPem}\n`, { mode: 0o600 });
  try {
    await fs.link(tmp, path.join(dir, CA_KEY_FILE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const winner = await readCa(dir);
    if (winner) return winner;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
  return { cert: certPem, key: keyPem, certFile: path.join(dir, CA_CERT_FILE) };
}

/** Keeps `ca.pem` in step with the CA (the user may have deleted it; a new CA replaces it). */
async function writePublicCert(ca: LocalCa): Promise<void> {
  const current = await fs.readFile(ca.certFile, 'utf8').catch(() => undefined);
  if (current === ca.cert) return;
  const tmp = `${ca.certFile}.${process.pid}.${crypto.randomUUID()}.tmp`;
  await fs.writeFile(tmp, ca.cert, { mode: 0o644 });
  await fs.rename(tmp, ca.certFile);
}

/**
 * Issues a server certificate for `names` (DNS names and IP addresses; the first is its subject
 * name). Not stored: a new one each start costs a millisecond and never goes stale.
 */
export async function issueLeaf(ca: LocalCa, names: readonly string[]): Promise<IssuedMaterial> {
  const unique = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  if (unique.length === 0) throw new MinisuiteError('MS_TLS', 'a certificate needs at least one name');
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await subtle.importKey(
    'pkcs8',
    crypto.createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' }),
    KEY_ALGORITHM,
    false,
    ['sign'],
  );
  const keys = (await subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as X509Keys;
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  const caNotAfter = caCert.notAfter.getTime();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: `CN=${escapeDn(unique[0] as string)}`,
      issuer: caCert.subject,
      notBefore,
      notAfter: new Date(Math.min(notBefore.getTime() + LEAF_VALID_DAYS * 86_400_000, caNotAfter)),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        // RFC 6125 §6.4.4: clients match the SAN, not the CN; IP addresses only as iPAddress.
        new x509.SubjectAlternativeNameExtension(
          unique.map((n) => (net.isIP(n) ? { type: 'ip', value: n } : { type: 'dns', value: n })),
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
        await x509.AuthorityKeyIdentifierExtension.create(caCert, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    key: await exportKey(keys.privateKey),
    // The leaf alone: a client that trusts the CA needs nothing more, and a root sent along is
    // ignored by verifiers anyway (RFC 8446 §4.4.2 lets it be omitted).
    cert: `${cert.toString('pem').trimEnd()}\n`,
    ca: ca.cert,
    caFile: ca.certFile,
    names: unique,
  };
}

/** The CA of `dir` (created on first use) and a fresh leaf from it for `names`. */
export async function localCaMaterial(dir: string, names: readonly string[]): Promise<IssuedMaterial> {
  return issueLeaf(await loadOrCreateCa(dir), names);
}

async function exportKey(key: crypto.webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

/** 16 random bytes, the top bit clear so the DER integer is positive (RFC 5280 §4.1.2.2). */
function serialNumber(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

function escapeDn(value: string): string {
  return value.replace(/[,+"\\<>;=#]/g, (c) => `\\${c}`);
}
