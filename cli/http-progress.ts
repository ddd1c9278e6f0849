/**
 * A tiny progress bar for downloads on a terminal: `[#########           ]  45%  1.2 MiB / 2.6 MiB`,
 * redrawn at most every {@link PROGRESS_INTERVAL_MS} on one line, erased when done.
 * @module
 */
import type { Writable } from 'node:stream';
import { formatBytes } from '../shared/exchange-format.js';

/** Downloads smaller than this (when the size is known) show no bar. */
export const PROGRESS_MIN_BYTES = 1024 * 1024;
/** Redraw interval. */
export const PROGRESS_INTERVAL_MS = 100;
const WIDTH = 30;

/** The bar text for `received` of `total` (unknown total: bytes only). */
export function progressLine(received: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${formatBytes(received)} received`;
  const fraction = Math.min(1, received / total);
  const filled = Math.round(fraction * WIDTH);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${percent}  ${formatBytes(received)} / ${formatBytes(total)}`;
}

export interface Progress {
  update(received: number, total: number | undefined): void;
  done(): void;
}

/** A progress bar on `stream` when it is a TTY; otherwise one that draws nothing. */
export function createProgress(stream: Writable & { isTTY?: boolean }): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(received, total) {
      if (total !== undefined && total < PROGRESS_MIN_BYTES) return;
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && (total === undefined || received < total)) return;
      last = now;
      drawn = true;
      stream.write(`\r${progressLine(received, total)}\u001b[K`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}
