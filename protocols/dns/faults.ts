/**
 * DNS faults: what a rule may do to a DNS query, and the answers they make on the wire. The
 * command is the query type (A, AAAA, MX...), the target the query name (case-insensitive,
 * without the trailing dot; `*` is one label, `**` any number).
 * @module
 */
import type { FaultAction, FaultProtocol } from '../../shared/faults/rule.js';
import { RCODE } from './records.js';
import type { Outcome } from './responder.js';

/**
 * The response codes a fault may answer with, by name: those of the header's four bits (RFC 1035
 * §4.1.1, RFC 2136 §2.2); BADVERS and the other extended codes need an OPT record to carry them.
 */
export const RCODES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(RCODE).filter(([, code]) => code <= 0x0f),
);

export const DNS_FAULTS: FaultProtocol = {
  tcp: true,
  actions: ['rcode', 'drop', 'truncate', 'wrongId', 'delayMs'],
  target: { separators: '.', ignoreCase: true, optionalLeadingSlash: false },
  check(rule) {
    const rcode = rule.action.rcode;
    if (rcode !== undefined && RCODES[rcode.toUpperCase()] === undefined)
      return `action.rcode: unknown rcode ${rcode} (one of ${Object.keys(RCODES).join(', ')})`;
    if (rule.action.drop && Object.keys(rule.action).some((k) => k !== 'drop' && k !== 'delayMs'))
      return 'action.drop: sends no answer, so it combines only with delayMs';
    if (rule.match.target?.endsWith('.')) return 'match.target: write the name without the trailing dot';
    return undefined;
  },
};

/** Whether a fault's action means something for a query over `transport` (TC=1 alone is for UDP). */
export function appliesTo(transport: 'udp' | 'tcp'): (action: FaultAction) => boolean {
  if (transport === 'udp') return () => true;
  return (action) => !(action.truncate && action.rcode === undefined && !action.wrongId && !action.drop);
}

/** Length of the question section of `query` (one question), or undefined when it is malformed. */
function questionEnd(query: Buffer): number | undefined {
  let i = 12;
  for (;;) {
    const len = query[i];
    if (len === undefined) return undefined;
    if (len === 0) break;
    // A query's name is never compressed (RFC 1035 §4.1.4: pointers refer to earlier names).
    if (len > 63) return undefined;
    i += len + 1;
  }
  const end = i + 1 + 4;
  return end <= query.length ? end : undefined;
}

/**
 * The answer a fault gives to `query`: its header and question, QR set, no records, and the
 * fault's rcode and TC bit (RFC 1035 §4.1.1). Undefined when the query cannot carry one.
 */
export function faultAnswer(query: Buffer, action: FaultAction, transport: 'udp' | 'tcp'): Buffer | undefined {
  const end = query.length >= 12 && query.readUInt16BE(4) === 1 ? questionEnd(query) : undefined;
  if (end === undefined) return undefined;
  const out = Buffer.from(query.subarray(0, end));
  const rcode = action.rcode !== undefined ? (RCODES[action.rcode.toUpperCase()] ?? 2) : 0;
  const rd = query[2]! & 0x01;
  const opcode = query[2]! & 0x78;
  const tc = action.truncate && transport === 'udp' ? 0x02 : 0;
  out[2] = 0x80 | opcode | tc | rd;
  out[3] = rcode & 0x0f;
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

/** `answer` with another ID than the query's, for clients that must check it (RFC 5452 §4.3). */
export function withWrongId(answer: Buffer): Buffer {
  const out = Buffer.from(answer);
  out.writeUInt16BE(answer.readUInt16BE(0) ^ 0xffff, 0);
  return out;
}

/** The outcome a fault turns `outcome` (the real answer to `query`) into. */
export function applyDnsFault(query: Buffer, outcome: Outcome, action: FaultAction, transport: 'udp' | 'tcp'): Outcome {
  if (action.drop) return { ...outcome, message: undefined, response: '(no answer)', ok: false, answers: 0 };
  let message = outcome.message;
  let changed: Partial<Outcome> = {};
  if (action.rcode !== undefined || (action.truncate && transport === 'udp')) {
    const rcode = action.rcode?.toUpperCase() ?? 'NOERROR';
    const truncated = action.truncate === true && transport === 'udp';
    message = faultAnswer(query, action, transport) ?? message;
    changed = {
      rcode,
      truncated,
      answers: 0,
      ok: rcode === 'NOERROR' || rcode === 'NXDOMAIN',
      response: truncated ? `${rcode} TC=1` : rcode,
    };
  }
  if (action.wrongId && message) {
    message = withWrongId(message);
    changed = { ...changed, response: `${changed.response ?? outcome.response} (wrong ID)` };
  }
  return { ...outcome, ...changed, message };
}
