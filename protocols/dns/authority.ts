/**
 * Authoritative answers, pure: a question and the zones in, sections and rcode out. Follows
 * RFC 1034 §4.3.2 (the lookup algorithm, CNAMEs followed across our zones, referrals),
 * RFC 2308 (negative answers), RFC 4592 (wildcards), RFC 6672 (DNAME), RFC 4035 §3.1 (a
 * pre-signed zone's RRSIGs and NSECs when the query sets DO, DS answered by the parent side),
 * RFC 8482 §4.1 (ANY gets one RRset) and minimal responses: additional data only for NS RRsets
 * (glue), the way NSD answers with `minimal-responses: yes`. Recursion is never offered.
 * @module
 */
import { coveringNsec, isSigned, signaturesFor } from './dnssec.js';
import { isInZone, labelCount, MAX_NAME_WIRE_LENGTH, parentName, splitName, wireLength } from './names.js';
import { CLASS_ANY, CLASS_IN, codeOf, RCODE, type SoaRecord, T, type ZoneRecord } from './records.js';
import type { RRsets, Zone } from './zone.js';

/** CNAME and DNAME links followed before answering with what we have (RFC 1034 §3.6.2 asks for a bound). */
export const MAX_CNAME_CHAIN = 32;

export interface Question {
  /** Name key (names.ts). */
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface AnswerOptions {
  /** The query's DO bit (RFC 3225): signed zones then add RRSIGs and NSECs. */
  readonly dnssecOk?: boolean;
}

export interface AuthorityAnswer {
  readonly rcode: number;
  /** Authoritative Answer bit: set for in-zone answers, clear for referrals, refusals and QCLASS ANY. */
  readonly aa: boolean;
  /** Records by section, RRset by RRset; an RRset's RRSIGs follow it. */
  readonly answers: ZoneRecord[];
  readonly authorities: ZoneRecord[];
  readonly additionals: ZoneRecord[];
  /** The answer ends in a referral to a delegated child zone. */
  readonly referral: boolean;
  /** For a referral: the zone cut (its in-domain glue must fit, RFC 9471). */
  readonly cut?: string | undefined;
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
  return soa.ttl <= soa.data.minimum ? soa : { ...soa, ttl: soa.data.minimum };
}

function rename(records: readonly ZoneRecord[], owner: string): ZoneRecord[] {
  return records.map((r) => (r.name === owner ? r : { ...r, name: owner }));
}

/** RFC 8482 §4.1, as NSD picks: the first common type, else the last other, DNSSEC types last. */
function anyRRset(node: RRsets, skipRrsig: boolean): number | undefined {
  let normal: number | undefined;
  let unpreferred: number | undefined;
  for (const type of node.keys()) {
    if (skipRrsig && type === T.RRSIG) continue;
    if (type === T.A || type === T.AAAA || type === T.SOA || type === T.MX || type === 12) return type;
    if (type === T.DNSKEY || type === T.RRSIG || type === T.NSEC) unpreferred = type;
    else normal = type;
  }
  return normal ?? unpreferred;
}

enum Section {
  Answer = 0,
  Authority = 1,
  AdditionalA = 2,
  AdditionalAAAA = 3,
}

/** One answer under construction. */
class Builder {
  readonly sections: ZoneRecord[][] = [[], [], [], []];
  /** RRsets already placed ("owner|type"): an RRset appears once (RFC 2181 §5). */
  readonly placed = new Set<string>();
  rcode: number = RCODE.NOERROR;
  aa = false;
  referral = false;
  cut: string | undefined;
  links = 0;

  constructor(
    readonly zones: readonly Zone[],
    readonly q: Question,
    readonly dnssecOk: boolean,
  ) {}

  /** Adds an RRset (and, for a signed zone asked with DO, its RRSIGs); false when it was there. */
  add(
    section: Section,
    zone: Zone,
    source: RRsets | undefined,
    records: readonly ZoneRecord[],
    owner: string,
  ): boolean {
    const first = records[0];
    if (!first) return false;
    const type = codeOf(first);
    const key = `${owner}|${type}`;
    if (this.placed.has(key)) return false;
    this.placed.add(key);
    const out = this.sections[section] as ZoneRecord[];
    out.push(...rename(records, owner));
    if (this.dnssecOk && isSigned(zone)) {
      const sigs = signaturesFor(source, type, owner);
      // NSD gives an SOA's RRSIG the SOA's TTL, so a negative answer's signature expires with it (RFC 4035 §3.1.3).
      out.push(...(type === T.SOA ? sigs.map((s) => ({ ...s, ttl: first.ttl })) : sigs));
    }
    // Minimal responses: glue for NS RRsets in the authority section, or when NS was asked for.
    if (type === T.NS && (section === Section.Authority || this.q.type === T.NS)) this.glue(zone, records);
    return true;
  }

