/**
 * The fault engine: the rules in force, matched against the exchanges the protocols report.
 * It knows no protocol verbs: a protocol describes an exchange (`command`, `target`, `peer`,
 * `user`), gets back the action of the first rule that fires, and applies it in its own words.
 * Rules can be added and removed while traffic runs: the lists are replaced, never changed in
 * place, so a decision in progress sees one consistent set.
 * @module
 */
import { EventEmitter } from 'node:events';
import { normalizeAddress } from '../net-util.js';
import { compileGlob, type TargetMatcher } from './glob.js';
import { DEFAULT_FAULT_SEED } from './random.js';
import {
  describeAction,
  type FaultAction,
  type FaultProtocol,
  type FaultRuleSpec,
  type FaultScope,
  parseRule,
} from './rule.js';
import { FaultSchedule } from './schedule.js';

/** What a protocol knows about one exchange when it asks. */
export interface ExchangeFacts {
  /** The verb or command (SMTP/FTP), method (HTTP), qtype (DNS); upper case. */
  readonly command?: string | undefined;
  /** Address, path or name, as SPEC.md says per protocol. */
  readonly target?: string | undefined;
  /** The client's address (no port). */
  readonly peer?: string | undefined;
  /** The session's logged-in user, if any. */
  readonly user?: string | undefined;
}

/** A rule as the APIs show it. */
export interface FaultRule extends FaultRuleSpec {
  readonly id: string;
  /** Exchanges (or connections) the rule changed. */
  readonly hits: number;
}

/** A rule fired: what to do, and the note for the exchange record. */
export interface FaultHit {
  readonly ruleId: string;
  readonly action: FaultAction;
  /** `"<rule id>: <what was done>"`, for the record's `fault` field. */
  readonly note: string;
}

export type FaultEngineEvents = { change: []; hit: [hit: FaultHit, protocol: string] };

export interface FaultEngineOptions {
  /** The protocols rules may name, with what each applies. */
  readonly protocols: Readonly<Record<string, FaultProtocol>>;
  /** Clock for `expiresMs`; default `Date.now`. */
  readonly now?: () => number;
}

class RuleState {
  readonly id: string;
  readonly spec: FaultRuleSpec;
  readonly schedule: FaultSchedule;
  readonly target: TargetMatcher | undefined;
  readonly peer: string | undefined;
  readonly note: string;

  constructor(id: string, spec: FaultRuleSpec, protocol: FaultProtocol, now: number) {
    this.id = id;
    this.spec = spec;
    this.schedule = new FaultSchedule(spec, now);
    this.target = spec.match.target !== undefined ? compileGlob(spec.match.target, protocol.target) : undefined;
    this.peer = spec.match.peer !== undefined ? normalizeAddress(spec.match.peer) : undefined;
    this.note = `${id}: ${describeAction(spec.action)}`;
  }

  matches(facts: ExchangeFacts): boolean {
    const m = this.spec.match;
    if (m.command !== undefined && facts.command?.toUpperCase() !== m.command) return false;
    if (this.peer !== undefined && (facts.peer === undefined || normalizeAddress(facts.peer) !== this.peer))
      return false;
    if (m.user !== undefined && facts.user !== m.user) return false;
    if (this.target !== undefined && (facts.target === undefined || !this.target(facts.target))) return false;
    return true;
  }

  view(): FaultRule {
    return { id: this.id, ...this.spec, hits: this.schedule.hits };
  }
}

const NONE: readonly RuleState[] = [];
/** Removed rules whose hit counts are remembered (rules added and removed in a loop stay bounded). */
const RETIRED_KEPT = 10_000;

export class FaultEngine extends EventEmitter<FaultEngineEvents> {
  readonly #protocols: Readonly<Record<string, FaultProtocol>>;
  readonly #now: () => number;
  #nextId = 1;
  #rules: readonly RuleState[] = NONE;
  /** Rules per protocol and scope, rebuilt on every change: the hot path reads one array. */
  #index = new Map<string, readonly RuleState[]>();
  /** Final hit counts of removed rules, oldest dropped first. */
  #retired = new Map<string, number>();

