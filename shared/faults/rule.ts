/**
 * A fault rule: which exchanges it matches, what it does, how often (SPEC.md, section Faults).
 * The same JSON shape comes from the config file, `--fault`, the HTTP API and the test API; it is
 * validated here, once, with errors of the form `"<field>: <why>"`.
 *
 * This module knows the fields, not the protocols' verbs: each protocol says which action fields
 * it applies and may check a rule further ({@link FaultProtocol}).
 * @module
 */
import { z } from 'zod';
import type { TargetSyntax } from './glob.js';

/** Action fields a TCP connection understands whatever the protocol (toxiproxy's toxics and more). */
export const CONNECTION_ACTIONS = [
  'latencyMs',
  'bandwidthBps',
  'sliceBytes',
  'closeAfterBytes',
  'reset',
  'drop',
  'delayMs',
] as const;

/** Upper bound of a delay or latency: a fault slows a test down, it must not hang it for a day. */
export const MAX_FAULT_DELAY_MS = 600_000;
/** Longest text of a reply or body a rule may carry. */
export const MAX_FAULT_TEXT = 64 * 1024;

const delay = z.number().int().min(0).max(MAX_FAULT_DELAY_MS);
const count = z.number().int().min(0);
const positive = z.number().int().min(1);
const text = (max: number) => z.string().max(max);

const matchSchema = z.strictObject({
  command: text(64).regex(/^\S+$/, 'one word without spaces').optional(),
  target: text(1024).min(1).optional(),
  peer: text(64).min(1).optional(),
  user: text(256).min(1).optional(),
});

const actionSchema = z.strictObject({
  reply: text(512)
    .regex(/^[1-5]\d\d(?:[ -][^\r\n]*)?$/, 'a reply code 100-599 and its text, e.g. "451 4.7.1 Try again later"')
    .optional(),
  status: z.number().int().min(100).max(599).optional(),
  headers: z.record(text(256).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name'), text(8192)).optional(),
  body: text(MAX_FAULT_TEXT).optional(),
  rcode: text(16)
    .regex(/^[A-Za-z]+$/, 'an rcode name such as SERVFAIL')
    .optional(),
  drop: z.boolean().optional(),
  reset: z.boolean().optional(),
  truncate: z.boolean().optional(),
  close: z.boolean().optional(),
  wrongId: z.boolean().optional(),
  closeAfterBytes: count.optional(),
  delayMs: delay.optional(),
  latencyMs: delay.optional(),
  bandwidthBps: positive.optional(),
  sliceBytes: positive.optional(),
});

const ruleSchema = z.strictObject({
  protocol: z.string(),
  scope: z.enum(['exchange', 'connection']).optional(),
  match: matchSchema.optional(),
  action: actionSchema,
  times: positive.optional(),
  after: count.optional(),
  probability: z.number().min(0).max(1).optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  expiresMs: positive.optional(),
});

/** A rule as given (config, flag, API): unknown fields are refused, not ignored. */
export type FaultRuleInput = z.infer<typeof ruleSchema>;
export type FaultMatch = z.infer<typeof matchSchema>;
export type FaultAction = z.infer<typeof actionSchema>;
export type ActionField = keyof FaultAction;
export type FaultScope = 'exchange' | 'connection';

/** A validated rule: `scope` filled in, `match` always present, `command` upper-cased. */
export interface FaultRuleSpec extends Omit<FaultRuleInput, 'scope' | 'match'> {
  readonly scope: FaultScope;
  readonly match: FaultMatch;
}

/** What a protocol tells the engine about its faults. */
export interface FaultProtocol {
  /** Action fields it applies to a matched exchange (connection-scope fields are the shared ones). */
  readonly actions: readonly ActionField[];
  /** Whether it runs over TCP, so connection-scope rules apply (DNS: its TCP side). */
  readonly tcp: boolean;
  /** How `match.target` globs compare with this protocol's targets. */
  readonly target: TargetSyntax;
  /** Further checks (a known rcode, a reply code the command can take...): `"<field>: <why>"` or undefined. */
  check?(rule: FaultRuleSpec): string | undefined;
}

/** A rule was refused; the message is `"<field>: <why>"`. */
export class FaultRuleError extends Error {
  readonly field: string;
  constructor(field: string, why: string) {
    super(`${field}: ${why}`);
    this.name = 'FaultRuleError';
    this.field = field;
  }
}

function firstIssue(error: z.ZodError): FaultRuleError {
  const issue = error.issues[0];
  if (!issue) return new FaultRuleError('rule', 'invalid');
  const field = issue.path.length > 0 ? issue.path.join('.') : 'rule';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    return new FaultRuleError(field === 'rule' ? key : `${field}.${key}`, 'unknown field');
  }
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message))
    return new FaultRuleError(field, 'required');
  if (issue.code === 'invalid_type' && issue.expected === 'int')
    return new FaultRuleError(field, 'must be a whole number');
  return new FaultRuleError(field, issue.message);
}

