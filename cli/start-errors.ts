/**
 * What `minisuite start` says when the start fails for a reason outside its flags: each message
 * names the flag to change and how. A port in use names its `--X-port` flag; a `--data` folder
 * that is a file, under a file, or not writable names `--data` instead of a raw EEXIST/ENOTDIR/EACCES.
 * @module
 */
import path from 'node:path';
import { ConfigError, errorMessage, MinisuiteError } from '../shared/errors.js';
import type { SuiteConfig } from '../suite/settings.js';

/** The port flags of `minisuite start`, with the config value each sets. */
export function portFlags(config: SuiteConfig): [flag: string, port: number, service: string][] {
  return [
    ['--http-port', config.http.port, 'http'],
    ['--https-port', config.http.httpsPort, 'https'],
    ['--ftp-port', config.ftp.port, 'ftp'],
    ['--ftps-port', config.ftp.ftpsPort, 'ftps'],
    ['--smtp-port', config.smtp.port, 'smtp'],
    ['--smtps-port', config.smtp.smtpsPort, 'smtps'],
    ['--dns-port', config.dns.port, 'dns'],
    ['--dot-port', config.dns.dotPort, 'dot'],
  ];
}

/** `err`, explained for the command line when it is one of the cases above; else `err` itself. */
export function explainStartError(err: unknown, config: SuiteConfig): unknown {
  if (err instanceof MinisuiteError && err.code === 'MS_ADDRESS_IN_USE') return portInUse(err, config);
  return dataFolderError(err, path.resolve(config.data)) ?? err;
}

function portInUse(err: MinisuiteError, config: SuiteConfig): MinisuiteError {
  const causePort = (err.cause as { port?: unknown } | undefined)?.port;
  const port = typeof causePort === 'number' ? causePort : Number(/port (\d+)/.exec(err.message)?.[1]);
  const service = /^([\w-]+):/.exec(err.message)?.[1] ?? '';
  const candidates = portFlags(config).filter(([, p]) => p === port);
  // Two flags on one port: the one of the service that failed (its name starts the message).
  const flag = (candidates.find(([, , s]) => s === service) ?? candidates[0])?.[0];
  if (flag === undefined) return err;
  const other = port >= 65535 ? port - 1 : port + 1;
  return new MinisuiteError('MS_ADDRESS_IN_USE', `${err.message}; give ${flag} ${other} (0 picks a free one)`, {
    cause: err,
  });
}

/** The data-folder problem `err` is, naming `--data` and the fix; undefined when it is not one. */
export function dataFolderError(err: unknown, dataDir: string): ConfigError | undefined {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string' || typeof e.path !== 'string') return undefined;
  const where = path.resolve(e.path);
  const inside =
    where === dataDir || where.startsWith(`${dataDir}${path.sep}`) || dataDir.startsWith(`${where}${path.sep}`);
  if (!inside) return undefined;
  const fix = `give --data a folder you can write to (it is created if missing)`;
  switch (e.code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return new ConfigError(
        '--data',
        e.code === 'EEXIST'
          ? `${dataDir} is a file, not a folder; ${fix}`
          : `${dataDir}: a part of the path is a file, not a folder; ${fix}`,
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ConfigError(
        '--data',
        `${dataDir}: cannot write ${where} (${e.code === 'EROFS' ? 'read-only file system' : 'permission denied'}); ${fix}`,
        {
          cause: err,
        },
      );
    default:
      return new ConfigError('--data', `${dataDir}: ${errorMessage(err)}`, { cause: err });
  }
}
