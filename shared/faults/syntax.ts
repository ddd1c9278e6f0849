/**
 * The one-line form of a fault rule, for `minisuite start --fault SPEC`:
 *
 *     PROTOCOL [COMMAND [TARGET]] [key=value | flag]...
 *
 * e.g. `smtp RCPT *@blocked.test reply="451 4.7.1 Try again later" times=1`,
 * `http GET /api/** status=503 header.Retry-After=30`, `dns * *.suite.test rcode=SERVFAIL probability=30% seed=7`,
 * `ftp scope=connection latencyMs=200`. Keys are the JSON field names (SPEC.md, Faults) without
 * their `match.`/`action.` prefix; `header.NAME=value` sets one response header; a flag (`drop`,
 * `reset`, `truncate`, `close`, `wrongId`) is `true`. `*` as the command means any. Values with
 * spaces are quoted ('…' or "…", with \" and \\ inside double quotes). The result is the JSON
 * rule, validated afterwards like any other.
 * @module
 */
import { FaultRuleError, type FaultRuleInput } from './rule.js';

const MATCH_KEYS = ['command', 'target', 'peer', 'user'] as const;
const TOP_NUMBERS = ['times', 'after', 'probability', 'seed', 'expiresMs'] as const;
const ACTION_NUMBERS = ['status', 'closeAfterBytes', 'delayMs', 'latencyMs', 'bandwidthBps', 'sliceBytes'] as const;
const ACTION_TEXTS = ['reply', 'body', 'rcode'] as const;
const FLAGS = ['drop', 'reset', 'truncate', 'close', 'wrongId'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<Omit<FaultRuleInput, 'match' | 'action'>> & {
  match: Record<string, string>;
  action: Record<string, unknown> & { headers?: Record<string, string> };
};

/** Splits the line into words, honouring quotes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"' || c === "'") {
      const end = findClose(line, i, c);
      word += c === '"' ? line.slice(i + 1, end).replace(/\\(["\\])/g, '$1') : line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function findClose(line: string, start: number, quote: string): number {
  for (let i = start + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') i++;
    else if (line[i] === quote) return i;
  }
  throw new FaultRuleError('rule', `unclosed ${quote} quote`);
}

function number(field: string, value: string): number {
  const percent = value.endsWith('%');
  const n = Number(percent ? value.slice(0, -1) : value);
  if (value === '' || !Number.isFinite(n)) throw new FaultRuleError(field, `expected a number, got "${value}"`);
  return percent ? n / 100 : n;
}

function flag(field: string, value: string): boolean {
  if (value === 'true' || value === '') return true;
  if (value === 'false') return false;
  throw new FaultRuleError(field, `expected true or false, got "${value}"`);
}

function has<T extends string>(list: readonly T[], key: string): key is T {
  return (list as readonly string[]).includes(key);
}

function setKey(draft: Draft, key: string, value: string): void {
  const header = /^headers?\.(.+)$/.exec(key);
  if (header) {
    draft.action.headers = { ...draft.action.headers, [header[1] as string]: value };
    return;
  }
  const bare = key.replace(/^(match|action)\./, '');
  if (has(MATCH_KEYS, bare)) draft.match[bare] = value;
  else if (has(TOP_NUMBERS, bare)) draft[bare] = number(bare, value);
  else if (bare === 'scope') draft.scope = value as 'exchange' | 'connection';
  else if (has(ACTION_NUMBERS, bare)) draft.action[bare] = number(`action.${bare}`, value);
  else if (has(ACTION_TEXTS, bare)) draft.action[bare] = value;
  else if (has(FLAGS, bare)) draft.action[bare] = flag(`action.${bare}`, value);
  else throw new FaultRuleError(key, 'unknown field');
}

/** Parses the one-line form into the JSON rule (not yet validated). Throws FaultRuleError. */
export function parseFaultLine(line: string): FaultRuleInput {
  const words = splitWords(line);
  const protocol = words.shift();
  if (protocol === undefined || protocol.includes('='))
    throw new FaultRuleError('protocol', 'the line must start with a protocol (http, ftp, smtp, dns)');
  const draft: Draft = { protocol, match: {}, action: {} };
  const positional: ('command' | 'target')[] = ['command', 'target'];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) {
      setKey(draft, word.slice(0, eq), word.slice(eq + 1));
      continue;
    }
    if (has(FLAGS, word)) {
      draft.action[word] = true;
      continue;
    }
    let slot = positional.shift();
    while (slot !== undefined && draft.match[slot] !== undefined) slot = positional.shift();
    if (slot === undefined) throw new FaultRuleError('rule', `unexpected word "${word}" (a key=value was expected)`);
    if (!(slot === 'command' && word === '*')) draft.match[slot] = word;
  }
  const { match, ...rest } = draft;
  return (Object.keys(match).length > 0 ? { ...rest, match } : rest) as FaultRuleInput;
}

function quote(value: string): string {
  return /^[^\s"'=]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** The one-line form of a rule (the inverse of {@link parseFaultLine}). */
export function formatFaultLine(rule: FaultRuleInput): string {
  const words: string[] = [rule.protocol];
  const m = rule.match ?? {};
  if (m.command !== undefined || m.target !== undefined) words.push(quote(m.command ?? '*'));
  if (m.target !== undefined) words.push(quote(m.target));
  if (m.peer !== undefined) words.push(`peer=${quote(m.peer)}`);
  if (m.user !== undefined) words.push(`user=${quote(m.user)}`);
  if (rule.scope !== undefined && rule.scope !== 'exchange') words.push(`scope=${rule.scope}`);
  for (const [key, value] of Object.entries(rule.action)) {
    if (value === undefined || value === false) continue;
    if (key === 'headers') {
      for (const [name, v] of Object.entries(value as Record<string, string>)) words.push(`header.${name}=${quote(v)}`);
    } else if (value === true) words.push(key);
    else words.push(`${key}=${quote(String(value))}`);
  }
  for (const key of TOP_NUMBERS) if (rule[key] !== undefined) words.push(`${key}=${rule[key]}`);
  return words.join(' ');
}
