/**
 * A deadline for one message that arrives in pieces (a DNS-over-TCP query, an SMTP command line).
 * Unlike an idle timer, which every byte resets, it starts with the message's first byte and is
 * not extended by later ones: a client that sends one byte just before each idle timeout cannot
 * keep a connection (and its slot) forever. Cleared when the message is complete; unref'd.
 * @module
 */

export class Deadline {
  readonly ms: number;
  #onExpire: () => void;
  #timer: NodeJS.Timeout | undefined;

  /** `ms` of 0 (or less) disables the deadline: `start()` then does nothing. */
  constructor(ms: number, onExpire: () => void) {
    this.ms = ms;
    this.#onExpire = onExpire;
  }

  /** True while a message is under way. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** A message began: the clock starts, unless it already runs for this message. */
  start(): void {
    if (this.#timer !== undefined || this.ms <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onExpire();
    }, this.ms);
    this.#timer.unref();
  }

  /** The message is complete (or the connection gone): the clock stops. */
  clear(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
