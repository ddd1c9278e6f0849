/**
 * One authoritative zone in memory: nodes by name, RRsets by type, with the structure queries
 * need (empty non-terminals, zone cuts). Changes at run time keep the RFC 1034 §3.6.2 rule that a
 * CNAME stands alone.
 * @module
 */
import { absolute, isInZone, parentName } from './names.js';
import { encodeRdata, type SoaRecord, type ZoneRecord, type ZoneType } from './records.js';

export type RRsets = ReadonlyMap<ZoneType, readonly ZoneRecord[]>;

/** What {@link Zone.remove} matches: a name, optionally a type, optionally one record's exact data. */
export interface RecordMatch {
  readonly name: string;
  readonly type?: ZoneType;
  /** Only the record whose RDATA equals this record's. */
  readonly like?: ZoneRecord;
}

export class Zone {
  /** The apex, a name key. */
  readonly origin: string;
  #nodes = new Map<string, Map<ZoneType, ZoneRecord[]>>();
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
    const soa = this.#nodes.get(this.origin)?.get('SOA')?.[0];
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

  node(name: string): RRsets | undefined {
    return this.#nodes.get(name);
  }

  /** True for names with data and for empty non-terminals (RFC 4592 §2.2.2). */
  exists(name: string): boolean {
    if (this.#nodes.has(name)) return true;
    if (!this.#existing) {
      this.#existing = new Set();
      for (const owner of this.#nodes.keys()) {
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
    let node = this.#nodes.get(record.name);
    if (record.type === 'SOA' && node?.has('SOA')) throw new Error(`a second SOA record at ${absolute(record.name)}`);
    if (node && node.size > 0) {
      const hasCname = node.has('CNAME');
      if (record.type === 'CNAME' && (!hasCname || node.size > 1))
        throw new Error(`CNAME at ${absolute(record.name)}, which has other data (RFC 1034 §3.6.2)`);
      if (record.type === 'CNAME' && hasCname)
        throw new Error(`a second CNAME at ${absolute(record.name)} (a CNAME stands alone)`);
      if (record.type !== 'CNAME' && hasCname)
        throw new Error(`${record.type} at ${absolute(record.name)}, which has a CNAME (RFC 1034 §3.6.2)`);
    }
    if (!node) {
      node = new Map();
      this.#nodes.set(record.name, node);
      this.#existing = undefined;
    }
    const rrset = node.get(record.type) ?? [];
    const rdata = encodeRdata(record);
    if (rrset.some((r) => encodeRdata(r).equals(rdata))) return false;
    rrset.push(record);
    node.set(record.type, rrset);
    if (record.type === 'NS' && record.name !== this.origin) this.#cuts.add(record.name);
    this.#version++;
    return true;
  }

  /** Removes the matching records (never the SOA); returns how many went. */
  remove(match: RecordMatch): number {
    const node = this.#nodes.get(match.name);
    if (!node) return 0;
    let removed = 0;
    const rdata = match.like ? encodeRdata(match.like) : undefined;
    for (const [type, rrset] of [...node]) {
      if (type === 'SOA' || (match.type !== undefined && match.type !== type)) continue;
      const keep = rdata ? rrset.filter((r) => !encodeRdata(r).equals(rdata)) : [];
      removed += rrset.length - keep.length;
      if (keep.length > 0) node.set(type, keep);
      else node.delete(type);
    }
    if (!node.has('NS')) this.#cuts.delete(match.name);
    if (node.size === 0) {
      this.#nodes.delete(match.name);
      this.#existing = undefined;
    }
    if (removed > 0) this.#version++;
    return removed;
  }
}
