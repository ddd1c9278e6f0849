/**
 * `minisuite start`: starts the selected servers, prints a ready line for each, writes the
 * exchange timeline, and stops gracefully on SIGINT/SIGTERM.
 * @module
 */
import { ExchangeLog } from '../shared/exchange.js';
import { attachConsole, colorFor } from '../shared/exchange-format.js';
import { CLOSE_GRACE_MS } from '../shared/limits.js';
import { isLoopbackHost } from '../shared/net-util.js';
import { readyLine } from '../shared/service.js';
import { resolveConfig } from '../suite/config.js';
import { type Running, startServices } from '../suite/runner.js';
import type { CliIo } from './io.js';
import { parseStartArgs, START_USAGE } from './start-args.js';
import { explainStartError } from './start-errors.js';
import { EXIT_USAGE, report } from './usage.js';

/** Runs until a signal; resolves with the exit code. */
export async function startCommand(argv: string[], io: CliIo): Promise<number> {
  let running: Running;
  try {
    const args = parseStartArgs(argv);
    if (args.help) {
      io.stdout.write(`${START_USAGE}\n`);
      return 0;
    }
    const config = resolveConfig(...args.layers);
    const log = new ExchangeLog();
    // The timeline goes to stderr so stdout carries only the ready lines scripts wait for.
    // Failures in red on a terminal, unless NO_COLOR is set.
    attachConsole(log, io.stderr, config.log, { batch: true, color: colorFor(io.stderr) });
    running = await startServices(config, log).catch((err: unknown) => {
      throw explainStartError(err, config);
    });
    // Ready lines only once every service is up: a script waiting for them never sees a
    // service that is about to be closed again because another one failed to start.
    for (const service of running.services.values()) io.stdout.write(`${readyLine(service)}\n`);
    if (!isLoopbackHost(config.host))
      io.stderr.write(
        `minisuite: warning: listening on ${config.host}: anyone who can reach it can use every server, the console included (see SECURITY.md)\n`,
      );
  } catch (err) {
    // Whatever stops the start (a flag, the config, a zone file, a port in use) exits 2 (SPEC.md).
    return report({ name: 'minisuite start', usage: START_USAGE, io }, err, EXIT_USAGE);
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stderr.write(`minisuite: ${signal}, finishing in-flight exchanges (up to ${CLOSE_GRACE_MS / 1000} s)\n`);
      void running.close({ graceMs: CLOSE_GRACE_MS }).then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
