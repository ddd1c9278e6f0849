/**
 * How the client commands (`http`, `ftp`, `smtp`, `dns`) decide whom to trust over TLS, one way
 * for all: `--cacert FILE` (PEM), or the CA of a suite's data folder (`--data DIR`, or
 * `--suite-data DIR` where `--data` means something else), or else the system's CAs. The
 * certificate is always verified unless `--insecure` is given.
 * @module
 */
import path from 'node:path';
import { readFlagFile, UsageError } from './usage.js';

/** The flags every client command accepts (`http` has `--suite-data` only: its `--data` is the body). */
export const TRUST_OPTIONS = {
  cacert: { type: 'string' },
  'suite-data': { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

/** The usage lines of {@link TRUST_OPTIONS}, the same in every command. */
export const TRUST_USAGE = `  --cacert FILE        verify the server against this PEM CA certificate, e.g. the suite's
                       DATA/tls/ca.pem (minisuite tls ca --data DATA prints it)
  --suite-data DIR     trust the CA of the suite whose data folder is DIR (DIR/tls/ca.pem)
  --insecure           do not verify the server certificate (never the default)`;

export interface TrustFlags {
  readonly cacert?: string | undefined;
  readonly 'suite-data'?: string | undefined;
  /** `--data DIR` of the commands where it names the suite's data folder. */
  readonly data?: string | undefined;
  readonly insecure?: boolean | undefined;
}

export interface Trust {
  /** PEM of the CA(s) to verify against; undefined: the system's CAs. */
  readonly ca?: string;
  readonly insecure: boolean;
}

/** Whether any trust flag was given (they apply only with TLS). */
export function trustGiven(flags: TrustFlags): boolean {
  return (
    flags.cacert !== undefined ||
    flags['suite-data'] !== undefined ||
    flags.data !== undefined ||
    flags.insecure === true
  );
}

/** Throws unless TLS is on when a trust flag is given: `--cacert` on a plain connection would be ignored. */
export function requireTlsFor(flags: TrustFlags, tls: boolean, tlsFlag: string): void {
  if (!tls && trustGiven(flags))
    throw new UsageError(`--cacert, --data, --suite-data and --insecure apply to TLS: add ${tlsFlag}`);
}

/** Reads the CA the flags name; errors name the flag and the fix. */
export async function resolveTrust(flags: TrustFlags): Promise<Trust> {
  const insecure = flags.insecure === true;
  const folders: [flag: string, dir: string][] = [];
  if (flags.data !== undefined) folders.push(['--data', flags.data]);
  if (flags['suite-data'] !== undefined) folders.push(['--suite-data', flags['suite-data']]);
  if (insecure && (flags.cacert !== undefined || folders.length > 0))
    throw new UsageError('--insecure skips verification: give it or a CA (--cacert, --data), not both');
  const pems: string[] = [];
  if (flags.cacert !== undefined) pems.push(await readFlagFile('--cacert', flags.cacert));
  for (const [flag, dir] of folders) pems.push(await suiteCa(flag, dir));
  return pems.length > 0 ? { ca: pems.join('\n'), insecure } : { insecure };
}

/** The CA certificate of a suite's data folder; none there yet is a usage error saying how to make one. */
async function suiteCa(flag: string, dir: string): Promise<string> {
  const { CA_CERT_FILE, tlsFolder } = await import('../shared/tls-ca.js');
  const file = path.join(tlsFolder(dir), CA_CERT_FILE);
  try {
    return await readFlagFile(flag, file);
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ENOENT') throw err;
    throw new UsageError(
      `${flag} ${dir}: no CA in ${file}; start the suite with --tls --data ${dir} (or run minisuite tls ca --data ${dir})`,
    );
  }
}