/** Fields of `action` that are set. */
export function actionFields(action: FaultAction): ActionField[] {
  return (Object.keys(action) as ActionField[]).filter((k) => action[k] !== undefined && action[k] !== false);
}

/**
 * Validates `input` against the shape and the protocols' capabilities; returns the rule or throws
 * {@link FaultRuleError}.
 */
export function parseRule(input: unknown, protocols: Readonly<Record<string, FaultProtocol>>): FaultRuleSpec {
  const parsed = ruleSchema.safeParse(input);
  if (!parsed.success) throw firstIssue(parsed.error);
  const raw = parsed.data;
  const known = Object.keys(protocols);
  const protocol = protocols[raw.protocol];
  if (!protocol) throw new FaultRuleError('protocol', `must be one of ${known.join(', ')}`);
  const scope: FaultScope = raw.scope ?? 'exchange';
  const match: FaultMatch = { ...raw.match };
  if (match.command !== undefined) match.command = match.command.toUpperCase();
  if (match.command === '*') delete match.command;
  const fields = actionFields(raw.action);
  if (fields.length === 0) throw new FaultRuleError('action', 'says nothing to do');
  if (scope === 'connection') {
    if (!protocol.tcp) throw new FaultRuleError('scope', `${raw.protocol} has no TCP connections`);
    for (const key of ['command', 'target', 'user'] as const)
      if (match[key] !== undefined)
        throw new FaultRuleError(`match.${key}`, 'a connection-scope rule matches only protocol and peer');
    for (const f of fields)
      if (!(CONNECTION_ACTIONS as readonly string[]).includes(f))
        throw new FaultRuleError(`action.${f}`, `not a TCP-level action (those are ${CONNECTION_ACTIONS.join(', ')})`);
  } else {
    for (const f of fields)
      if (!protocol.actions.includes(f)) {
        const hint = (CONNECTION_ACTIONS as readonly string[]).includes(f)
          ? `; as a TCP toxic on whole connections add "scope": "connection"`
          : '';
        throw new FaultRuleError(`action.${f}`, `${raw.protocol} does not apply it to an exchange${hint}`);
      }
  }
  if (raw.action.reset && raw.action.drop) throw new FaultRuleError('action.drop', 'cannot be combined with reset');
  const rule: FaultRuleSpec = { ...raw, scope, match };
  const why = protocol.check?.(rule);
  if (why !== undefined) {
    const colon = why.indexOf(': ');
    throw colon > 0 ? new FaultRuleError(why.slice(0, colon), why.slice(colon + 2)) : new FaultRuleError('rule', why);
  }
  return rule;
}

/** "reply 451 4.7.1 Try again later", "status 503, delay 200 ms": what the action does, in words. */
export function describeAction(action: FaultAction): string {
  const parts: string[] = [];
  if (action.delayMs !== undefined) parts.push(`delay ${action.delayMs} ms`);
  if (action.reply !== undefined) parts.push(`reply ${action.reply}`);
  if (action.status !== undefined) parts.push(`status ${action.status}`);
  if (action.rcode !== undefined) parts.push(`rcode ${action.rcode.toUpperCase()}`);
  if (action.truncate) parts.push('TC=1');
  if (action.wrongId) parts.push('wrong ID');
  if (action.latencyMs !== undefined) parts.push(`latency ${action.latencyMs} ms`);
  if (action.bandwidthBps !== undefined) parts.push(`bandwidth ${action.bandwidthBps} B/s`);
  if (action.sliceBytes !== undefined) parts.push(`slices of ${action.sliceBytes} B`);
  if (action.closeAfterBytes !== undefined)
    parts.push(`${action.reset ? 'reset' : 'close'} after ${action.closeAfterBytes} B`);
  else if (action.reset) parts.push('reset');
  if (action.drop) parts.push('drop');
  if (action.close) parts.push('close');
  return parts.join(', ');
}

/** "451 4.7.1 Try again later" → code 451 and its text (the text may be empty). */
export function splitReply(reply: string): { code: number; text: string } {
  return { code: Number(reply.slice(0, 3)), text: reply.slice(4) };
}
