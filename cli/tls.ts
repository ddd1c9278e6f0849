/**
 * `minisuite tls ca [--data DIR]`: the data folder's CA certificate (PEM) on stdout, made on first
 * use, and on stderr the one-liners that make the usual clients trust it. The CA key stays where
 * it is: only the certificate is ever printed.
 * @module
 */
import path from 'node:path';
import { DEFAULT_CONFIG } from '../suite/config.js';
import type { CliIo } from './io.js';
import { EXIT_OK, parseCommand, runCommand, subcommand, UsageError } from './usage.js';

export const TLS_USAGE = `usage: minisuite tls ca [--data DIR]
  Prints the CA certificate of the data folder (DIR/tls/ca.pem, made on first use) on stdout
  and the commands to trust it on stderr.
  --data DIR   data root (default ${DEFAULT_CONFIG.data})
  -h, --help   this text`;

/** The trust one-liners for the CA certificate kept in `caFile` (an absolute path). */
export function trustInstructions(caFile: string): string {
  const file = shellQuote(caFile);
  return [
    `# minisuite CA: ${caFile}`,
    '# Node.js:',
    `export NODE_EXTRA_CA_CERTS=${file}`,
    '# curl:',
    `curl --cacert ${file} https://localhost:8443/healthz`,
    '# Python (ssl, smtplib, ftplib, http.client, urllib; requests uses REQUESTS_CA_BUNDLE):',
    `export SSL_CERT_FILE=${file} REQUESTS_CA_BUNDLE=${file}`,
    '# Java: a truststore, then -Djavax.net.ssl.trustStore=minisuite-truststore.p12 -Djavax.net.ssl.trustStorePassword=changeit',
    `keytool -importcert -noprompt -alias minisuite -file ${file} -keystore minisuite-truststore.p12 -storetype PKCS12 -storepass changeit`,
    '',
  ].join('\n');
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function tlsMain(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'minisuite tls', usage: TLS_USAGE, io }, async () => {
    const { values, positionals } = parseCommand(argv, { data: { type: 'string' } });
    subcommand(positionals, ['ca']);
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const data = values.data ?? DEFAULT_CONFIG.data;
    // Loaded here, not at the top: the X.509 library costs every other command its start-up time.
    const { loadOrCreateCa, tlsFolder } = await import('../shared/tls-ca.js');
    const ca = await loadOrCreateCa(path.resolve(tlsFolder(data)));
    io.stdout.write(ca.cert);
    io.stderr.write(trustInstructions(ca.certFile));
    return EXIT_OK;
  });
}
