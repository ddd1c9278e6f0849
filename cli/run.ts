/**
 * Command dispatch of the `minisuite` command: `start` runs servers; `http|ftp|smtp|dns` are the clients.
 * @module
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../shared/errors.js';
import { main as dnsMain } from './dns.js';
import { main as ftpMain } from './ftp.js';
import { main as httpMain } from './http.js';
import { type CliIo, processIo } from './io.js';
import { main as smtpMain } from './smtp.js';
import { startCommand } from './start.js';
import { tlsMain } from './tls.js';
import { EXIT_FAILURE, EXIT_USAGE, unknownCommand } from './usage.js';

const USAGE = `usage: minisuite <command> [arguments]
  start [http] [ftp] [smtp] [dns] [options]   run servers (minisuite start --help)
  http get URL | http request METHOD URL      HTTP client
  ftp ls|get|put|rm|mkdir URL ...             FTP client
  smtp send --to ADDR ...                     SMTP client
  dns query NAME [TYPE] ...                   DNS client
  tls ca [--data DIR]                         the data folder's CA certificate, and how to trust it
  --version                                   print the version`;

const COMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  start: startCommand,
  http: httpMain,
  ftp: ftpMain,
  smtp: smtpMain,
  dns: dnsMain,
  tls: tlsMain,
};

export async function run(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT_USAGE : 0;
  }
  if (command === '--version' || command === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    io.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    io.stderr.write(`minisuite: ${unknownCommand(command, Object.keys(COMMANDS))} (see minisuite --help)\n`);
    return EXIT_USAGE;
  }
  try {
    return await handler(rest, io);
  } catch (err) {
    // Commands report their own failures (usage.ts); this is the backstop for a bug.
    io.stderr.write(`minisuite ${command}: ${errorMessage(err)}\n`);
    return EXIT_FAILURE;
  }
}
