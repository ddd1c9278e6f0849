import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { respond } from '../../protocols/dns/responder.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';

// ns2.child has so many addresses that its glue cannot fit in 512 bytes; ns1.child's can.
const ZONE = `$ORIGIN example.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 86400 120
@ NS ns
ns A 192.0.2.53
child NS ns1.child
child NS ns2.child
ns1.child A 192.0.2.1
${Array.from({ length: 30 }, (_, i) => `ns2.child A 198.51.100.${i + 1}`).join('\n')}
sib NS ns.sib2
sib NS ns1.child
sib2 NS ns.sib2
${Array.from({ length: 30 }, (_, i) => `ns.sib2 A 203.0.113.${i + 1}`).join('\n')}
`;

const zones = [zoneFromText(ZONE, { file: 'glue.zone' })];
const options = { maxUdpPayload: 1232 };

function ask(name: string, transport: 'udp' | 'tcp') {
  const query = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name, type: 'A', class: 'IN' }] });
  const out = respond(query, transport, zones, options);
  return dnsPacket.decode(out.message as Buffer);
}

describe('referral glue (RFC 9471)', () => {
  it('in-domain glue that does not fit over UDP: as much as fits, and TC', () => {
    const udp = ask('www.child.example.test', 'udp');
    expect(udp.flag_tc).toBe(true);
    expect(udp.flag_aa).toBe(false);
    expect(udp.authorities?.map((r) => r.type)).toEqual(['NS', 'NS']);
    expect(udp.additionals?.map((r) => [r.name, 'data' in r ? r.data : undefined])).toEqual([
      ['ns1.child.example.test', '192.0.2.1'],
    ]);
  });

  it('over TCP the whole glue comes, without TC', () => {
    const tcp = ask('www.child.example.test', 'tcp');
    expect(tcp.flag_tc).toBe(false);
    expect(tcp.additionals).toHaveLength(31);
  });

  it('glue of another delegation (sibling glue) is optional: no TC when it does not fit', () => {
    const udp = ask('www.sib.example.test', 'udp');
    expect(udp.flag_tc).toBe(false);
    expect(udp.authorities?.map((r) => r.type)).toEqual(['NS', 'NS']);
    // ns.sib2's 30 addresses do not fit and nothing after them is tried (minimal UDP answers).
    expect(udp.additionals).toEqual([]);
  });
});
