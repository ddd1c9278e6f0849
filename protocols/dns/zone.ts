/**
 * One authoritative zone in memory: nodes by name, RRsets by type, with the structure queries
 * need (empty non-terminals, zone cuts). Changes at run time keep the RFC 1034 §3.6.2 rule that a
 * CNAME stands alone.
 * @module
 */
import { absolute, isInZone, parentName } from './names.js';
import { codeOf, rdataOf, type SoaRecord, T, type ZoneRecord } from './records.js';

/** A node's RRsets by type code, in the order their types were first added. */
export type RRsets = ReadonlyMap<number, readonly ZoneRecord[]>;

/** Types that may stand beside a CNAME: DNSSEC's own (RFC 4035 §2.5). */
const BESIDE_CNAME = new Set<number>([T.CNAME, T.RRSIG, T.NSEC]);

/** What {@link Zone.remove} matches: a name, optionally a type, optionally one record's exact data. */
export interface RecordMatch {
  readonly name: string;
  readonly type?: number;
  /** Only the record whose RDATA equals this record's. */
  readonly like?: ZoneRecord;
}

const NSEC3 = 50;

/** A node of NSEC3 records and signatures alone: a hashed owner name (RFC 5155 §3). */
function onlyNsec3(node: ReadonlyMap<number, unknown>): boolean {
  return node.has(NSEC3) && [...node.keys()].every((t) => t === NSEC3 || t === T.RRSIG);
}

export class Zone {
  /** The apex, a name key. */
  readonly origin: string;
  #nodes = new Map<string, Map<number, ZoneRecord[]>>();
  /** Names with data plus all their ancestors up to the apex (so empty non-terminals exist). */
  #existing: Set<string> | undefined;
  /** Names below the apex that own NS records: zone cuts (RFC 1034 §4.2.1). */
  #cuts = new Set<string>();
  #version = 0;

  constructor(origin: string) {
    this.origin = origin;
  }

  /** The SOA record; a zone without one cannot answer. */
  get soa(): SoaRecord {
    const soa = this.#nodes.get(this.origin)?.get(T.SOA)?.[0];
    if (soa?.type !== 'SOA') throw new Error(`zone ${absolute(this.origin)} has no SOA record`);
    return soa;
  }

  /** Grows with every change (record added or removed), so answers cached from the zone can tell they are stale. */
  get version(): number {
    return this.#version;
  }

