/**
 * Authoritative answers, pure: a question and the zones in, sections and rcode out. Follows
 * RFC 1034 §4.3.2 (the lookup algorithm), RFC 2308 (negative answers), RFC 4592 (wildcards) and
 * RFC 6604 (rcode after a CNAME chain). Recursion is never offered.
 * @module
 */
import { isInZone, parentName } from './names.js';
import { CLASS_ANY, CLASS_IN, RCODE, type SoaRecord, TYPE_CODES, targetOf, type ZoneRecord } from './records.js';
import type { RRsets, Zone } from './zone.js';

/** Longest CNAME chain followed inside a zone before answering with what we have. */
export const MAX_CNAME_CHAIN = 8;

export interface Question {
  /** Name key (names.ts). */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface AuthorityAnswer {
  readonly rcode: number;
  /** Authoritative Answer bit: set for in-zone answers, clear for referrals and refusals. */
  readonly aa: boolean;
  readonly answers: ZoneRecord[];
  readonly authorities: ZoneRecord[];
  readonly additionals: ZoneRecord[];
  /** The answer is a referral to a delegated child zone. */
  readonly referral: boolean;
}

const ZONE_TYPE_BY_CODE = new Map(Object.entries(TYPE_CODES).map(([name, code]) => [code, name]));

function refused(): AuthorityAnswer {
  return { rcode: RCODE.REFUSED, aa: false, answers: [], authorities: [], additionals: [], referral: false };
}

/** The zone with the longest apex that contains `name`. */
export function findZone(zones: readonly Zone[], name: string): Zone | undefined {
  let best: Zone | undefined;
  for (const zone of zones)
    if (isInZone(name, zone.origin) && (!best || zone.origin.length > best.origin.length)) best = zone;
  return best;
}

/** The SOA for a negative answer: TTL = min(SOA TTL, SOA MINIMUM), RFC 2308 §3. */
function negativeSoa(zone: Zone): SoaRecord {
  const soa = zone.soa;
  return { ...soa, ttl: Math.min(soa.ttl, soa.data.minimum) };
}

function withOwner(records: readonly ZoneRecord[], owner: string): ZoneRecord[] {
  return records.map((r) => (r.name === owner ? r : { ...r, name: owner }));
}

function select(node: RRsets, qtype: number): ZoneRecord[] {
  if (qtype === TYPE_CODES.ANY) return [...node.values()].flat();
  const type = ZONE_TYPE_BY_CODE.get(qtype);
  const rrset = type === undefined ? undefined : node.get(type as never);
  return rrset ? [...rrset] : [];
}

/** A/AAAA for the targets of MX, NS and SRV records, when a zone of ours holds them. */
function additionalFor(zones: readonly Zone[], records: readonly ZoneRecord[], already: readonly ZoneRecord[]) {
  const out: ZoneRecord[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const target = targetOf(record);
    if (target === undefined || seen.has(target)) continue;
    seen.add(target);
    const node = findZone(zones, target)?.node(target);
    for (const type of ['A', 'AAAA'] as const)
      for (const r of node?.get(type) ?? []) if (!already.includes(r)) out.push(r);
  }
  return out;
}

/** Answers one question from `zones` (RFC 1034 §4.3.2 step 3 onwards). */
export function answerQuestion(zones: readonly Zone[], question: Question): AuthorityAnswer {
  if (question.class !== CLASS_IN && question.class !== CLASS_ANY) return refused();
  if (question.type === TYPE_CODES.AXFR || question.type === TYPE_CODES.IXFR) return refused();
  const zone = findZone(zones, question.name);
  if (!zone) return refused();

  const answers: ZoneRecord[] = [];
  const visited = new Set<string>();
  let name = question.name;
  for (let step = 0; step <= MAX_CNAME_CHAIN; step++) {
    visited.add(name);
    const cut = zone.delegationFor(name);
    if (cut !== undefined) {
      // Below a zone cut we are not authoritative: refer to the child's servers, with glue.
      if (answers.length > 0) break;
      const ns = [...(zone.node(cut)?.get('NS') ?? [])];
      const glue = additionalFor([zone], ns, []);
      return { rcode: RCODE.NOERROR, aa: false, answers: [], authorities: ns, additionals: glue, referral: true };
    }
    let node = zone.node(name);
    if (!node && !zone.exists(name)) {
      // RFC 4592 §3.3.1: the source of synthesis is '*' under the closest encloser.
      let encloser = parentName(name);
      while (encloser !== undefined && !zone.exists(encloser)) encloser = parentName(encloser);
      node = encloser === undefined ? undefined : zone.node(encloser === '' ? '*' : `*.${encloser}`);
      if (!node) return negative(zone, RCODE.NXDOMAIN, answers);
    }
    if (!node) return negative(zone, RCODE.NOERROR, answers); // an empty non-terminal: NODATA
    const matched = select(node, question.type);
    if (matched.length > 0) {
      answers.push(...withOwner(matched, name));
      break;
    }
    const cname = node.get('CNAME')?.[0];
    if (cname?.type !== 'CNAME') return negative(zone, RCODE.NOERROR, answers);
    answers.push(...withOwner([cname], name));
    const target = cname.data;
    // Out-of-zone targets are the resolver's business; loops end the chain.
    if (!isInZone(target, zone.origin) || visited.has(target)) break;
    name = target;
  }
  return {
    rcode: RCODE.NOERROR,
    aa: true,
    answers,
    authorities: [],
    additionals: additionalFor(zones, answers, answers),
    referral: false,
  };
}

function negative(zone: Zone, rcode: number, answers: ZoneRecord[]): AuthorityAnswer {
  return { rcode, aa: true, answers, authorities: [negativeSoa(zone)], additionals: [], referral: false };
}
