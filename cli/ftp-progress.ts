/**
 * A tiny progress bar for long transfers on a TTY: one line redrawn with CR, at most ten times
 * a second, cleared by a final newline.
 * @module
 */
import type { Writable } from 'node:stream';
import { formatBytes } from '../shared/exchange-format.js';

/** Redraws per second at most. */
const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/** `[#########---------]  45%  12.3 MiB / 27.0 MiB` (pure). */
export function renderBar(bytes: number, total: number | undefined, width = BAR_WIDTH): string {
  if (!total || total <= 0) return `${formatBytes(bytes)}`;
  const fraction = Math.min(1, bytes / total);
  const filled = Math.round(fraction * width);
  const percent = String(Math.floor(fraction * 100)).padStart(3, ' ');
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}%  ${formatBytes(bytes)} / ${formatBytes(total)}`;
}

export class ProgressBar {
  #out: Writable;
  #total: number | undefined;
  #last = 0;
  #drawn = false;

  constructor(out: Writable, total: number | undefined) {
    this.#out = out;
    this.#total = total;
  }

  update(bytes: number): void {
    const now = Date.now();
    if (now - this.#last < REDRAW_INTERVAL_MS) return;
    this.#last = now;
    this.#drawn = true;
    this.#out.write(`\r${renderBar(bytes, this.#total)}\u001b[K`);
  }

  /** Draws the final state and ends the line. */
  done(bytes: number): void {
    if (!this.#drawn && bytes === 0) return;
    this.#out.write(`\r${renderBar(bytes, this.#total)}\u001b[K\n`);
  }
}
