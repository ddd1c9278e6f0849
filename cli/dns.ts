/**
 * `minisuite dns query NAME [TYPE] [--server HOST:PORT] [--tcp]`: dig-like sections on stdout,
 * the exchange line on stderr; exit 1 on timeout or a failure rcode (SERVFAIL, REFUSED, FORMERR,
 * NOTIMP, BADVERS), 0 for NOERROR and NXDOMAIN (both are answers), 2 on bad usage.
 * @module
 */
import { parseArgs } from 'node:util';
import { query } from '../protocols/dns/client.js';
import { formatAnswer } from '../protocols/dns/format.js';
import { errorMessage, MinisuiteError } from '../shared/errors.js';
import { ExchangeLog } from '../shared/exchange.js';
import { formatPretty } from '../shared/exchange-format.js';
import type { CliIo } from './io.js';
import { EXIT_USAGE } from './io.js';

export const DNS_USAGE = `usage: minisuite dns query NAME [TYPE] [options]
  --server HOST:PORT   server to ask                (default 127.0.0.1:5300)
  --tcp                query over TCP                (default UDP, TCP when truncated)
  --timeout MS         per attempt                   (default 2000)
  -h, --help           this text`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr.write(`minisuite dns: ${errorMessage(err)}\n${DNS_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.stdout.write(`${DNS_USAGE}\n`);
    return 0;
  }
  const [command, name, type = 'A', ...extra] = parsed.positionals;
  if (command !== 'query' || name === undefined || extra.length > 0) {
    io.stderr.write(`${DNS_USAGE}\n`);
    return EXIT_USAGE;
  }
  const timeout = parsed.values.timeout;
  if (timeout !== undefined && !/^\d+$/.test(timeout)) {
    io.stderr.write(`minisuite dns: --timeout: expected milliseconds, got '${timeout}'\n`);
    return EXIT_USAGE;
  }
  const log = new ExchangeLog({ capacity: 16 });
  log.subscribe((record) => io.stderr.write(`${formatPretty(record)}\n`));
  try {
    const answer = await query(name, type, {
      ...(parsed.values.server !== undefined ? { server: parsed.values.server } : {}),
      tcp: parsed.values.tcp ?? false,
      ...(timeout !== undefined ? { timeoutMs: Number(timeout) } : {}),
      log,
    });
    io.stdout.write(formatAnswer(answer.packet, answer.rcode, answer.transport, answer.server));
    if (answer.rcode === 'NOERROR' || answer.rcode === 'NXDOMAIN') return 0;
    io.stderr.write(`minisuite dns: the server answered ${answer.rcode}\n`);
    return 1;
  } catch (err) {
    io.stderr.write(`minisuite dns: ${errorMessage(err)}\n`);
    return err instanceof MinisuiteError && err.code === 'MS_CLIENT' && !/udp|tcp/.test(err.message) ? EXIT_USAGE : 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      tcp: { type: 'boolean' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
