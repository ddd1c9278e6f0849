/**
 * How often a rule fires, always reproducibly: skip the first `after` matches, then fire on each
 * match (or on a draw below `probability` from the rule's own seeded generator), at most `times`
 * times, until `expiresMs` after the rule was added. Only matching exchanges advance it, so the
 * same traffic gives the same faults.
 * @module
 */
import { DEFAULT_FAULT_SEED, seededRandom } from './random.js';

export interface ScheduleSpec {
  readonly times?: number | undefined;
  readonly after?: number | undefined;
  readonly probability?: number | undefined;
  readonly seed?: number | undefined;
  readonly expiresMs?: number | undefined;
}

export class FaultSchedule {
  readonly #spec: ScheduleSpec;
  readonly #random: (() => number) | undefined;
  readonly #expiresAt: number;
  #matches = 0;
  #hits = 0;

  constructor(spec: ScheduleSpec, now: number) {
    this.#spec = spec;
    this.#random = spec.probability !== undefined ? seededRandom(spec.seed ?? DEFAULT_FAULT_SEED) : undefined;
    this.#expiresAt = spec.expiresMs !== undefined ? now + spec.expiresMs : Number.POSITIVE_INFINITY;
  }

  /** Exchanges that matched so far (fired or not). */
  get matches(): number {
    return this.#matches;
  }

  /** Exchanges the rule changed. */
  get hits(): number {
    return this.#hits;
  }

  /** True once the rule can never fire again (expired, or its `times` used up). */
  done(now: number): boolean {
    return now >= this.#expiresAt || (this.#spec.times !== undefined && this.#hits >= this.#spec.times);
  }

  /** Called for a matching exchange: true when the rule changes it (and counts the hit). */
  fire(now: number): boolean {
    if (this.done(now)) return false;
    const n = this.#matches++;
    if (n < (this.#spec.after ?? 0)) return false;
    // One draw per eligible match, so the sequence depends only on the traffic.
    if (this.#random && this.#random() >= (this.#spec.probability ?? 1)) return false;
    this.#hits++;
    return true;
  }
}