  /** Every record, apex first. */
  records(): ZoneRecord[] {
    return [...this.#nodes.values()].flatMap((node) => [...node.values()].flat());
  }

  /** Every owner name with data. */
  names(): string[] {
    return [...this.#nodes.keys()];
  }

  node(name: string): RRsets | undefined {
    return this.#nodes.get(name);
  }

  /**
   * True for names with data and for empty non-terminals (RFC 4592 §2.2.2). A name that holds
   * only NSEC3 records (and their RRSIGs) does not exist: RFC 5155 §7.2.8, as NSD answers it.
   */
  exists(name: string): boolean {
    if (!this.#existing) {
      this.#existing = new Set();
      for (const [owner, node] of this.#nodes) {
        if (onlyNsec3(node)) continue;
        for (let n: string | undefined = owner; n !== undefined && !this.#existing.has(n); n = parentName(n)) {
          this.#existing.add(n);
          if (n === this.origin) break;
        }
      }
    }
    return this.#existing.has(name);
  }

  /** The highest zone cut at or above `name` (below the apex), if any: the answer is then a referral. */
  delegationFor(name: string): string | undefined {
    if (this.#cuts.size === 0) return undefined;
    let found: string | undefined;
    for (let n: string | undefined = name; n !== undefined && n !== this.origin; n = parentName(n))
      if (this.#cuts.has(n)) found = n;
    return found;
  }

  /**
   * Adds a record; false when an identical one is there (RFC 2181 §5: an RRset has no duplicates).
   * Throws with a plain message when the record does not belong here.
   */
  add(record: ZoneRecord): boolean {
    if (!isInZone(record.name, this.origin))
      throw new Error(`${absolute(record.name)} is outside the zone ${absolute(this.origin)}`);
    if (record.type === 'SOA' && record.name !== this.origin)
      throw new Error(`SOA record at ${absolute(record.name)}, not at the zone apex ${absolute(this.origin)}`);
    const code = codeOf(record);
    let node = this.#nodes.get(record.name);
    if (record.type === 'SOA' && node?.has(T.SOA)) throw new Error(`a second SOA record at ${absolute(record.name)}`);
    if (node && node.size > 0) {
      const hasCname = node.has(T.CNAME);
      const others = [...node.keys()].some((t) => !BESIDE_CNAME.has(t));
      if (code === T.CNAME && others)
        throw new Error(`CNAME at ${absolute(record.name)}, which has other data (RFC 1034 §3.6.2)`);
      if (code === T.CNAME && hasCname)
        throw new Error(`a second CNAME at ${absolute(record.name)} (a CNAME stands alone)`);
      if (!BESIDE_CNAME.has(code) && hasCname)
        throw new Error(`${record.type} at ${absolute(record.name)}, which has a CNAME (RFC 1034 §3.6.2)`);
      if (code === T.DNAME && node.has(T.DNAME))
        throw new Error(`a second DNAME at ${absolute(record.name)} (RFC 6672 §2.4)`);
    }
    // RFC 6672 §2.3: nothing may exist below a DNAME (NSD refuses such a zone too).
    for (let n = parentName(record.name); n !== undefined && isInZone(n, this.origin); n = parentName(n))
      if (this.#nodes.get(n)?.has(T.DNAME))
        throw new Error(`${absolute(record.name)} is below the DNAME at ${absolute(n)} (RFC 6672 §2.3)`);
    if (code === T.DNAME && !node?.has(T.DNAME))
      for (const other of this.#nodes.keys())
        if (other !== record.name && isInZone(other, record.name))
          throw new Error(`DNAME at ${absolute(record.name)}, which has ${absolute(other)} below it (RFC 6672 §2.3)`);
    const rrset = node?.get(code) ?? [];
    const rdata = rdataOf(record);
    if (rrset.some((r) => rdataOf(r).equals(rdata))) return false;
    if (!node) {
      node = new Map();
      this.#nodes.set(record.name, node);
    }
    // A new type can make a name exist (one of NSEC3 alone does not).
    if (!node.has(code)) this.#existing = undefined;
    rrset.push(record);
    node.set(code, rrset);
    if (code === T.NS && record.name !== this.origin) this.#cuts.add(record.name);
    this.#version++;
    return true;
  }

  /** Replaces the SOA (its serial moves on with every change, RFC 1982/RFC 2136 §3.7). */
  replaceSoa(soa: SoaRecord): void {
    const node = this.#nodes.get(this.origin);
    if (!node) throw new Error('zone without apex');
    node.set(T.SOA, [soa]);
    this.#version++;
  }

  /** Removes the matching records (never the SOA); returns how many went. */
  remove(match: RecordMatch): number {
    const node = this.#nodes.get(match.name);
    if (!node) return 0;
    let removed = 0;
    const rdata = match.like ? rdataOf(match.like) : undefined;
    for (const [type, rrset] of [...node]) {
      if (type === T.SOA || (match.type !== undefined && match.type !== type)) continue;
      const keep = rdata ? rrset.filter((r) => !rdataOf(r).equals(rdata)) : [];
      removed += rrset.length - keep.length;
      if (keep.length > 0) node.set(type, keep);
      else node.delete(type);
    }
    if (!node.has(T.NS)) this.#cuts.delete(match.name);
    if (node.size === 0) {
      this.#nodes.delete(match.name);
      this.#existing = undefined;
    }
    if (removed > 0) {
      this.#existing = undefined;
      this.#version++;
    }
    return removed;
  }
}
