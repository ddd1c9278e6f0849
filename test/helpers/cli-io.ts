/**
 * An in-memory CliIo for running a command's `main` in-process: what it writes to stdout and
 * stderr is collected, stdin holds the given text (or nothing) and then ends.
 * @module
 */
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from '../../cli/io.js';

export interface FakeIo {
  readonly io: CliIo;
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/** `tty` sets stderr's `isTTY` (progress bars draw only on a TTY). */
export function fakeIo(options: { stdin?: string; tty?: boolean } = {}): FakeIo {
  const stdout = new PassThrough();
  const stderr =
    options.tty === undefined ? new PassThrough() : Object.assign(new PassThrough(), { isTTY: options.tty });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  return { io: { stdin, stdout, stderr }, out: () => out, err: () => err };
}
