/**
 * The one place that decides how a `minisuite` command reports bad usage and failures:
 * flags are parsed with `node:util` parseArgs, an unknown flag or subcommand gets a did-you-mean,
 * `-h`/`--help` prints the command's usage on stdout (exit 0), a usage error is one line on stderr
 * naming the flag and the fix (exit 2), and a runtime failure is one line on stderr (exit 1).
 * @module
 */
import fs from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage, MinisuiteError } from '../shared/errors.js';
import type { CliIo } from './io.js';
import { CERTIFICATE_HINT, isCertificateFailure } from './tls-errors.js';

/** Exit code of a command that did what it was asked. */
export const EXIT_OK = 0;
/** Exit code of a runtime failure: unreachable server, refused request, failed transfer. */
export const EXIT_FAILURE = 1;
/** Exit code of bad usage and bad configuration (SPEC.md). */
export const EXIT_USAGE = 2;

/** Bad usage: a flag, argument or subcommand is wrong. The message names it and, when it can, the fix. */
export class UsageError extends MinisuiteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MS_USAGE', message, options);
  }
}

/** Thrown by {@link parseCommand} for `-h`/`--help`: the command prints its usage and exits 0. */
export class HelpRequested extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Every parser accepts -h/--help. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** Edit distance with transpositions (optimal string alignment), for suggestions; short strings only. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, when it is close enough to be what was meant: within a third
 * of the word's length in edits (at least 1, at most 3), or a prefix of a candidate.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  if (best !== undefined && bestDistance <= limit) return best;
  const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `unknown option '--x'` plus `; did you mean --y?` when one is close. */
export function unknownOption(flag: string, options: Options): string {
  const names = Object.keys(options).map((n) => `--${n}`);
  const bare = flag.replace(/=.*$/, '');
  const guess = bare.startsWith('--') ? closest(bare, names) : undefined;
  return `unknown option '${bare}'${guess !== undefined ? `; did you mean ${guess}?` : ''}`;
}

/** `unknown command 'x'` plus `; did you mean y?` when one is close, else the list. */
export function unknownCommand(word: string, commands: readonly string[]): string {
  const guess = closest(word, commands);
  return `unknown command '${word}'; ${guess !== undefined ? `did you mean ${guess}?` : `expected ${listOf(commands)}`}`;
}

/** "a, b or c". */
export function listOf(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** Turns parseArgs' own errors ("Option '--x <value>' argument missing") into one short line. */
function translate(err: unknown, options: Options): UsageError {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? errorMessage(err);
  const quoted = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(unknownOption(quoted, options));
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message)
        ? new UsageError(`${quoted} needs a value`)
        : new UsageError(`${quoted} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${/'([^']*)'/.exec(message)?.[1] ?? ''}'`);
    default:
      return new UsageError(message.split('. ')[0]?.replace(/\.$/, '') ?? 'bad arguments');
  }
}

/**
 * parseArgs with -h/--help added, strict, and errors turned into {@link UsageError}s with a
 * did-you-mean. Throws {@link HelpRequested} when help was asked for.
 */
export function parseCommand<const O extends Options>(
  argv: readonly string[],
  options: O,
  allowPositionals = true,
): {
  values: ReturnType<typeof parseArgs<{ options: O & typeof HELP; strict: true }>>['values'];
  positionals: string[];
} {
  const all = { ...options, ...HELP } as O & typeof HELP;
  let parsed: ReturnType<typeof parseArgs<{ options: O & typeof HELP; strict: true; allowPositionals: boolean }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: all, allowPositionals, strict: true });
  } catch (err) {
    // `--help` anywhere wins over a bad flag beside it.
    if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequested();
    throw translate(err, all);
  }
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested();
  return { values: parsed.values, positionals: parsed.positionals };
}

/** A command's body with its reports decided here. */
export interface CommandContext {
  /** e.g. `minisuite http`: the prefix of every line this command writes on stderr. */
  readonly name: string;
  /** Printed for `--help`. */
  readonly usage: string;
  readonly io: CliIo;
}

/**
 * Runs a command body: `HelpRequested` prints the usage (exit 0), a {@link UsageError} or a
 * {@link ConfigError} is one stderr line (exit 2), anything else thrown is one stderr line (exit 1).
 */
export async function runCommand(ctx: CommandContext, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    return report(ctx, err);
  }
}

/** Writes the one-line report of `err` and returns the exit code (see {@link runCommand}). */
export function report(ctx: CommandContext, err: unknown, failureCode = EXIT_FAILURE): number {
  if (err instanceof HelpRequested) {
    ctx.io.stdout.write(`${ctx.usage}\n`);
    return EXIT_OK;
  }
  const message = errorMessage(err);
  if (err instanceof MinisuiteError && err.code === 'MS_USAGE') {
    // Where the usage is, unless the line already says what was meant.
    const hint = /did you mean/.test(message) ? '' : ` (see ${ctx.name} --help)`;
    ctx.io.stderr.write(`${ctx.name}: ${message}${hint}\n`);
    return EXIT_USAGE;
  }
  const hint = isCertificateFailure(err) ? `; ${CERTIFICATE_HINT}` : '';
  ctx.io.stderr.write(`${ctx.name}: ${message}${hint}\n`);
  return err instanceof MinisuiteError && err.code === 'MS_CONFIG' ? EXIT_USAGE : failureCode;
}

/**
 * Runs a client library's own argument check (CR/LF refusal, name syntax) before any connection,
 * so what it refuses is reported as bad usage, and whatever fails later is a runtime failure.
 */
export function checkUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw new UsageError(errorMessage(err), { cause: err });
  }
}

/** Throws a {@link UsageError} unless `value` is given. */
export function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

/** The subcommand (first positional), checked against `commands` with a did-you-mean. */
export function subcommand<const C extends string>(positionals: readonly string[], commands: readonly C[]): C {
  const word = positionals[0];
  if (word === undefined) throw new UsageError(`missing command; expected ${listOf(commands)}`);
  if (!(commands as readonly string[]).includes(word)) throw new UsageError(unknownCommand(word, commands));
  return word as C;
}

/** "no such file", "permission denied"... for a file a flag names. */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  return errorMessage(err);
}

/** Reads the file a flag names; a problem is a {@link UsageError} like `--cacert x.pem: no such file`. */
export async function readFlagFile(flag: string, file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${fileProblem(err)}`, { cause: err });
  }
}
