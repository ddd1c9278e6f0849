/**
 * `minisuite ftp ls|get|put|rm|mkdir`: the FTP client on the command line. Exchange records go
 * to stderr, payloads to stdout; long transfers show a progress bar when stderr is a TTY.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FileInfo } from 'basic-ftp';
import { FtpClient, type FtpUrl, parseFtpUrl } from '../protocols/ftp/client.js';
import { errorMessage, MinisuiteError } from '../shared/errors.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import { ProgressBar } from './ftp-progress.js';
import { type CliIo, EXIT_USAGE } from './io.js';

export const FTP_USAGE = `usage: minisuite ftp <command> [options]
  ls URL               list a directory
  get URL [FILE]       download (to stdout without FILE or with -)
  put FILE URL         upload (a URL ending in / keeps the file name)
  rm URL               delete a file
  mkdir URL            create a directory (and missing parents)
URLs: ftp://user:pass@host:port/path (anonymous without user)
options:
  --tls                explicit FTPS (AUTH TLS, PROT P)
  --insecure           accept any server certificate (self-signed test servers)
  --quiet              no exchange lines on stderr`;

function formatEntry(e: FileInfo): string {
  const when = e.modifiedAt ? e.modifiedAt.toISOString().slice(0, 19).replace('T', ' ') : e.rawModifiedAt;
  return `${e.isDirectory ? 'd' : '-'} ${String(e.size).padStart(12, ' ')}  ${when}  ${e.name}`;
}

async function withClient<T>(
  url: FtpUrl,
  options: { tls: boolean; insecure: boolean; log: ExchangeLog },
  work: (client: FtpClient) => Promise<T>,
): Promise<T> {
  const client = await FtpClient.connect(url, options);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

function track(client: FtpClient, io: CliIo, total: number | undefined): () => void {
  if (!io.stderr.isTTY) return () => {};
  const bar = new ProgressBar(io.stderr, total);
  let last = 0;
  client.onProgress((bytes) => {
    last = bytes;
    bar.update(bytes);
  });
  return () => {
    client.onProgress(undefined);
    bar.done(last);
  };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`minisuite ftp: ${errorMessage(err)}\n${FTP_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (parsed.help) {
    io.stdout.write(`${FTP_USAGE}\n`);
    return 0;
  }
  const log = new ExchangeLog();
  if (!parsed.quiet) attachConsole(log, io.stderr, 'pretty');
  const options = { tls: parsed.tls, insecure: parsed.insecure, log };
  const [command, a, b] = parsed.positionals;
  try {
    switch (command) {
      case 'ls': {
        const url = parseFtpUrl(need(a, 'URL'));
        const entries = await withClient(url, options, (c) => c.list(url.path));
        for (const e of entries) io.stdout.write(`${formatEntry(e)}\n`);
        return 0;
      }
      case 'get': {
        const url = parseFtpUrl(need(a, 'URL'));
        const toStdout = b === undefined || b === '-';
        await withClient(url, options, async (c) => {
          const total = await c.size(url.path).catch(() => undefined);
          const stop = track(c, io, toStdout ? undefined : total);
          try {
            await c.download(url.path, toStdout ? io.stdout : b);
          } finally {
            stop();
          }
        });
        return 0;
      }
      case 'put': {
        const file = need(a, 'FILE');
        const url = parseFtpUrl(need(b, 'URL'));
        const remote = url.path.endsWith('/') ? `${url.path}${path.basename(file)}` : url.path;
        const stats = await fs.stat(file).catch(() => {
          throw new MinisuiteError('MS_USAGE', `cannot read ${file}`);
        });
        await withClient(url, options, async (c) => {
          const stop = track(c, io, stats.size);
          try {
            await c.upload(file, remote);
          } finally {
            stop();
          }
        });
        return 0;
      }
      case 'rm': {
        const url = parseFtpUrl(need(a, 'URL'));
        await withClient(url, options, (c) => c.remove(url.path));
        return 0;
      }
      case 'mkdir': {
        const url = parseFtpUrl(need(a, 'URL'));
        await withClient(url, options, (c) => c.mkdir(url.path));
        return 0;
      }
      default:
        io.stderr.write(`minisuite ftp: unknown command '${command ?? ''}'\n${FTP_USAGE}\n`);
        return EXIT_USAGE;
    }
  } catch (err) {
    io.stderr.write(`minisuite ftp ${command}: ${errorMessage(err)}\n`);
    return err instanceof MinisuiteError && err.code === 'MS_USAGE' ? EXIT_USAGE : 1;
  }
}

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new MinisuiteError('MS_USAGE', `missing ${what}`);
  return value;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tls: { type: 'boolean', default: false },
      insecure: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    positionals,
    tls: values.tls === true,
    insecure: values.insecure === true,
    quiet: values.quiet === true,
    help: values.help === true,
  };
}
