/**
 * Suites for fault tests: each test starts the protocols it needs; all are closed after it.
 * @module
 */
import { afterEach } from 'vitest';
import type { Protocol } from '../../shared/exchange.js';
import { type Suite, type SuiteOptions, startSuite } from '../../suite/start-suite.js';

/** Registers the clean-up and returns a starter of suites of `protocols`. */
export function suiteStarter(protocols: Protocol[]): (options?: SuiteOptions) => Promise<Suite> {
  const suites: Suite[] = [];
  afterEach(async () => {
    await Promise.all(suites.splice(0).map((s) => s.close({ graceMs: 0 })));
  });
  return async (options = {}) => {
    const suite = await startSuite({ protocols, ...options });
    suites.push(suite);
    return suite;
  };
}
