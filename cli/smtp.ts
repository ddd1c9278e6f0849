/**
 * `minisuite smtp send ...`: sends one message, prints the exchange lines on stderr and the
 * server's acknowledgement on stdout.
 * @module
 */
import fs from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_FROM, DEFAULT_SMTP_HOST, DEFAULT_SMTP_PORT, sendMail } from '../protocols/smtp/client.js';
import { errorMessage, MinisuiteError, ProtocolError } from '../shared/errors.js';
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole } from '../shared/exchange-format.js';
import { type CliIo, EXIT_USAGE } from './io.js';

export const SMTP_USAGE = `usage: minisuite smtp send --to ADDR [--to ADDR...] [options]
  --to ADDR            recipient (repeatable, or comma-separated)
  --from ADDR          sender                            default ${DEFAULT_FROM}
  --subject TEXT       subject
  --text TEXT          body; or --file FILE; or standard input when neither is given
  --file FILE          body from a file
  --server HOST:PORT   server                            default ${DEFAULT_SMTP_HOST}:${DEFAULT_SMTP_PORT}
  --user NAME --pass PASS   authenticate (AUTH PLAIN/LOGIN)
  --starttls           require STARTTLS (the certificate is verified only with --cacert)
  --cacert FILE        PEM certificate to verify the server with (e.g. DATA/tls/cert.pem)
  --log pretty|json    format of the exchange lines on stderr   default pretty`;

/** Parses "HOST:PORT", "[v6]:PORT" or "HOST". */
export function parseServer(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[3] === undefined ? DEFAULT_SMTP_PORT : Number(m[3]);
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || port < 1 || port > 65535)
    throw new MinisuiteError('MS_USAGE', `--server: expected HOST:PORT, got '${text}'`);
  return { host, port };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${SMTP_USAGE}\n`);
    return command === undefined ? EXIT_USAGE : 0;
  }
  if (command !== 'send') {
    io.stderr.write(`minisuite smtp: unknown command '${command}'\n${SMTP_USAGE}\n`);
    return EXIT_USAGE;
  }
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(rest).values;
  } catch (err) {
    io.stderr.write(`minisuite smtp: ${errorMessage(err)}\n`);
    return EXIT_USAGE;
  }
  const usage = (message: string) => {
    io.stderr.write(`minisuite smtp: ${message}\n`);
    return EXIT_USAGE;
  };
  const to = (values.to ?? []).flatMap((t) => t.split(',').map((s) => s.trim())).filter((t) => t !== '');
  if (to.length === 0) return usage('--to is required');
  if (values.text !== undefined && values.file !== undefined) return usage('give --text or --file, not both');
  if ((values.user === undefined) !== (values.pass === undefined)) return usage('--user and --pass go together');
  const format = values.log ?? 'pretty';
  if (format !== 'pretty' && format !== 'json') return usage(`--log: expected pretty or json, got '${format}'`);
  let server: { host: string; port: number };
  try {
    server = parseServer(values.server ?? `${DEFAULT_SMTP_HOST}:${DEFAULT_SMTP_PORT}`);
  } catch (err) {
    return usage(errorMessage(err));
  }
  let text: string;
  let ca: string | undefined;
  try {
    text =
      values.text ?? (values.file !== undefined ? await fs.readFile(values.file, 'utf8') : await readStream(io.stdin));
    if (values.cacert !== undefined) ca = await fs.readFile(values.cacert, 'utf8');
  } catch (err) {
    io.stderr.write(`minisuite smtp: ${errorMessage(err)}\n`);
    return 1;
  }
  const log = new ExchangeLog();
  attachConsole(log, io.stderr, format);
  if (values.starttls && ca === undefined)
    io.stderr.write('minisuite smtp: note: the server certificate is not verified (give --cacert to verify it)\n');
  try {
    const result = await sendMail({
      ...server,
      to,
      ...(values.from !== undefined ? { from: values.from } : {}),
      ...(values.subject !== undefined ? { subject: values.subject } : {}),
      text,
      ...(values.user !== undefined ? { user: values.user, pass: values.pass ?? '' } : {}),
      starttls: values.starttls ?? false,
      ...(ca !== undefined ? { ca } : {}),
      log,
    });
    io.stdout.write(`${result.response}\n`);
    return 0;
  } catch (err) {
    if (err instanceof MinisuiteError && err.code === 'MS_CLIENT' && !(err.cause instanceof Error))
      return usage(err.message);
    const reply = err instanceof ProtocolError ? `server replied ${err.message}` : errorMessage(err);
    io.stderr.write(`minisuite smtp: ${reply}\n`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      to: { type: 'string', multiple: true },
      from: { type: 'string' },
      subject: { type: 'string' },
      text: { type: 'string' },
      file: { type: 'string' },
      server: { type: 'string' },
      user: { type: 'string' },
      pass: { type: 'string' },
      starttls: { type: 'boolean' },
      cacert: { type: 'string' },
      log: { type: 'string' },
    },
  });
}
