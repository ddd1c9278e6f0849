/**
 * `minisuite http get URL [-o FILE] [-H 'Name: value']...` and
 * `minisuite http request METHOD URL [--data TEXT|@FILE] [-H ...] [-o FILE]`.
 *
 * The payload goes to stdout (or FILE, written to FILE.part and renamed when complete, so an
 * interrupted download never looks finished); the exchange line goes to stderr. Exit codes:
 * 0 for a 1xx-3xx answer, 1 for an HTTP status >= 400 (the status on stderr, the error body on
 * stderr too, nothing on stdout or in FILE) or when the server cannot be reached, 2 for bad usage.
 * @module
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { HttpClientError, httpRequest, parseHeaderArg } from '../protocols/http/client.js';
import { errorMessage } from '../shared/errors.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import { createProgress } from './http-progress.js';
import { type CliIo, EXIT_USAGE } from './io.js';

export const HTTP_USAGE = `usage: minisuite http get URL [-o FILE] [-H 'Name: value']...
       minisuite http request METHOD URL [--data TEXT|@FILE] [-H 'Name: value']... [-o FILE]
  -o, --output FILE   write the body to FILE instead of stdout
  -H, --header LINE   add a request header, repeatable
  -d, --data DATA     request body: TEXT, or @FILE to send a file's bytes
exit status: 0 success, 1 HTTP status >= 400 or connection failure, 2 usage`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

interface Plan {
  method: string;
  url: string;
  headers: [string, string][];
  body: Buffer | undefined;
  output: string | undefined;
}

function plan(argv: string[]): Plan | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((errorMessage(err).split('. ')[0] ?? 'bad arguments').replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  let method: string;
  let url: string | undefined;
  if (command === 'get') {
    if (rest.length !== 1) throw new UsageError('get takes exactly one URL');
    method = 'GET';
    url = rest[0];
    if (values.data !== undefined) throw new UsageError('get sends no body; use request POST URL --data ...');
  } else if (command === 'request') {
    if (rest.length !== 2) throw new UsageError('request takes METHOD and URL');
    method = (rest[0] ?? '').toUpperCase();
    url = rest[1];
  } else throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
  if (url === undefined) throw new UsageError('missing URL');
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) throw new UsageError(`method '${method}' is not a valid token`);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new UsageError(`'${url}' is not an http:// URL`);
  let headers: [string, string][];
  try {
    headers = (values.header ?? []).map(parseHeaderArg);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  let body: Buffer | undefined;
  if (values.data !== undefined) {
    if (values.data.startsWith('@')) {
      const file = values.data.slice(1);
      try {
        body = fs.readFileSync(file);
      } catch (err) {
        throw new UsageError(
          `cannot read --data file '${file}': ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`,
        );
      }
    } else body = Buffer.from(values.data);
  }
  return { method, url, headers, body, output: values.output };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  let p: Plan | 'help';
  try {
    p = plan(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`minisuite http: ${err.message}\n${HTTP_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (p === 'help') {
    io.stdout.write(`${HTTP_USAGE}\n`);
    return 0;
  }
  const log = new ExchangeLog({ capacity: 16 });
  const detach = attachConsole(log, io.stderr, 'pretty');
  const progress = createProgress(io.stderr);
  const output = p.output;
  const part = output !== undefined ? `${output}.part` : undefined;
  let file: fs.WriteStream | undefined;
  try {
    const res = await httpRequest(p.url, {
      method: p.method,
      headers: p.headers,
      ...(p.body !== undefined ? { body: p.body } : {}),
      log,
      // A successful body streams to stdout or the file; an error body is kept for stderr.
      sink: (status) => {
        if (status >= 400) return undefined;
        if (part === undefined) return io.stdout;
        file = fs.createWriteStream(part);
        return file;
      },
      onProgress: (received, total) => progress.update(received, total),
    });
    progress.done();
    if (res.status >= 400) {
      const text = res.body.toString('utf8').trim();
      io.stderr.write(
        `minisuite http: HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 2000)}` : ''}\n`,
      );
      return 1;
    }
    if (file && part !== undefined && output !== undefined) {
      await closeStream(file);
      fs.renameSync(part, output);
    }
    return 0;
  } catch (err) {
    progress.done();
    if (file && part !== undefined) {
      file.destroy();
      fs.rmSync(part, { force: true });
    }
    if (err instanceof HttpClientError) {
      io.stderr.write(`minisuite http: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    detach();
  }
}

function closeStream(stream: fs.WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
