/**
 * Failed logins counted per client address, not per connection (RFC 2577 §5, issue #17): 50
 * parallel connections used to get 50 times the guesses. Every failed `PASS` from an address counts
 * for that address for `windowMs`; once it has `maxFailures` there, every `PASS` from it is refused
 * (`421`) without looking at the password, until old failures age out. The check and the count
 * happen together, before any delay, so parallel guesses cannot overtake the limit.
 * @module
 */

/** Failed logins one client address may have within the window before its logins are refused. */
export const MAX_LOGIN_FAILURES_PER_ADDRESS = 20;
/** How long a failed login counts against its address. */
export const LOGIN_FAILURE_WINDOW_MS = 10 * 60_000;
/** Addresses remembered at once; past it the one failing longest ago is forgotten (bounded memory). */
export const LOGIN_THROTTLE_ADDRESSES = 10_000;

export interface LoginThrottleOptions {
  readonly maxFailures?: number;
  readonly windowMs?: number;
  readonly maxAddresses?: number;
  /** The clock, for tests; default `performance.now()`. */
  readonly now?: () => number;
}

export class LoginThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  /** Failure times per address, oldest first; the Map's order is the order of last failure. */
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? MAX_LOGIN_FAILURES_PER_ADDRESS;
    this.windowMs = options.windowMs ?? LOGIN_FAILURE_WINDOW_MS;
    this.#maxAddresses = options.maxAddresses ?? LOGIN_THROTTLE_ADDRESSES;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Failed logins of `address` within the window. */
  failures(address: string): number {
    return this.#recent(address).length;
  }

  /** True when `address` has used up its failures: its logins are refused for now. */
  blocked(address: string): boolean {
    return this.maxFailures > 0 && this.failures(address) >= this.maxFailures;
  }

  /** Counts a failed login of `address`; returns its failures within the window, this one included. */
  fail(address: string): number {
    const times = this.#recent(address);
    times.push(this.#now());
    this.#failures.delete(address);
    this.#failures.set(address, times);
    if (this.#failures.size > this.#maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    return times.length;
  }

  #recent(address: string): number[] {
    const times = this.#failures.get(address);
    if (!times) return [];
    const since = this.#now() - this.windowMs;
    while (times.length > 0 && (times[0] as number) <= since) times.shift();
    if (times.length === 0) this.#failures.delete(address);
    return times;
  }
}
