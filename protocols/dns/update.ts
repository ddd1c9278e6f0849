/**
 * Dynamic update (RFC 2136): the zone section names one of our zones, prerequisites are checked
 * (§2.4, §3.2), the update section is checked whole before anything is applied (§3.4.1), then
 * applied in order (§3.4.2), and the SOA serial moves on (RFC 1982) when anything changed.
 * Off unless allowed: without a TSIG key (RFC 8945) only when `allowUpdate` is set; a signed
 * update with a configured key always. A refused update is REFUSED or NOTAUTH, never applied.
 * @module
 */
import { absolute, isInZone, nameToWire } from './names.js';
import {
  CLASS_ANY,
  CLASS_IN,
  CLASS_NONE,
  codeOf,
  RCODE,
  rcodeName,
  rdataOf,
  T,
  typeName,
  type ZoneRecord,
} from './records.js';
import { readTsig, signAnswer, type TsigKey, type TsigRecord, verifyRequest } from './tsig.js';
import { readName, readRecords, toZoneRecord, type WireRecord } from './wire-records.js';
import type { Zone } from './zone.js';

export const OPCODE_UPDATE = 5;
/** Longest text of the changes in an exchange record's request line. */
const MAX_CHANGES_TEXT = 100;

export interface UpdatePolicy {
  /** Unsigned updates are applied; default false (REFUSED). */
  readonly allowUpdate?: boolean;
  /** Keys whose signed updates are applied (RFC 8945). */
  readonly keys?: readonly TsigKey[];
}

export interface UpdateOutcome {
  readonly message: Buffer | undefined;
  /** "UPDATE example.test +A www.example.test, -TXT old.example.test". */
  readonly request: string;
  /** "NOERROR serial 2024010102", "REFUSED: updates are off (--dns-allow-update)". */
  readonly response: string;
  readonly ok: boolean;
  readonly rcode: string;
  /** The zone changed. */
  readonly changed: boolean;
}

/** RFC 1982 §3.1: serial + 1 in 32-bit arithmetic. */
export function nextSerial(serial: number): number {
  return (serial + 1) % 2 ** 32;
}

/** RFC 1982 §3.2: a is greater than b. */
export function serialGreater(a: number, b: number): boolean {
  return (a < b && b - a > 2 ** 31) || (a > b && a - b < 2 ** 31);
}

/** Moves the zone's serial on by one (every change, RFC 2136 §3.7). */
export function bumpSerial(zone: Zone): number {
  const soa = zone.soa;
  const serial = nextSerial(soa.data.serial);
  zone.replaceSoa({ ...soa, data: { ...soa.data, serial } });
  return serial;
}

class Refusal extends Error {
  constructor(
    readonly rcode: number,
    message: string,
  ) {
    super(message);
  }
}

const META_TYPES = new Set<number>([T.ANY, T.AXFR, T.IXFR, 253, 254, T.OPT, T.TSIG, 249]);

function describeChange(r: WireRecord): string {
  const sign = r.class === CLASS_IN ? '+' : '-';
  const type = r.type === T.ANY ? '*' : typeName(r.type);
  return `${sign}${type} ${absolute(r.name).slice(0, -1)}`;
}

function changesText(updates: readonly WireRecord[]): string {
  const parts: string[] = [];
  let length = 0;
  for (const u of updates) {
    const text = describeChange(u);
    if (length + text.length > MAX_CHANGES_TEXT) {
      parts.push(`(+${updates.length - parts.length} more)`);
      break;
    }
    parts.push(text);
    length += text.length + 2;
  }
  return parts.join(', ');
}

/** The records of an RRset as comparable RDATA. */
function rdataSet(records: readonly ZoneRecord[]): string[] {
  return records.map((r) => rdataOf(r).toString('hex')).sort();
}