  constructor(options: FaultEngineOptions) {
    super();
    this.#protocols = options.protocols;
    this.#now = options.now ?? Date.now;
  }

  /** Validates `input` (throws FaultRuleError, `"<field>: <why>"`) without adding it. */
  validate(input: unknown): FaultRuleSpec {
    const spec = parseRule(input, this.#protocols);
    // A probability without a seed uses the default one, shown so the run can be repeated.
    if (spec.probability !== undefined && spec.seed === undefined) return { ...spec, seed: DEFAULT_FAULT_SEED };
    return spec;
  }

  /** Adds a rule (last in order); returns it with its id. Throws FaultRuleError on a bad rule. */
  add(input: unknown): FaultRule {
    const spec = this.validate(input);
    const protocol = this.#protocols[spec.protocol] as FaultProtocol;
    const state = new RuleState(`f${this.#nextId++}`, spec, protocol, this.#now());
    this.#set([...this.#rules, state]);
    return state.view();
  }

  /** Removes one rule; false when there is none with that id. */
  remove(id: string): boolean {
    const left = this.#rules.filter((r) => r.id !== id);
    if (left.length === this.#rules.length) return false;
    this.#set(left);
    return true;
  }

  /** Removes every rule. */
  clear(): void {
    if (this.#rules.length > 0) this.#set(NONE);
  }

  /** The rules in force, in order (expired and used-up ones included until removed). */
  list(): FaultRule[] {
    return this.#rules.map((r) => r.view());
  }

  get(id: string): FaultRule | undefined {
    return this.#rules.find((r) => r.id === id)?.view();
  }

  /** Hits of rule `id` so far (still known after the rule was removed, for handles), or undefined. */
  hits(id: string): number | undefined {
    return this.#rules.find((r) => r.id === id)?.schedule.hits ?? this.#retired.get(id);
  }

  /** True when some rule of `protocol` and `scope` is in force: lets hot paths skip describing an exchange. */
  has(protocol: string, scope: FaultScope = 'exchange'): boolean {
    return (this.#index.get(`${protocol} ${scope}`)?.length ?? 0) > 0;
  }

  /**
   * The first rule of `protocol` and `scope` that matches `facts` and fires, or undefined. Rules
   * are tried in the order they were added; the first that fires ends the search, so the rules
   * after it do not see the exchange (their schedules do not advance). `applies` lets the protocol
   * pass over rules whose action means nothing for this exchange.
   */
  decide(
    protocol: string,
    facts: ExchangeFacts,
    scope: FaultScope = 'exchange',
    applies?: (action: FaultAction) => boolean,
  ): FaultHit | undefined {
    const rules = this.#index.get(`${protocol} ${scope}`);
    if (rules === undefined) return undefined;
    const now = this.#now();
    for (const rule of rules) {
      // A rule whose action cannot act on this exchange (TC=1 over TCP...) does not match it.
      if (!rule.matches(facts) || (applies && !applies(rule.spec.action)) || !rule.schedule.fire(now)) continue;
      const hit: FaultHit = { ruleId: rule.id, action: rule.spec.action, note: rule.note };
      this.emit('hit', hit, protocol);
      return hit;
    }
    return undefined;
  }

  #set(rules: readonly RuleState[]): void {
    for (const gone of this.#rules) {
      if (rules.includes(gone)) continue;
      if (this.#retired.size >= RETIRED_KEPT) this.#retired.delete(this.#retired.keys().next().value as string);
      this.#retired.set(gone.id, gone.schedule.hits);
    }
    this.#rules = rules;
    const index = new Map<string, RuleState[]>();
    for (const rule of rules) {
      const key = `${rule.spec.protocol} ${rule.spec.scope}`;
      const list = index.get(key);
      if (list) list.push(rule);
      else index.set(key, [rule]);
    }
    this.#index = index;
    this.emit('change');
  }
}
