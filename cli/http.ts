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
import { httpRequest, parseHeaderArg, refuseControl } from '../protocols/http/client.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import type { CliIo } from './io.js';
import { ProgressBar } from './progress.js';
import { resolveTrust, TRUST_OPTIONS, TRUST_USAGE, type Trust, type TrustFlags } from './trust.js';
import {
  checkUsage,
  EXIT_FAILURE,
  EXIT_OK,
  fileProblem,
  parseCommand,
  runCommand,
  subcommand,
  UsageError,
} from './usage.js';

export const HTTP_USAGE = `usage: minisuite http get URL [-o FILE] [-H 'Name: value']...
       minisuite http request METHOD URL [--data TEXT|@FILE] [-H 'Name: value']... [-o FILE]
  -o, --output FILE   write the body to FILE instead of stdout
  -H, --header LINE   add a request header, repeatable
  -d, --data DATA     request body: TEXT, or @FILE to send a file's bytes
https:// servers are verified against the system's CAs, or:
${TRUST_USAGE}
  -h, --help           this text
exit status: 0 success, 1 HTTP status >= 400 or connection failure, 2 usage`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  ...TRUST_OPTIONS,
} as const;

interface Plan {
  method: string;
  url: string;
  headers: [string, string][];
  body: Buffer | undefined;
  output: string | undefined;
  trust: TrustFlags;
}

function plan(argv: string[]): Plan {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  const command = subcommand(positionals, ['get', 'request']);
  const rest = positionals.slice(1);
  let method: string;
  let url: string | undefined;
  if (command === 'get') {
    if (rest.length !== 1) throw new UsageError('get takes exactly one URL');
    method = 'GET';
    url = rest[0];
    if (values.data !== undefined) throw new UsageError('get sends no body; use request POST URL --data ...');
  } else {
    if (rest.length !== 2) throw new UsageError('request takes METHOD and URL');
    method = (rest[0] ?? '').toUpperCase();
    url = rest[1];
  }
  if (url === undefined) throw new UsageError('missing URL');
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) throw new UsageError(`method '${method}' is not a valid token`);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw new UsageError(`'${url}' is not an http:// URL`);
  checkUsage(() => refuseControl('URL', url));
  const headers = checkUsage(() => (values.header ?? []).map(parseHeaderArg));
  let body: Buffer | undefined;
  if (values.data !== undefined) {
    if (values.data.startsWith('@')) {
      const file = values.data.slice(1);
      try {
        body = fs.readFileSync(file);
      } catch (err) {
        throw new UsageError(`--data @${file}: ${fileProblem(err)}`);
      }
    } else body = Buffer.from(values.data);
  }
  // Not `values` itself: its --data is the request body, not a data folder.
  const trust = { cacert: values.cacert, 'suite-data': values['suite-data'], insecure: values.insecure };
  return { method, url, headers, body, output: values.output, trust };
}

export function main(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'minisuite http', usage: HTTP_USAGE, io }, async () => {
    const p = plan(argv);
    return request(p, await resolveTrust(p.trust), io);
  });
}

async function request(p: Plan, trust: Trust, io: CliIo): Promise<number> {
  const progress = new ProgressBar(io.stderr);
  const stderr = progress.lines;
  const log = new ExchangeLog({ capacity: 16 });
  const detach = attachConsole(log, stderr, 'pretty');
  const output = p.output;
  const part = output !== undefined ? `${output}.part` : undefined;
  let file: fs.WriteStream | undefined;
  try {
    const res = await httpRequest(p.url, {
      method: p.method,
      headers: p.headers,
      ...trust,
      ...(p.body !== undefined ? { body: p.body } : {}),
      log,
      // A successful body streams to stdout or the file; an error body is kept for stderr.
      sink: (status, headers) => {
        const length = Number(headers.get('content-length'));
        progress.start(headers.has('content-length') && Number.isFinite(length) ? length : undefined);
        if (status >= 400) return undefined;
        if (part === undefined) return io.stdout;
        file = fs.createWriteStream(part);
        return file;
      },
      onProgress: (received) => progress.update(received),
    });
    progress.done();
    if (res.status >= 400) {
      const text = res.body.toString('utf8').trim();
      stderr.write(`minisuite http: HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 2000)}` : ''}\n`);
      return EXIT_FAILURE;
    }
    if (file && part !== undefined && output !== undefined) {
      await closeStream(file);
      fs.renameSync(part, output);
    }
    return EXIT_OK;
  } catch (err) {
    progress.done();
    if (file && part !== undefined) {
      file.destroy();
      fs.rmSync(part, { force: true });
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