/** §3.2: every prerequisite, or the rcode that says which failed. */
function checkPrerequisites(buf: Buffer, zone: Zone, prereqs: readonly WireRecord[]): void {
  const wanted = new Map<string, { name: string; type: number; rdata: string[] }>();
  for (const p of prereqs) {
    if (p.ttl !== 0) throw new Refusal(RCODE.FORMERR, `prerequisite for ${absolute(p.name)} with a TTL`);
    if (!isInZone(p.name, zone.origin)) throw new Refusal(RCODE.NOTZONE, `${absolute(p.name)} is outside the zone`);
    const node = zone.node(p.name);
    const inUse = node !== undefined && node.size > 0;
    if (p.class === CLASS_ANY || p.class === CLASS_NONE) {
      if (p.rdlength !== 0) throw new Refusal(RCODE.FORMERR, 'prerequisite with data for class ANY/NONE');
      const rrsetThere = p.type === T.ANY ? inUse : (node?.get(p.type)?.length ?? 0) > 0;
      if (p.class === CLASS_ANY && !rrsetThere)
        throw new Refusal(
          p.type === T.ANY ? RCODE.NXDOMAIN : RCODE.NXRRSET,
          `${absolute(p.name)} ${p.type === T.ANY ? 'is not in use' : `has no ${typeName(p.type)}`}`,
        );
      if (p.class === CLASS_NONE && rrsetThere)
        throw new Refusal(
          p.type === T.ANY ? RCODE.YXDOMAIN : RCODE.YXRRSET,
          `${absolute(p.name)} ${p.type === T.ANY ? 'is in use' : `has ${typeName(p.type)}`}`,
        );
    } else if (p.class === CLASS_IN) {
      // §2.4.2: "RRset exists (value dependent)": the RRsets must match exactly.
      const key = `${p.name}|${p.type}`;
      const entry = wanted.get(key) ?? { name: p.name, type: p.type, rdata: [] };
      entry.rdata.push(rdataOf(toZoneRecord(buf, p)).toString('hex'));
      wanted.set(key, entry);
    } else throw new Refusal(RCODE.FORMERR, `prerequisite class ${p.class}`);
  }
  for (const { name, type, rdata } of wanted.values()) {
    const have = rdataSet(zone.node(name)?.get(type) ?? []);
    const want = [...new Set(rdata)].sort();
    if (have.length !== want.length || have.some((h, i) => h !== want[i]))
      throw new Refusal(RCODE.NXRRSET, `${absolute(name)} ${typeName(type)} is not as the prerequisite says`);
  }
}

/** §3.4.1: the whole update section is checked before any of it is applied. */
function prescan(zone: Zone, updates: readonly WireRecord[]): void {
  for (const u of updates) {
    if (!isInZone(u.name, zone.origin)) throw new Refusal(RCODE.NOTZONE, `${absolute(u.name)} is outside the zone`);
    if (u.class === CLASS_IN) {
      if (META_TYPES.has(u.type)) throw new Refusal(RCODE.FORMERR, `cannot add type ${typeName(u.type)}`);
    } else if (u.class === CLASS_ANY) {
      if (u.ttl !== 0 || u.rdlength !== 0 || (META_TYPES.has(u.type) && u.type !== T.ANY))
        throw new Refusal(RCODE.FORMERR, 'a delete of an RRset carries TTL 0 and no data');
    } else if (u.class === CLASS_NONE) {
      if (u.ttl !== 0 || META_TYPES.has(u.type)) throw new Refusal(RCODE.FORMERR, 'a delete of a record carries TTL 0');
    } else throw new Refusal(RCODE.FORMERR, `update class ${u.class}`);
  }
}

/** §3.4.2: applies the update section; returns whether anything changed and whether it set the serial itself. */
function apply(buf: Buffer, zone: Zone, updates: readonly WireRecord[]): { changed: boolean; serialSet: boolean } {
  let changed = false;
  let serialSet = false;
  const apex = zone.origin;
  for (const u of updates) {
    if (u.class === CLASS_IN) {
      const record = toZoneRecord(buf, u);
      if (record.type === 'SOA') {
        // §3.4.2.2: a new SOA only replaces the old one when its serial is greater.
        if (u.name === apex && serialGreater(record.data.serial, zone.soa.data.serial)) {
          zone.replaceSoa(record);
          changed = serialSet = true;
        }
        continue;
      }
      try {
        // §3.4.2.2: a CNAME beside other data (or data beside a CNAME) is ignored: Zone.add refuses it.
        if (zone.add(record)) changed = true;
      } catch {
        // Refused by the zone's rules (CNAME and other data, data below a DNAME): ignored, as §3.4.2.2 says.
      }
    } else if (u.class === CLASS_ANY) {
      const node = zone.node(u.name);
      for (const type of u.type === T.ANY ? [...(node?.keys() ?? [])] : [u.type]) {
        // §3.4.2.3: the apex keeps its SOA and NS.
        if (u.name === apex && (type === T.SOA || type === T.NS)) continue;
        if (zone.remove({ name: u.name, type }) > 0) changed = true;
      }
    } else {
      const record = toZoneRecord(buf, { ...u, ttl: 0 });
      const type = codeOf(record);
      if (type === T.SOA) continue;
      // §3.4.2.4: the last NS of the apex stays.
      if (u.name === apex && type === T.NS && (zone.node(apex)?.get(T.NS)?.length ?? 0) <= 1) continue;
      if (zone.remove({ name: u.name, type, like: record }) > 0) changed = true;
    }
  }
  return { changed, serialSet };
}

