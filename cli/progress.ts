/**
 * The progress bar of long transfers (`http get`, `ftp get|put`) on a terminal:
 * `[#########---------------------]  30%  1.2 MiB / 4.0 MiB`, one line redrawn with CR at most every
 * {@link PROGRESS_INTERVAL_MS}. Every other line the command writes on the same stream (the
 * exchange lines, warnings) goes through {@link ProgressBar.lines}, which erases the bar first,
 * so no line is ever printed onto it; the bar is redrawn at the next update. It ends erased:
 * the exchange line that follows says how the transfer ended. Off a terminal it draws nothing.
 * @module
 */
import { Writable } from 'node:stream';
import { formatBytes } from '../shared/exchange-format.js';

/** Transfers smaller than this (when the size is known) show no bar. */
export const PROGRESS_MIN_BYTES = 1024 * 1024;
/** Least time between two redraws. */
export const PROGRESS_INTERVAL_MS = 100;
/** Width of the bar between its brackets. */
export const PROGRESS_WIDTH = 30;

const ERASE = '\r\u001b[K';

/** The bar text for `bytes` of `total`; an unknown total shows the bytes only (pure). */
export function renderBar(bytes: number, total: number | undefined, width = PROGRESS_WIDTH): string {
  if (total === undefined || total <= 0) return `${formatBytes(bytes)} transferred`;
  const fraction = Math.min(1, bytes / total);
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${formatBytes(bytes)} / ${formatBytes(total)}`;
}

type TtyWritable = Writable & { isTTY?: boolean };

export class ProgressBar {
  readonly #out: TtyWritable;
  readonly #enabled: boolean;
  readonly #now: () => number;
  #total: number | undefined;
  #last = Number.NEGATIVE_INFINITY;
  #drawn = false;
  #lines: Writable | undefined;

  /** A bar on `out`, drawn only when `out` is a TTY. `now` is the clock (tests give their own). */
  constructor(out: TtyWritable, options: { now?: () => number } = {}) {
    this.#out = out;
    this.#enabled = out.isTTY === true;
    this.#now = options.now ?? Date.now;
  }

  /** Starts a transfer of `total` bytes (undefined: unknown). */
  start(total: number | undefined): void {
    this.#total = total;
    this.#last = Number.NEGATIVE_INFINITY;
  }

  /** `bytes` of the transfer have moved; redraws when it is time (always at the end). */
  update(bytes: number): void {
    if (!this.#enabled) return;
    const total = this.#total;
    if (total !== undefined && total < PROGRESS_MIN_BYTES) return;
    const now = this.#now();
    const finished = total !== undefined && bytes >= total;
    if (now - this.#last < PROGRESS_INTERVAL_MS && !finished) return;
    this.#last = now;
    this.#drawn = true;
    this.#out.write(`\r${renderBar(bytes, total)}\u001b[K`);
  }

  /** Erases the bar, if drawn, so the next write starts on a clean line. */
  clear(): void {
    if (!this.#drawn) return;
    this.#drawn = false;
    this.#out.write(ERASE);
  }

  /** Ends the transfer: the bar is erased (the same for every command). */
  done(): void {
    this.clear();
    this.#total = undefined;
  }

  /** The stream every other line for `out` goes through: each write erases the bar first. */
  get lines(): Writable {
    this.#lines ??= new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        this.clear();
        // Passed on at once, like a direct write: the order of bar and lines is the order of calls.
        this.#out.write(chunk);
        callback();
      },
    });
    return this.#lines;
  }
}
