/**
 * `minisuite dns query NAME [TYPE] [--server HOST:PORT] [--tcp]`: dig-like sections on stdout,
 * the exchange line on stderr; exit 1 on timeout or a failure rcode (SERVFAIL, REFUSED, FORMERR,
 * NOTIMP, BADVERS), 0 for NOERROR and NXDOMAIN (both are answers), 2 on bad usage.
 * @module
 */
import { checkName, checkType, DEFAULT_SERVER, query } from '../protocols/dns/client.js';
import { formatAnswer } from '../protocols/dns/format.js';
import { ExchangeLog } from '../shared/exchange.js';
import { formatPretty } from '../shared/exchange-format.js';
import type { CliIo } from './io.js';
import { parseServer } from './server-arg.js';
import { requireTlsFor, resolveTrust, TRUST_OPTIONS, TRUST_USAGE } from './trust.js';
import { checkUsage, EXIT_FAILURE, EXIT_OK, parseCommand, runCommand, subcommand, UsageError } from './usage.js';

/** Default port of `--tls`: the suite's DNS-over-TLS port (`minisuite start --dot-port`). */
export const DOT_PORT = 8530;

export const DNS_USAGE = `usage: minisuite dns query NAME [TYPE] [options]
  --server HOST:PORT   server to ask                (default ${DEFAULT_SERVER.host}:${DEFAULT_SERVER.port})
  --tcp                query over TCP                (default UDP, TCP when truncated)
  --tls                DNS over TLS, RFC 7858        (default server 127.0.0.1:${DOT_PORT}); the
                       certificate verified against the system's CAs, or:
${TRUST_USAGE}
  --data DIR           the same as --suite-data DIR
  --timeout MS         per attempt                   (default 2000)
  -h, --help           this text`;

const OPTIONS = {
  server: { type: 'string' },
  tcp: { type: 'boolean' },
  tls: { type: 'boolean' },
  ...TRUST_OPTIONS,
  data: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export function main(argv: string[], io: CliIo): Promise<number> {
  return runCommand({ name: 'minisuite dns', usage: DNS_USAGE, io }, () => ask(argv, io));
}

async function ask(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, OPTIONS);
  subcommand(positionals, ['query']);
  const [, name, type = 'A', ...extra] = positionals;
  if (name === undefined) throw new UsageError('missing NAME');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const timeout = values.timeout;
  if (timeout !== undefined && !/^\d+$/.test(timeout))
    throw new UsageError(`--timeout: expected milliseconds, got '${timeout}'`);
  if (values.tls && values.tcp) throw new UsageError('give --tcp or --tls, not both');
  const port = values.tls ? DOT_PORT : DEFAULT_SERVER.port;
  const server = parseServer(values.server ?? `${DEFAULT_SERVER.host}:${port}`, port);
  requireTlsFor(values, values.tls === true, '--tls');
  const trust = await resolveTrust(values);
  const log = new ExchangeLog({ capacity: 16 });
  log.subscribe((record) => io.stderr.write(`${formatPretty(record)}\n`));
  // A name or type the client refuses is bad usage; anything failing after this is the exchange's.
  checkUsage(() => [checkName(name), checkType(type)]);
  const answer = await query(name, type, {
    server,
    tcp: values.tcp ?? false,
    ...(values.tls ? { tls: true, ...trust } : {}),
    ...(timeout !== undefined ? { timeoutMs: Number(timeout) } : {}),
    log,
  });
  io.stdout.write(formatAnswer(answer.packet, answer.rcode, answer.transport, answer.server));
  if (answer.rcode === 'NOERROR' || answer.rcode === 'NXDOMAIN') return EXIT_OK;
  io.stderr.write(`minisuite dns: the server answered ${answer.rcode}\n`);
  return EXIT_FAILURE;
}
