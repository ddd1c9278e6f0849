/**
 * Serving a pre-signed zone (RFC 4035 §3.1): whether a zone counts as signed, the RRSIGs that go
 * with an RRset, and the NSEC that covers a name in canonical order (RFC 4034 §6.1). Nothing is
 * signed or checked here: signatures are data, as for any authoritative server.
 * @module
 */
import { splitName } from './names.js';
import { coveredType, T, type ZoneRecord } from './records.js';
import type { RRsets, Zone } from './zone.js';

/** A zone is served as signed when its apex holds an RRSIG over its DNSKEY RRset (NSD's rule). */
export function isSigned(zone: Zone): boolean {
  return (zone.node(zone.origin)?.get(T.RRSIG) ?? []).some((r) => coveredType(r) === T.DNSKEY);
}

/** The RRSIGs at `node` covering `type`, renamed to `owner` (a wildcard expansion keeps its signatures, RFC 4035 §3.1.3.3). */
export function signaturesFor(node: RRsets | undefined, type: number, owner: string): ZoneRecord[] {
  if (type === T.RRSIG || !node) return [];
  const out: ZoneRecord[] = [];
  for (const r of node.get(T.RRSIG) ?? [])
    if (coveredType(r) === type) out.push(r.name === owner ? r : { ...r, name: owner });
  return out;
}

/** RFC 4034 §6.1: labels compared right to left, each as lowercase bytes, a missing label first. */
export function canonicalCompare(a: string, b: string): number {
  const la = splitName(a);
  const lb = splitName(b);
  for (let i = 1; i <= Math.min(la.length, lb.length); i++) {
    const x = la[la.length - i] as string;
    const y = lb[lb.length - i] as string;
    if (x !== y) {
      const bx = Buffer.from(x, 'latin1');
      const by = Buffer.from(y, 'latin1');
      return Buffer.compare(bx, by);
    }
  }
  return la.length - lb.length;
}

/** Owners with an NSEC RRset in canonical order, kept per zone version. */
const nsecOwners = new WeakMap<Zone, { version: number; owners: string[] }>();

/**
 * The owner of the NSEC that covers (or matches) `name`: the last owner with an NSEC at or
 * before `name` in canonical order, never outside the zone.
 */
export function coveringNsec(zone: Zone, name: string): string | undefined {
  let entry = nsecOwners.get(zone);
  if (!entry || entry.version !== zone.version) {
    const owners = zone
      .names()
      .filter((n) => zone.node(n)?.has(T.NSEC))
      .sort(canonicalCompare);
    entry = { version: zone.version, owners };
    nsecOwners.set(zone, entry);
  }
  let lo = 0;
  let hi = entry.owners.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const owner = entry.owners[mid] as string;
    if (canonicalCompare(owner, name) <= 0) {
      found = owner;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