  /** A/AAAA for the NS targets that `zone` holds, wildcards included (RFC 1034 §4.3.2 step 6). */
  glue(zone: Zone, ns: readonly ZoneRecord[]): void {
    const targets: [string, RRsets][] = [];
    for (const r of ns) {
      if (r.type !== 'NS' || !isInZone(r.data, zone.origin)) continue;
      let node = zone.node(r.data);
      if (!node && !zone.exists(r.data)) {
        let encloser = parentName(r.data);
        while (encloser !== undefined && isInZone(encloser, zone.origin) && !zone.exists(encloser))
          encloser = parentName(encloser);
        if (encloser !== undefined) node = zone.node(encloser === '' ? '*' : `*.${encloser}`);
      }
      if (node) targets.push([r.data, node]);
    }
    // NSD's order: every A first, then every AAAA.
    for (const [name, node] of targets) this.add(Section.AdditionalA, zone, node, node.get(T.A) ?? [], name);
    for (const [name, node] of targets) this.add(Section.AdditionalAAAA, zone, node, node.get(T.AAAA) ?? [], name);
  }

  nsec(zone: Zone, name: string): void {
    const owner = coveringNsec(zone, name);
    if (owner === undefined) return;
    const node = zone.node(owner);
    this.add(Section.Authority, zone, node, node?.get(T.NSEC) ?? [], owner);
  }

  soa(zone: Zone): void {
    // RFC 2308 §3; NSD sends no SOA to QCLASS ANY, whose answers are not authoritative anyway.
    if (this.q.class === CLASS_ANY) return;
    this.add(Section.Authority, zone, zone.node(zone.origin), [negativeSoa(zone)], zone.origin);
  }

  /** NODATA: the SOA, and with DO the NSEC that shows the type is missing (RFC 4035 §3.1.3.1). */
  nodata(zone: Zone, original: string): void {
    this.soa(zone);
    if (this.dnssecOk && isSigned(zone)) this.nsec(zone, original);
  }

  /** RFC 1034 §4.3.2 from step 2: which zone, then the answer, a referral or a name error. */
  lookup(name: string): void {
    let zone = findZone(this.zones, name);
    if (!zone) {
      // Nothing of ours: refuse, unless a chain led here (then the resolver follows on, RFC 1034 §4.3.2 step 3c).
      if (this.links === 0) this.rcode = RCODE.REFUSED;
      return;
    }
    const exists = zone.exists(name);
    // RFC 4035 §3.1.4.1: DS lives on the parent side of a cut; answer it from the parent when we hold that too.
    if (this.q.type === T.DS && exists && name === zone.origin) {
      const parent = zone.origin === '' ? undefined : findZone(this.zones, parentName(zone.origin) as string);
      if (parent) zone = parent;
    }
    this.aa = this.q.class !== CLASS_ANY;
    if (this.q.type === T.DS && exists && name === zone.origin) {
      this.nodata(zone, name);
      return;
    }
    let encloser = name;
    while (encloser !== zone.origin && !zone.exists(encloser)) encloser = parentName(encloser) as string;
    let cut = zone.delegationFor(encloser);
    // A DNAME above the cut wins (RFC 6672 §3.2: the cut is occluded by it).
    if (cut !== undefined && this.dnameAbove(zone, cut) !== undefined) cut = undefined;
    if (cut === undefined || (this.q.type === T.DS && exists && encloser === cut))
      this.authoritative(zone, name, encloser, exists);
    else this.delegation(zone, cut);
  }

  /** The closest DNAME owner strictly above `name` and below the apex. */
  dnameAbove(zone: Zone, name: string): string | undefined {
    for (let n = parentName(name); n !== undefined && n !== zone.origin && isInZone(n, zone.origin); n = parentName(n))
      if (zone.node(n)?.has(T.DNAME)) return n;
    return undefined;
  }

  /** A referral: the child's NS, glue, and with DO the DS or the NSEC proving there is none (RFC 4035 §3.1.4). */
  delegation(zone: Zone, cut: string): void {
    // After a CNAME the answer section is ours, so AA stays (RFC 1034 §4.3.2 step 3b).
    this.aa = this.links > 0;
    this.referral = true;
    this.cut = cut;
    const node = zone.node(cut);
    this.add(Section.Authority, zone, node, node?.get(T.NS) ?? [], cut);
    if (!this.dnssecOk || !isSigned(zone)) return;
    const ds = node?.get(T.DS);
    if (ds) this.add(Section.Authority, zone, node, ds, cut);
    else if (node?.has(T.NSEC)) this.add(Section.Authority, zone, node, node.get(T.NSEC) ?? [], cut);
  }

