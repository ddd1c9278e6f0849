/**
 * `minisuite smtp send ...`: sends one message, prints the exchange lines on stderr and the
 * server's acknowledgement on stdout.
 * @module
 */
import { assertSafe, DEFAULT_FROM, DEFAULT_SMTP_HOST, DEFAULT_SMTP_PORT, sendMail } from '../protocols/smtp/client.js';
import { MinisuiteError, ProtocolError } from '../shared/errors.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import type { CliIo } from './io.js';
import { parseServer } from './server-arg.js';
import { requireTlsFor, resolveTrust, TRUST_OPTIONS, TRUST_USAGE } from './trust.js';
import { checkUsage, EXIT_OK, parseCommand, readFlagFile, runCommand, subcommand, UsageError } from './usage.js';

/** Default port of `--tls`: the suite's SMTPS port (`minisuite start --smtps-port`). */
export const SMTPS_PORT = 4650;

export const SMTP_USAGE = `usage: minisuite smtp send --to ADDR [--to ADDR...] [options]
  --to ADDR            recipient (repeatable, or comma-separated)
  --from ADDR          sender                            default ${DEFAULT_FROM}
  --subject TEXT       subject
  --text TEXT          body; or --file FILE; or standard input when neither is given
  --file FILE          body from a file
  --server HOST:PORT   server                            default ${DEFAULT_SMTP_HOST}:${DEFAULT_SMTP_PORT}
  --user NAME --pass PASS   authenticate (AUTH PLAIN/LOGIN)
  --starttls           require STARTTLS on the plain port
  --tls                implicit TLS (SMTPS, RFC 8314)     default server 127.0.0.1:${SMTPS_PORT}
with either, the server certificate is verified against the system's CAs, or:
${TRUST_USAGE}
  --data DIR           the same as --suite-data DIR
  --log pretty|json    format of the exchange lines on stderr   default pretty
  -h, --help           this text`;

const OPTIONS = {
  to: { type: 'string', multiple: true },
  from: { type: 'string' },
  subject: { type: 'string' },
  text: { type: 'string' },
  file: { type: 'string' },
  server: { type: 'string' },
  user: { type: 'string' },
  pass: { type: 'string' },
  starttls: { type: 'boolean' },
  tls: { type: 'boolean' },
  ...TRUST_OPTIONS,
  data: { type: 'string' },
  log: { type: 'string' },
} as const;

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export function main(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'minisuite smtp', usage: SMTP_USAGE, io }, () => send(argv, io));
}

async function send(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  subcommand(positionals, ['send']);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  const to = (values.to ?? []).flatMap((t) => t.split(',').map((s) => s.trim())).filter((t) => t !== '');
  if (to.length === 0) throw new UsageError('--to is required');
  if (values.text !== undefined && values.file !== undefined) throw new UsageError('give --text or --file, not both');
  if ((values.user === undefined) !== (values.pass === undefined))
    throw new UsageError('--user and --pass go together');
  const format = values.log ?? 'pretty';
  if (format !== 'pretty' && format !== 'json') throw new UsageError(`--log: expected pretty or json, got '${format}'`);
  if (values.tls && values.starttls) throw new UsageError('give --starttls or --tls, not both');
  const port = values.tls ? SMTPS_PORT : DEFAULT_SMTP_PORT;
  const server = parseServer(values.server ?? `${DEFAULT_SMTP_HOST}:${port}`, port);
  const text =
    values.text ?? (values.file !== undefined ? await readFlagFile('--file', values.file) : await readStream(io.stdin));
  requireTlsFor(values, values.starttls === true || values.tls === true, '--starttls or --tls');
  const trust = await resolveTrust(values);
  // What the client refuses (CR, LF or NUL in a value) is bad usage, found before connecting.
  checkUsage(() => {
    for (const [flag, value] of [
      ['--from', values.from],
      ['--subject', values.subject],
      ['--user', values.user],
      ['--pass', values.pass],
      ...to.map((t) => ['--to', t] as const),
    ] as const)
      assertSafe(flag, value);
  });
  const log = new ExchangeLog();
  attachConsole(log, io.stderr, format);
  let greeted = false;
  let authenticated = false;
  log.subscribe((record) => {
    if (/^(EHLO|HELO) /i.test(record.request) && record.ok) greeted = true;
    if (/^AUTH /i.test(record.request)) authenticated = true;
  });
  try {
    const result = await sendMail({
      ...server,
      to,
      ...(values.from !== undefined ? { from: values.from } : {}),
      ...(values.subject !== undefined ? { subject: values.subject } : {}),
      text,
      ...(values.user !== undefined ? { user: values.user, pass: values.pass ?? '' } : {}),
      starttls: values.starttls ?? false,
      implicitTls: values.tls ?? false,
      ...trust,
      log,
    });
    io.stdout.write(`${result.response}\n`);
  } catch (err) {
    if (err instanceof ProtocolError) throw new MinisuiteError('MS_PROTOCOL', `server replied ${err.message}`);
    throw err;
  } finally {
    // nodemailer sends without AUTH when the server offers none: say the credentials were not used.
    if (values.user !== undefined && greeted && !authenticated)
      io.stderr.write(
        `minisuite smtp: warning: the server offered no AUTH, so --user/--pass were not used (the message went unauthenticated)\n`,
      );
  }
  return EXIT_OK;
}
