/**
 * `minisuite ftp ls|get|put|rm|mkdir`: the FTP client on the command line. Exchange records go
 * to stderr, payloads to stdout; long transfers show a progress bar when stderr is a TTY.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileInfo } from 'basic-ftp';
import { FtpClient, type FtpClientOptions, type FtpUrl, parseFtpUrl } from '../protocols/ftp/client.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import type { CliIo } from './io.js';
import { ProgressBar } from './progress.js';
import { requireTlsFor, resolveTrust, TRUST_OPTIONS, TRUST_USAGE } from './trust.js';
import { EXIT_OK, parseCommand, required, runCommand, subcommand, UsageError } from './usage.js';

export const FTP_USAGE = `usage: minisuite ftp <command> [options]
  ls URL               list a directory
  get URL [FILE]       download (to stdout without FILE or with -)
  put FILE URL         upload (a URL ending in / keeps the file name)
  rm URL               delete a file
  mkdir URL            create a directory (and missing parents)
URLs: ftp://user:pass@host:port/path (anonymous without user);
      ftps://... for implicit FTPS (TLS from the first byte, default port 990)
options:
  --tls                explicit FTPS (AUTH TLS, PROT P), the server certificate verified
                       against the system's CAs, or:
${TRUST_USAGE}
  --data DIR           the same as --suite-data DIR
  -q, --quiet          no exchange lines on stderr
  -h, --help           this text`;

const COMMANDS = ['ls', 'get', 'put', 'rm', 'mkdir'] as const;

const OPTIONS = {
  tls: { type: 'boolean' },
  ...TRUST_OPTIONS,
  data: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

function formatEntry(e: FileInfo): string {
  const when = e.modifiedAt ? e.modifiedAt.toISOString().slice(0, 19).replace('T', ' ') : e.rawModifiedAt;
  return `${e.isDirectory ? 'd' : '-'} ${String(e.size).padStart(12, ' ')}  ${when}  ${e.name}`;
}

async function withClient<T>(
  url: FtpUrl,
  options: FtpClientOptions,
  work: (client: FtpClient) => Promise<T>,
): Promise<T> {
  const client = await FtpClient.connect(url, options);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Runs one transfer with the bar following the client's byte count. */
async function tracked(client: FtpClient, bar: ProgressBar, total: number | undefined, run: () => Promise<void>) {
  bar.start(total);
  client.onProgress((bytes) => bar.update(bytes));
  try {
    await run();
  } finally {
    client.onProgress(undefined);
    bar.done();
  }
}

export function main(argv: string[], io: CliIo): Promise<number> {
  // The name grows by the subcommand once it is known: "minisuite ftp rm: 550 ...".
  const ctx = { name: 'minisuite ftp', usage: FTP_USAGE, io };
  return runCommand(ctx, async () => {
    const { values, positionals } = parseCommand(argv, OPTIONS);
    const command = subcommand(positionals, COMMANDS);
    ctx.name = `minisuite ftp ${command}`;
    const [, a, b, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
    const bar = new ProgressBar(io.stderr);
    const log = new ExchangeLog();
    if (!values.quiet) attachConsole(log, bar.lines, 'pretty');
    const implicit = [a, b].some((arg) => arg !== undefined && /^ftps:\/\//i.test(arg));
    if (implicit && values.tls)
      throw new UsageError('an ftps:// URL is implicit FTPS already; --tls is for ftp:// URLs');
    requireTlsFor(values, implicit || values.tls === true, '--tls (or an ftps:// URL)');
    const tls = implicit ? 'implicit' : values.tls === true;
    const options: FtpClientOptions = { tls, ...(await resolveTrust(values)), log };
    return run(command, a, b, options, bar, io);
  });
}

/** Default port of ftps:// URLs (implicit FTPS, IANA "ftps"). */
const FTPS_PORT = 990;

/** An ftp:// URL, or an ftps:// one (implicit FTPS) read the same way with its own default port. */
function ftpUrl(text: string) {
  const m = /^ftps:\/\//i.exec(text);
  if (!m) return parseFtpUrl(text);
  const url = parseFtpUrl(`ftp://${text.slice(m[0].length)}`);
  // ftps: is no special scheme to URL, so a port given (even 21) stays; none means 990.
  return URL.canParse(text) && new URL(text).port === '' ? { ...url, port: FTPS_PORT } : url;
}

async function run(
  command: (typeof COMMANDS)[number],
  a: string | undefined,
  b: string | undefined,
  options: FtpClientOptions,
  bar: ProgressBar,
  io: CliIo,
): Promise<number> {
  switch (command) {
    case 'ls': {
      const url = ftpUrl(required(a, 'URL'));
      const entries = await withClient(url, options, (c) => c.list(url.path));
      for (const e of entries) io.stdout.write(`${formatEntry(e)}\n`);
      return EXIT_OK;
    }
    case 'get': {
      const url = ftpUrl(required(a, 'URL'));
      const toStdout = b === undefined || b === '-';
      await withClient(url, options, async (c) => {
        const total = toStdout ? undefined : await c.size(url.path).catch(() => undefined);
        await tracked(c, bar, total, () => c.download(url.path, toStdout ? io.stdout : b));
      });
      return EXIT_OK;
    }
    case 'put': {
      const file = required(a, 'FILE');
      const url = ftpUrl(required(b, 'URL'));
      const remote = url.path.endsWith('/') ? `${url.path}${path.basename(file)}` : url.path;
      const stats = await fs.stat(file).catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      await withClient(url, options, (c) => tracked(c, bar, stats.size, () => c.upload(file, remote)));
      return EXIT_OK;
    }
    case 'rm': {
      const url = ftpUrl(required(a, 'URL'));
      await withClient(url, options, (c) => c.remove(url.path));
      return EXIT_OK;
    }
    case 'mkdir': {
      const url = ftpUrl(required(a, 'URL'));
      await withClient(url, options, (c) => c.mkdir(url.path));
      return EXIT_OK;
    }
  }
}