  authoritative(zone: Zone, name: string, closest: string, exact: boolean): void {
    const dname = this.dnameAbove(zone, closest);
    let encloser = closest;
    if (dname !== undefined) {
      encloser = dname;
      exact = false;
    }
    const signed = this.dnssecOk && isSigned(zone);
    let node: RRsets | undefined;
    let original = name;
    if (exact) node = zone.node(name) ?? new Map();
    else if (zone.node(encloser)?.has(T.DNAME)) {
      this.substitute(zone, name, encloser);
      return;
    } else {
      const wildcard = encloser === '' ? '*' : `*.${encloser}`;
      if (zone.exists(wildcard)) {
        // RFC 4592 §3.3.1: the wildcard under the closest encloser is the source of synthesis.
        node = zone.node(wildcard) ?? new Map();
        original = wildcard;
      }
    }
    if (signed && !exact) {
      // RFC 4035 §3.1.3.2/§3.1.3.3: the name does not exist: the NSEC covering it, and when no
      // wildcard matched, the one covering the wildcard too.
      this.nsec(zone, name);
      if (!node) this.nsec(zone, encloser === '' ? '*' : `*.${encloser}`);
    }
    if (!node) {
      this.rcode = RCODE.NXDOMAIN;
      this.soa(zone);
      return;
    }
    this.answerNode(zone, node, name, original);
  }

  answerNode(zone: Zone, node: RRsets, owner: string, original: string): void {
    const qtype = this.q.type;
    if (qtype === T.ANY) {
      const type = anyRRset(node, this.dnssecOk && isSigned(zone));
      if (type === undefined) this.nodata(zone, original);
      else this.add(Section.Answer, zone, node, node.get(type) ?? [], owner);
      return;
    }
    const rrset = node.get(qtype);
    if (rrset) {
      this.add(Section.Answer, zone, node, rrset, owner);
      return;
    }
    const cname = node.get(T.CNAME);
    const target = cname?.[0];
    if (target?.type !== 'CNAME') {
      this.nodata(zone, original);
      return;
    }
    // A CNAME already in the answer means a loop: stop with what we have.
    if (!this.add(Section.Answer, zone, node, cname as ZoneRecord[], owner)) return;
    if (++this.links > MAX_CNAME_CHAIN) return;
    this.lookup(target.data);
  }

  /** RFC 6672 §3.1: the DNAME, a CNAME synthesised from it (TTL of the DNAME), then the new name. */
  substitute(zone: Zone, name: string, owner: string): void {
    const node = zone.node(owner) as RRsets;
    const dnameSet = node.get(T.DNAME) as ZoneRecord[];
    const dname = dnameSet[0] as ZoneRecord & { readonly data: string };
    if (!this.add(Section.Answer, zone, node, dnameSet, owner) && isInZone(dname.data, owner)) return;
    const prefix = splitName(name).slice(0, labelCount(name) - labelCount(owner));
    const prefixText = name.slice(0, name.length - owner.length - (owner === '' ? 0 : 1));
    const target = dname.data === '' ? prefixText : `${prefixText}.${dname.data}`;
    if (wireLength(prefix) - 1 + wireLength(splitName(dname.data)) > MAX_NAME_WIRE_LENGTH) {
      // RFC 6672 §2.2: the substituted name would be too long.
      this.rcode = RCODE.YXDOMAIN;
      return;
    }
    this.links++;
    const cname: ZoneRecord = { name, ttl: dname.ttl, type: 'CNAME', data: target };
    // The synthesised CNAME is unsigned (RFC 6672 §5.3.1): no source node for signatures.
    if (!this.add(Section.Answer, zone, undefined, [cname], name)) return;
    if (this.q.type === T.CNAME || this.links > MAX_CNAME_CHAIN) return;
    this.lookup(target);
  }
}

/** Answers one question from `zones` (RFC 1034 §4.3.2 step 3 onwards). */
export function answerQuestion(
  zones: readonly Zone[],
  question: Question,
  options: AnswerOptions = {},
): AuthorityAnswer {
  const b = new Builder(zones, question, options.dnssecOk ?? false);
  if (
    (question.class !== CLASS_IN && question.class !== CLASS_ANY) ||
    question.type === T.AXFR ||
    question.type === T.IXFR
  )
    b.rcode = RCODE.REFUSED;
  else b.lookup(question.name);
  const [answers, authorities, a, aaaa] = b.sections as [ZoneRecord[], ZoneRecord[], ZoneRecord[], ZoneRecord[]];
  return {
    rcode: b.rcode,
    aa: b.rcode === RCODE.REFUSED ? false : b.aa,
    answers,
    authorities,
    additionals: [...a, ...aaaa],
    referral: b.referral,
    cut: b.cut,
  };
}
