/**
 * A point in a suite's run (`suite.mark()`): how many exchanges, HTTP requests, stored messages and
 * DNS queries had been seen. `since: mark` then means "only what came after", by those counts,
 * not by clock time (two events in the same millisecond still fall on the right side).
 * @module
 */
import { MinisuiteError } from './errors.js';

export interface Mark {
  /** Exchange records added before the mark (the id of the last one). */
  readonly exchanges: number;
  /** HTTP requests recorded before it. */
  readonly httpRequests: number;
  /** Messages stored before it. */
  readonly mail: number;
  /** DNS queries received before it. */
  readonly dnsQueries: number;
  /** When it was taken (ISO 8601), for messages. */
  readonly time: string;
}

/** Options of the "expect nothing" helpers. */
export interface AbsenceOptions {
  /** How long nothing must arrive; default {@link EXPECT_NO_MS}. */
  readonly forMs?: number;
  /** Also count what came since this mark (default: only what comes from the call on). */
  readonly since?: Mark;
}

/** Default `forMs` of `expectNo` and `expectNoMessage`. */
export const EXPECT_NO_MS = 500;

/** Something arrived that a test said must not; the message lists it. */
export class UnexpectedError extends MinisuiteError {
  constructor(message: string) {
    super('MS_UNEXPECTED', message);
  }
}

/**
 * Resolves after `forMs` unless `offending` is called first, in which case it rejects with
 * {@link UnexpectedError}: the shared timing of every "expect nothing" helper. `watch` starts
 * watching and returns its stop function.
 */
export function expectAbsence(
  forMs: number,
  watch: (offending: (description: string) => void) => () => void,
  what: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    let stop: () => void = () => {};
    const timer = setTimeout(() => {
      done = true;
      stop();
      resolve();
    }, forMs);
    timer.unref();
    stop = watch((description) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => stop());
      reject(new UnexpectedError(`expected no ${what} for ${forMs} ms, but got:\n  ${description}`));
    });
    if (done) stop();
  });
}
