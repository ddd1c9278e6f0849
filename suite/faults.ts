/**
 * The suite's fault rules: one engine per run, knowing the four protocols, and the test API's
 * view of it (`suite.faults.add({...})` → a handle with `.hits` and `.remove()`).
 * @module
 */
import { DNS_FAULTS } from '../protocols/dns/faults.js';
import { COMMANDS } from '../protocols/ftp/commands.js';
import { ftpFaults } from '../protocols/ftp/faults.js';
import { HTTP_FAULTS } from '../protocols/http/faults.js';
import { SMTP_FAULTS } from '../protocols/smtp/faults.js';
import { ConfigError } from '../shared/errors.js';
import { FaultEngine, type FaultRule, FaultRuleError, type FaultRuleInput } from '../shared/faults/index.js';

/** What each protocol lets a rule do. */
export const FAULT_PROTOCOLS = {
  http: HTTP_FAULTS,
  ftp: ftpFaults(Object.keys(COMMANDS)),
  smtp: SMTP_FAULTS,
  dns: DNS_FAULTS,
};

/** A fresh engine for one run, with `rules` added; a bad rule throws ConfigError naming `field[i].<field>`. */
export function createFaultEngine(rules: readonly unknown[] = [], field = 'faults'): FaultEngine {
  const engine = new FaultEngine({ protocols: FAULT_PROTOCOLS });
  rules.forEach((rule, i) => {
    try {
      engine.add(rule);
    } catch (err) {
      if (err instanceof FaultRuleError)
        throw new ConfigError(`${field}[${i}].${err.field}`, err.message.slice(err.field.length + 2));
      throw err;
    }
  });
  return engine;
}

/** A rule added through the test API. */
export interface FaultHandle {
  readonly id: string;
  /** The rule as validated (with its defaults). */
  readonly rule: FaultRule;
  /** Exchanges the rule changed so far (still readable after `remove()`). */
  readonly hits: number;
  /** Removes the rule; false when it was already gone. */
  remove(): boolean;
}

/** `suite.faults`: add, list and clear rules while traffic runs. */
export class SuiteFaults {
  readonly engine: FaultEngine;

  constructor(engine: FaultEngine) {
    this.engine = engine;
  }

  /** Adds a rule (SPEC.md, Faults); throws FaultRuleError (`"<field>: <why>"`) on a bad one. */
  add(rule: FaultRuleInput): FaultHandle {
    const added = this.engine.add(rule);
    const engine = this.engine;
    return {
      id: added.id,
      rule: added,
      get hits() {
        return engine.hits(added.id) ?? 0;
      },
      remove: () => engine.remove(added.id),
    };
  }

  /** The rules in force, with their hits. */
  list(): FaultRule[] {
    return this.engine.list();
  }

  /** Removes every rule. */
  clear(): void {
    this.engine.clear();
  }
}