function responseFor(buf: Buffer, rcode: number, zoneQuestion: Buffer | undefined): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(buf.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8000 | (OPCODE_UPDATE << 11) | (rcode & 0xf), 2);
  header.writeUInt16BE(zoneQuestion ? 1 : 0, 4);
  return zoneQuestion ? Buffer.concat([header, zoneQuestion]) : header;
}

/** Handles one UPDATE message (opcode 5). Never throws. */
export function handleUpdate(buf: Buffer, zones: readonly Zone[], policy: UpdatePolicy): UpdateOutcome {
  let request = 'UPDATE';
  let zoneQuestion: Buffer | undefined;
  let tsig: TsigRecord | undefined;
  let key: TsigKey | undefined;
  const finish = (rcode: number, text: string, changed = false, tsigError = 0): UpdateOutcome => {
    let message = responseFor(buf, rcode, zoneQuestion);
    if (tsig) message = signAnswer(message, tsig, key, tsigError);
    return {
      message,
      request,
      response: text ? `${rcodeName(rcode)}: ${text}` : rcodeName(rcode),
      ok: rcode === RCODE.NOERROR,
      rcode: rcodeName(rcode),
      changed,
    };
  };
  try {
    if (buf.length < 12) throw new Refusal(RCODE.FORMERR, 'shorter than a header');
    const [zocount, prcount, upcount, adcount] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o)) as [
      number,
      number,
      number,
      number,
    ];
    if (zocount !== 1) throw new Refusal(RCODE.FORMERR, `${zocount} zones (RFC 2136 §3.1.1 wants 1)`);
    const zoneName = readName(buf, 12);
    if (zoneName.end + 4 > buf.length) throw new Refusal(RCODE.FORMERR, 'zone section cut short');
    const ztype = buf.readUInt16BE(zoneName.end);
    zoneQuestion = Buffer.concat([nameToWire(zoneName.name), buf.subarray(zoneName.end, zoneName.end + 4)]);
    request = `UPDATE ${absolute(zoneName.name).slice(0, -1) || '.'}`;
    if (ztype !== T.SOA) throw new Refusal(RCODE.FORMERR, 'the zone section must ask for SOA');
    const pre = readRecords(buf, zoneName.end + 4, prcount);
    const upd = readRecords(buf, pre.end, upcount);
    const add = readRecords(buf, upd.end, adcount);
    if (upd.records.length > 0) request += ` ${changesText(upd.records)}`;
    const last = add.records.at(-1);
    if (add.records.some((r, i) => r.type === T.TSIG && i !== add.records.length - 1))
      throw new Refusal(RCODE.FORMERR, 'TSIG is not the last record (RFC 8945 §5.1)');
    if (last?.type === T.TSIG) {
      tsig = readTsig(buf, last);
      const check = verifyRequest(buf, tsig, policy.keys ?? []);
      if (!check.ok) {
        key = check.key;
        // RFC 8945 §5.2: NOTAUTH, the TSIG error says why.
        return finish(
          RCODE.NOTAUTH,
          `TSIG ${Object.entries({ BADSIG: 16, BADKEY: 17, BADTIME: 18 }).find(([, v]) => v === check.error)?.[0]}: ${check.reason}`,
          false,
          check.error,
        );
      }
      key = check.key;
    } else if (!policy.allowUpdate) {
      throw new Refusal(
        RCODE.REFUSED,
        (policy.keys?.length ?? 0) > 0
          ? 'unsigned update (sign it with a --dns-tsig key)'
          : 'updates are off (--dns-allow-update)',
      );
    }
    const zone = zones.find((z) => z.origin === zoneName.name);
    if (!zone) throw new Refusal(RCODE.NOTAUTH, `not authoritative for ${absolute(zoneName.name)}`);
    checkPrerequisites(buf, zone, pre.records);
    prescan(zone, upd.records);
    const { changed, serialSet } = apply(buf, zone, upd.records);
    const serial = changed && !serialSet ? bumpSerial(zone) : zone.soa.data.serial;
    return {
      ...finish(RCODE.NOERROR, ''),
      response: `NOERROR ${changed ? 'serial' : 'nothing changed, serial'} ${serial}`,
      changed,
    };
  } catch (err) {
    if (err instanceof Refusal) return finish(err.rcode, err.message);
    return finish(RCODE.FORMERR, (err as Error).message);
  }
}
